using System;
using System.Diagnostics;
using SepConvGen.Benchmarks;
using SepConvGen.Benchmarks.Models;
using SepConvGen.Sample;

// One start-up measurement (benchmarks/SepConvGen.Benchmarks/Startup.cs): `S2 nhwc` for a benchmark layer (fixed size,
// random weights), or `eegnet FILE` / `mini-xception FILE` for a real model read from its Keras file. With `--jit`
// last, it then lists what the JIT compiled during the first call, method by method (JIT builds):
//   dotnet run -c Release --project benchmarks/SepConvGen.Startup -- mini-xception tests/SepConvGen.Keras.Tests/Models/face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5 --jit
var random = new Random(1);
float[] Random(int length)
{
    var values = new float[length];
    for (int i = 0; i < length; i++)
    {
        values[i] = (float)((random.NextDouble() * 2) - 1);
    }

    return values;
}

long loading = Stopwatch.GetTimestamp();
Action call = args[0] switch
{
    "eegnet" => EegNetCall(args[1]),
    "mini-xception" => MiniXceptionCall(args[1]),
    _ => Layer(args[0], args[1] == "nchw"),
};
double loadMs = Stopwatch.GetElapsedTime(loading).TotalMilliseconds;
if (args[^1] == "--jit")
{
    // Only the first call: the events of calls before it (loading) are behind the listener's start.
    using var profile = new JitProfile();
    call();
    System.Threading.Thread.Sleep(500);
    profile.Print(30);
    return;
}

FirstCalls.Measure(call, loadMs);

Action EegNetCall(string path)
{
    EegNet model = EegNet.FromKerasFile(path);
    float[] input = Random(EegNet.InputLength), output = new float[EegNet.OutputLength];
    return () => model.Predict(input, output);
}

Action MiniXceptionCall(string path)
{
    EmotionModel model = EmotionModel.FromKerasFile(path);
    float[] input = Random(EmotionModel.InputLength), output = new float[EmotionModel.OutputLength];
    return () => model.Predict(input, output);
}

// Each layer as an app would hold it: created, loaded with its Keras weights, called on arrays of its sizes.
Action Layer(string shape, bool channelsFirst) => (shape, channelsFirst) switch
{
    ("S0", false) => Bind(new S0NhwcF(), S0NhwcF.DepthwiseKernelLength, S0NhwcF.PointwiseKernelLength, 0, (l, d, p, b) => l.LoadKerasWeights(d, p), (l, x, y) => l.Forward(x, y), S0NhwcF.InChannels * 37, S0NhwcF.OutChannels * 37),
    ("S0", true) => Bind(new S0NchwF(), S0NchwF.DepthwiseKernelLength, S0NchwF.PointwiseKernelLength, 0, (l, d, p, b) => l.LoadKerasWeights(d, p), (l, x, y) => l.Forward(x, y), S0NchwF.InChannels * 37, S0NchwF.OutChannels * 37),
    ("S1", false) => Bind(new S1NhwcF(), S1NhwcF.DepthwiseKernelLength, S1NhwcF.PointwiseKernelLength, 0, (l, d, p, b) => l.LoadKerasWeights(d, p), (l, x, y) => l.Forward(x, y), S1NhwcF.InChannels * 512, S1NhwcF.OutChannels * 512),
    ("S1", true) => Bind(new S1NchwF(), S1NchwF.DepthwiseKernelLength, S1NchwF.PointwiseKernelLength, 0, (l, d, p, b) => l.LoadKerasWeights(d, p), (l, x, y) => l.Forward(x, y), S1NchwF.InChannels * 512, S1NchwF.OutChannels * 512),
    ("S2", false) => Bind(new S2NhwcF(), S2NhwcF.DepthwiseKernelLength, S2NhwcF.PointwiseKernelLength, S2NhwcF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S2NhwcF.InChannels * 56 * 56, S2NhwcF.OutChannels * 56 * 56),
    ("S2", true) => Bind(new S2NchwF(), S2NchwF.DepthwiseKernelLength, S2NchwF.PointwiseKernelLength, S2NchwF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S2NchwF.InChannels * 56 * 56, S2NchwF.OutChannels * 56 * 56),
    ("S3", false) => Bind(new S3NhwcF(), S3NhwcF.DepthwiseKernelLength, S3NhwcF.PointwiseKernelLength, S3NhwcF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S3NhwcF.InChannels * 19 * 19, S3NhwcF.OutChannels * 19 * 19),
    ("S3", true) => Bind(new S3NchwF(), S3NchwF.DepthwiseKernelLength, S3NchwF.PointwiseKernelLength, S3NchwF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S3NchwF.InChannels * 19 * 19, S3NchwF.OutChannels * 19 * 19),
    ("S4", false) => Bind(new S4NhwcF(), S4NhwcF.DepthwiseKernelLength, S4NhwcF.PointwiseKernelLength, S4NhwcF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S4NhwcF.InChannels * 28 * 28, S4NhwcF.OutChannels * 28 * 28),
    ("S4", true) => Bind(new S4NchwF(), S4NchwF.DepthwiseKernelLength, S4NchwF.PointwiseKernelLength, S4NchwF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S4NchwF.InChannels * 28 * 28, S4NchwF.OutChannels * 28 * 28),
    ("S5", false) => Bind(new S5NhwcF(), S5NhwcF.DepthwiseKernelLength, S5NhwcF.PointwiseKernelLength, S5NhwcF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S5NhwcF.InChannels * 64 * 64, S5NhwcF.OutChannels * 32 * 32),
    ("S5", true) => Bind(new S5NchwF(), S5NchwF.DepthwiseKernelLength, S5NchwF.PointwiseKernelLength, S5NchwF.OutChannels, (l, d, p, b) => l.LoadKerasWeights(d, p, b), (l, x, y) => l.Forward(x, y), S5NchwF.InChannels * 64 * 64, S5NchwF.OutChannels * 32 * 32),
    _ => throw new ArgumentException($"unknown shape '{shape}'"),
};

Action Bind<T>(T layer, int depthwise, int pointwise, int bias, Action<T, float[], float[], float[]> load, Action<T, float[], float[]> forward, int inputLength, int outputLength)
{
    load(layer, Random(depthwise), Random(pointwise), Random(bias));
    float[] input = Random(inputLength), output = new float[outputLength];
    return () => forward(layer, input, output);
}

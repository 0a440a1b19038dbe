using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using SepConvGen.Keras;
using SepConvGen.Sample;

// A whole trained Keras model in C#, then single generated SeparableConv2D layers, each checked and timed.
Console.WriteLine("SepConvGen sample: a whole Keras model, then generated SeparableConv2D layers");
Console.WriteLine();

// 0. The emotion model (mini-Xception trained on fer2013, 64x64 grey faces, 7 classes). EmotionModel.cs was written by
//    'sepconvgen model face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5 --namespace SepConvGen.Sample --class EmotionModel'.
{
    string folder = Path.Combine(AppContext.BaseDirectory, "Models");
    string path = Path.Combine(folder, "face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5");
    long start = Stopwatch.GetTimestamp();
    EmotionModel model = EmotionModel.FromKerasFile(path);
    double loadMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    // Keras' own output for one input (float64, shared/golden/keras-models-whole.json).
    using var whole = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "keras-models-whole.json")));
    JsonElement expected = whole.RootElement.GetProperty("cases").EnumerateArray().First(c => c.GetProperty("file").GetString() == Path.GetFileName(path));
    float[] face = expected.GetProperty("input").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();   // (1, 64, 64, 1)
    double[] keras = expected.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray();
    var probabilities = new float[EmotionModel.OutputLength];
    start = Stopwatch.GetTimestamp();
    model.Predict(face, probabilities);
    double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    double steadyMs = MedianMilliseconds(() => model.Predict(face, probabilities), minimumRuns: 200);

    string[] emotions = { "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral" };
    Console.WriteLine($"EmotionModel  the whole mini-Xception of {Path.GetFileName(path)}: 64x64x1 -> 7 classes");
    Console.WriteLine("  class      SepConvGen   Keras");
    for (int i = 0; i < emotions.Length; i++)
    {
        Console.WriteLine($"  {emotions[i],-9}  {probabilities[i],10:F6}  {keras[i],10:F6}");
    }

    Console.WriteLine($"  max |SepConvGen - Keras| = {probabilities.Zip(keras).Max(p => Math.Abs(p.First - p.Second)):0.0e+0}; " +
                      $"predicted '{emotions[Array.IndexOf(probabilities, probabilities.Max())]}'");
    Console.WriteLine($"  load {loadMs:F1} ms, first Predict {firstMs:F1} ms, then {steadyMs:0.000} ms per call");
    Console.WriteLine();
}

var random = new Random(2026);
float[] Values(int length) => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
static double Linear(double x) => x;
static double Relu6(double x) => x < 0 ? 0 : x > 6 ? 6 : x;

// 1. SeparableConv2D(64, (1, 16), use_bias=False, padding='same') on a 1 x 512 x 32 input.
{
    const int height = 1, width = 512;
    float[] depthwise = Values(EegSeparable.DepthwiseKernelLength);  // Keras (1, 16, 32, 1)
    float[] pointwise = Values(EegSeparable.PointwiseKernelLength);  // Keras (1, 1, 32, 64)
    float[] input = Values(height * width * EegSeparable.InChannels);
    var layer = new EegSeparable();
    layer.LoadKerasWeights(depthwise, pointwise);
    var output = new float[height * width * EegSeparable.OutChannels];
    layer.Forward(input, output, batch: 1, height, width);

    // TensorFlow SAME for a 16-wide kernel: total 15, floor(15 / 2) = 7 on the left, 8 on the right.
    double[] reference = NaiveLoop.Run(input, height, width, 32, 64, 1, 16, padTop: 0, padLeft: 7, depthwise, pointwise, null, Linear);
    double[] handPadded = NaiveLoop.Run(input, height, width, 32, 64, 1, 16, padTop: 0, padLeft: 8, depthwise, pointwise, null, Linear);
    Report("EegSeparable  SeparableConv2D(64, (1, 16), padding='same', use_bias=False) on 1x512x32",
        output, reference,
        () => layer.Forward(input, output, 1, height, width),
        () => NaiveLoop.Run(input, height, width, 32, 64, 1, 16, 0, 7, depthwise, pointwise, null, Linear));
    int changed = reference.Zip(handPadded).Count(p => Math.Abs(p.First - p.Second) > 1e-9);
    double worst = reference.Zip(handPadded).Max(p => Math.Abs(p.First - p.Second));
    Console.WriteLine("  TensorFlow pads this kernel 7 left and 8 right. The hand padding F.pad(x, (8, 7, 0, 0))");
    Console.WriteLine($"  shifts the window by one column: {changed} of {reference.Length} outputs change, by up to {worst:F3}.");
    Console.WriteLine();
}

// 2. The trained EEGNet separable block, weights read from the real Keras file.
{
    string folder = Path.Combine(AppContext.BaseDirectory, "Models");
    string model = Path.Combine(folder, "arl-eegmodels_EEGNet-8-2-weights.h5");
    using var file = KerasWeights.Open(model);
    KerasLayerInfo info = file.GetLayer("separable_conv2d");
    SeparableConvWeights weights = file.ReadWeights(info.Name, new LayerShape(
        EegNetSeparable.InChannels, EegNetSeparable.OutChannels, EegNetSeparable.KernelHeight, EegNetSeparable.KernelWidth,
        EegNetSeparable.DepthMultiplier, UseBias: false));
    var layer = new EegNetSeparable();
    layer.LoadKerasWeights(weights.DepthwiseKernel, weights.PointwiseKernel);

    // The expected output of this layer for a known input (float64 oracle, shared/golden).
    using var expectedJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "keras-models-expected.json")));
    JsonElement expected = expectedJson.RootElement.GetProperty("cases").EnumerateArray().First(c => c.GetProperty("file").GetString() == Path.GetFileName(model));
    float[] input = expected.GetProperty("input").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();   // (1, 16, 1, 37) NCHW
    double[] wanted = expected.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray();
    const int height = 1, width = 37;
    var output = new float[wanted.Length];
    layer.Forward(input, output, 1, height, width);

    // The naive loop is NHWC: transpose in, run, transpose out.
    float[] nhwcInput = NaiveLoop.ToNhwc(input, 16, height, width);
    double[] naive() => NaiveLoop.ToNchw(NaiveLoop.Run(nhwcInput, height, width, 16, 16, 1, 16, 0, 7, weights.DepthwiseKernel, weights.PointwiseKernel, null, Linear), 16, height, width);
    Report("EegNetSeparable  the trained EEGNet-8,2 separable block, channels_first, 16x1x37",
        output, wanted, () => layer.Forward(input, output, 1, height, width), () => naive());
    Console.WriteLine($"  max |generated - naive loop| = {output.Zip(naive()).Max(p => Math.Abs(p.First - p.Second)):0.0e+0}");
    Console.WriteLine($"  weights from {Path.GetFileName(model)}, layer '{info.Name}': {info.ToKeras()}");
    Console.WriteLine();
}

// 3. A fixed-size 3x3 block: SeparableConv2D(128, (3, 3), padding='same', activation='relu6') on 56 x 56 x 64.
{
    const int size = MobileNetBlock.InputHeight;
    float[] depthwise = Values(MobileNetBlock.DepthwiseKernelLength);
    float[] pointwise = Values(MobileNetBlock.PointwiseKernelLength);
    float[] bias = Values(MobileNetBlock.OutChannels);
    float[] input = Values(size * size * MobileNetBlock.InChannels);
    var layer = new MobileNetBlock();
    layer.LoadKerasWeights(depthwise, pointwise, bias);
    var output = new float[MobileNetBlock.OutputHeight * MobileNetBlock.OutputWidth * MobileNetBlock.OutChannels];
    layer.Forward(input, output);
    double[] reference = NaiveLoop.Run(input, size, size, 64, 128, 3, 3, MobileNetBlock.PadTop, MobileNetBlock.PadLeft, depthwise, pointwise, bias, Relu6);
    Report("MobileNetBlock  SeparableConv2D(128, (3, 3), padding='same', activation='relu6') on 56x56x64 (fixed size)",
        output, reference,
        () => layer.Forward(input, output),
        () => NaiveLoop.Run(input, size, size, 64, 128, 3, 3, 1, 1, depthwise, pointwise, bias, Relu6));
}

static void Report(string title, float[] output, double[] reference, Action generated, Action naive)
{
    double maxError = output.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
    double maxValue = reference.Max(Math.Abs);
    double generatedMs = MedianMilliseconds(generated, minimumRuns: 50);
    double naiveMs = MedianMilliseconds(naive, minimumRuns: 3);
    Console.WriteLine(title);
    Console.WriteLine($"  max |generated - reference| = {maxError:0.0e+0} (outputs up to {maxValue:F2})");
    Console.WriteLine($"  generated layer: {generatedMs:0.0###} ms per call; naive loop: {naiveMs:0.0###} ms per call ({naiveMs / generatedMs:F1}x)");
}

// Median of repeated timings after a warm-up of half a second, so tiered compilation (whose instrumented tier
// for profile-guided optimization runs several times slower than the final code) and the first rental are excluded.
static double MedianMilliseconds(Action action, int minimumRuns)
{
    var warmUp = Stopwatch.StartNew();
    for (int i = 0; i < 3 || warmUp.ElapsedMilliseconds < 500; i++)
    {
        action();
    }

    var times = new System.Collections.Generic.List<double>();
    var total = Stopwatch.StartNew();
    while (times.Count < minimumRuns || total.ElapsedMilliseconds < 300)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    times.Sort();
    return times[times.Count / 2];
}

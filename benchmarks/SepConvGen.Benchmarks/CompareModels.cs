using System;
using System.Globalization;
using System.Linq;
using SepConvGen.Benchmarks.Models;
using SepConvGen.Ort;
using SepConvGen.Sample;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// Whole models against ONNX Runtime (1 thread, all graph optimizations) on the same Keras file, interleaved, batch 1:
    /// the models <c>sepconvgen model</c> wrote into Models/ and the sample (docs/benchmarks.md).
    /// </summary>
    public static class CompareModels
    {
        private static readonly (string Name, string File, Func<string, Action<float[], float[]>> Load)[] Models =
        {
            ("EEGNet (JohnBoxAnn, 22x1000x1)", "JohnBoxAnn_Bi-Input-EEGConv_A01T_EEGNet_1.h5", path => { EegNet model = EegNet.FromKerasFile(path); return (x, y) => model.Predict(x, y); }),
            ("mini-Xception (fer2013, 64x64x1)", "face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5", path => { EmotionModel model = EmotionModel.FromKerasFile(path); return (x, y) => model.Predict(x, y); }),
        };

        /// <summary>The models' names, as the tables print them.</summary>
        public static string[] Names => Models.Select(m => m.Name).ToArray();

        /// <summary>The Keras file the model named <paramref name="name"/> is read from.</summary>
        public static string KerasFile(string name) => RepositoryPaths.Combine("tests", "SepConvGen.Keras.Tests", "Models", Models.Single(m => m.Name == name).File);

        /// <summary>
        /// Loads a model from its Keras file as an application would, ours or ONNX Runtime's (then with the session to
        /// dispose), bound to a random input: what the <c>startup</c> mode times from a fresh process.
        /// </summary>
        public static (Action Predict, IDisposable? Session) Load(string name, bool ort)
        {
            Func<string, Action<float[], float[]>> load = Models.Single(m => m.Name == name).Load;
            string path = KerasFile(name);
            float[] input = Input(name), output = new float[OutputLength(name)];
            if (ort)
            {
                var session = new OrtKerasModel(path, input, output);
                return (session.Run, session);
            }

            Action<float[], float[]> predict = load(path);
            return (() => predict(input, output), null);
        }

        public static void Run(string[] args)
        {
            double seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(2);
            Console.WriteLine("| model | ORT ms | generated ms | ORT / generated | max difference |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach ((string name, _, Func<string, Action<float[], float[]>> load) in Models)
            {
                string path = KerasFile(name);
                Action<float[], float[]> predict = load(path);
                float[] input = Input(name);
                float[] ours = new float[OutputLength(name)], theirs = new float[ours.Length];
                using var ort = new OrtKerasModel(path, input, theirs);
                ort.Run();
                predict(input, ours);
                double difference = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
                (double ortMs, double ourMs, double ratio) = Compare.Interleave(ort.Run, () => predict(input, ours), seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ortMs:F4} | {ourMs:F4} | {ratio:F2} | {difference:E1} |"));
            }
        }

        private static float[] Input(string name)
        {
            var random = new Random(1);
            return Enumerable.Range(0, InputLength(name)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        private static int InputLength(string name) => name.StartsWith("EEGNet", StringComparison.Ordinal) ? EegNet.InputLength : EmotionModel.InputLength;

        private static int OutputLength(string name) => name.StartsWith("EEGNet", StringComparison.Ordinal) ? EegNet.OutputLength : EmotionModel.OutputLength;
    }
}

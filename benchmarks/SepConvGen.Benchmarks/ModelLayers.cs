using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using SepConvGen.Benchmarks.Models;
using SepConvGen.Sample;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// Where a whole model's time goes (docs/benchmarks.md): every generated layer of a written model, found by
    /// reflection on its private fields, run on its own over random data of its input size; per layer its time, its
    /// share of the layers' sum and its GFLOP/s (multiply-adds count two). The steps between layers (activations,
    /// Add, softmax) are not in the sum.
    /// </summary>
    public static class ModelLayers
    {
        private delegate void Forward(ReadOnlySpan<float> input, Span<float> output, int batch);

        public static void Run(string[] args)
        {
            double seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(1.0);
            string folder = RepositoryPaths.Combine("tests", "SepConvGen.Keras.Tests", "Models");
            Report("EEGNet (JohnBoxAnn, 22x1000x1)", EegNet.FromKerasFile(System.IO.Path.Combine(folder, "JohnBoxAnn_Bi-Input-EEGConv_A01T_EEGNet_1.h5")), seconds);
            Report("mini-Xception (fer2013, 64x64x1)", EmotionModel.FromKerasFile(System.IO.Path.Combine(folder, "face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5")), seconds);
        }

        private static void Report(string name, object model, double seconds)
        {
            var rows = new List<(string Field, string Kind, double Ms, double Flops)>();
            foreach (FieldInfo field in model.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
            {
                Type type = field.FieldType;
                MethodInfo? forward = type.GetMethod("Forward", new[] { typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(int) });
                Attribute? attribute = type.GetCustomAttributes().FirstOrDefault(a => a.GetType().Namespace == "SepConvGen");
                if (forward is null || attribute is null)
                {
                    continue;
                }

                var run = forward.CreateDelegate<Forward>(field.GetValue(model));
                (int inputs, int outputs, double flops) = Measure(type, attribute.GetType().Name);
                var random = new Random(1);
                float[] input = Enumerable.Range(0, inputs).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                float[] output = new float[outputs];
                rows.Add((field.Name, attribute.GetType().Name.Replace("Attribute", string.Empty, StringComparison.Ordinal), Time(() => run(input, output, 1), seconds), flops));
            }

            double total = rows.Sum(r => r.Ms);
            Console.WriteLine($"{name}: the generated layers take {total.ToString("F4", CultureInfo.InvariantCulture)} ms together");
            Console.WriteLine("| layer | kind | ms | share | GFLOP/s |");
            Console.WriteLine("|---|---|---:|---:|---:|");
            foreach ((string field, string kind, double ms, double flops) in rows)
            {
                string rate = flops > 0 ? (flops / ms / 1e6).ToString("F0", CultureInfo.InvariantCulture) : string.Empty;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {field.TrimStart('_')} | {kind} | {ms:F4} | {ms / total:P0} | {rate} |"));
            }

            Console.WriteLine();
        }

        /// <summary>Values in and out of one item, and the floating-point operations of one call, from the layer's constants.</summary>
        private static (int Inputs, int Outputs, double Flops) Measure(Type layer, string kind)
        {
            int Get(string constant) => (int)layer.GetField(constant)!.GetRawConstantValue()!;
            switch (kind)
            {
                case "DenseAttribute":
                    return (Get("Inputs"), Get("Units"), 2.0 * Get("Inputs") * Get("Units"));
                case "SeparableConvAttribute":
                    int pixels = Get("OutputHeight") * Get("OutputWidth"), expanded = Get("InChannels") * Get("DepthMultiplier");
                    return (Get("InputHeight") * Get("InputWidth") * Get("InChannels"), pixels * Get("OutChannels"),
                        2.0 * pixels * expanded * (Get("KernelHeight") * Get("KernelWidth") + Get("OutChannels")));
                case "Conv2DAttribute":
                    return (Get("InputLength"), Get("OutputLength"), 2.0 * Get("OutputLength") * Get("KernelHeight") * Get("KernelWidth") * Get("InChannels"));
                case "DepthwiseConv2DAttribute":
                    return (Get("InputLength"), Get("OutputLength"), 2.0 * Get("OutputLength") * Get("KernelHeight") * Get("KernelWidth"));
                default:
                    return (Get("InputLength"), Get("OutputLength"), 0);
            }
        }

        /// <summary>The median of ten rounds of calls, after a round of warm-up, in ms per call.</summary>
        private static double Time(Action call, double seconds)
        {
            var rounds = new double[11];
            for (int round = 0; round < rounds.Length; round++)
            {
                int calls = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds / rounds.Length)
                {
                    call();
                    calls++;
                }

                rounds[round] = clock.Elapsed.TotalMilliseconds / calls;
            }

            return rounds.Skip(1).OrderBy(v => v).ElementAt(5);
        }
    }
}

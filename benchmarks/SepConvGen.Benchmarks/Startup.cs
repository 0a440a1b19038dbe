using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using SepConvGen.Ort;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// How fast a layer is from its first call (docs/benchmarks.md): each measurement runs in a fresh process of this
    /// program, which times call 1, calls 2-50 and 51-100, then the steady state after a second of calls. Printed per
    /// shape: the first call, calls 2-50 against steady, and what the first 100 calls cost in steady calls, for the
    /// generated layer (fixed size) and ONNX Runtime (1 thread, all graph optimizations).
    /// </summary>
    public static class Startup
    {
        private const int Calls = 100;

        public static void Run(string[] args)
        {
            string[] only = args.SkipWhile(a => a != "--shapes").Skip(1).FirstOrDefault()?.Split(',') ?? Shape.All.Select(s => s.Name).ToArray();
            int repeats = args.SkipWhile(a => a != "--repeats").Skip(1).Select(int.Parse).FirstOrDefault(3);
            Console.WriteLine($"Fresh processes, {repeats} each (medians); environment: DOTNET_TieredCompilation={Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "default"}, " +
                              $"DOTNET_TieredPGO={Environment.GetEnvironmentVariable("DOTNET_TieredPGO") ?? "default"}");
            Console.WriteLine();
            Console.WriteLine("| shape | layout | runtime | first call ms | calls 2-50 / steady | first 100 calls in steady calls | steady ms |");
            Console.WriteLine("|---|---|---|---:|---:|---:|---:|");
            foreach (Shape shape in Shape.All.Where(s => only.Contains(s.Name)))
            {
                foreach (bool channelsFirst in new[] { false, true })
                {
                    foreach (string runtime in new[] { "generated", "ort" })
                    {
                        var runs = Enumerable.Range(0, repeats).Select(_ => Child(shape.Name, channelsFirst, runtime)).ToArray();
                        double Median(Func<double[], double> f) => runs.Select(f).OrderBy(v => v).ElementAt(runs.Length / 2);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {shape.Name} | {(channelsFirst ? "NCHW" : "NHWC")} | {runtime} | {Median(r => r[0]):F2} | {Median(r => r[1] / r[3]):F2} | " +
                            $"{Median(r => r[2] / r[3]):F0} | {Median(r => r[3]):F4} |"));
                    }
                }
            }

            // Whole models, from the Keras file: loading it (reading and packing the weights, or building the ORT
            // session) and then the same figures for Predict.
            Console.WriteLine();
            Console.WriteLine("| model | runtime | load ms | first call ms | calls 2-50 / steady | first 100 calls in steady calls | steady ms |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (string model in CompareModels.Names)
            {
                foreach (string runtime in new[] { "generated", "ort" })
                {
                    var runs = Enumerable.Range(0, repeats).Select(_ => Child(model.Replace(' ', '_'), false, runtime)).ToArray();
                    double Median(Func<double[], double> f) => runs.Select(f).OrderBy(v => v).ElementAt(runs.Length / 2);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {model} | {runtime} | {Median(r => r[4]):F1} | {Median(r => r[0]):F2} | {Median(r => r[1] / r[3]):F2} | " +
                        $"{Median(r => r[2] / r[3]):F0} | {Median(r => r[3]):F4} |"));
                }
            }
        }

        /// <summary>Runs one measurement in a fresh process: first call, mean of calls 2-50, total of calls 1-100, steady, load (ms).</summary>
        private static double[] Child(string shape, bool channelsFirst, string runtime)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!, $"startup-child {shape} {(channelsFirst ? "nchw" : "nhwc")} {runtime}")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string line = output.Split('\n').Last(l => l.StartsWith("result ", StringComparison.Ordinal));
            return line.Substring(7).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }

        /// <summary>The child: one layer, created and called as an application would, timed from its first call.</summary>
        public static void RunChild(string[] args)
        {
            if (Shape.All.All(s => s.Name != args[0]))
            {
                long loading = Stopwatch.GetTimestamp();
                (Action predict, IDisposable? session) = CompareModels.Load(args[0].Replace('_', ' '), ort: args[2] == "ort");
                Measure(predict, Stopwatch.GetElapsedTime(loading).TotalMilliseconds);
                session?.Dispose();
                return;
            }

            Shape shape = Shape.All.Single(s => s.Name == args[0]);
            bool channelsFirst = args[1] == "nchw";
            LayerConfig c = shape.Config with { ChannelsFirst = channelsFirst };
            (float[] dw, float[] pw, float[]? bias, float[] input, int outH, int outW) = shape.Data(c);
            float[] output = new float[c.OutChannels * outH * outW];
            OrtSeparableConv? ort = args[2] == "ort"
                ? new OrtSeparableConv(c with { ChannelsFirst = true }, 1, shape.Height, shape.Width, dw, pw, bias, input, output, 1)
                : null;
            Action call = ort is null ? Bind(shape.Layer(channelsFirst, fixedSize: true, dw, pw, bias), input, output) : ort.Run;
            Measure(call, 0);
            ort?.Dispose();
        }

        /// <summary>Times calls 1-100 and the steady state, and prints them with the load time.</summary>
        private static void Measure(Action call, double loadMs)
        {
            var times = new double[Calls];
            for (int i = 0; i < Calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                call();
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            // Steady: after a second of calls, the median of 200.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 1)
            {
                call();
            }

            var steady = new double[200];
            for (int i = 0; i < steady.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                call();
                steady[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            double median = steady.OrderBy(v => v).ElementAt(steady.Length / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result {times[0]} {times.Skip(1).Take(49).Average()} {times.Sum()} {median} {loadMs}"));
        }

        private static Action Bind(Action<float[], float[]> layer, float[] input, float[] output) => () => layer(input, output);
    }
}

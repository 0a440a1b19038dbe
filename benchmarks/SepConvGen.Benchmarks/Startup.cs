using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using SepConvGen.Ort;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// How fast the layers and models are from their first call (docs/benchmarks.md): each measurement runs in a fresh
    /// process, which times call 1, calls 2-50 and the first 100, then the steady state after a second of calls.
    /// SepConvGen runs in the start-up program (benchmarks/SepConvGen.Startup), published as a user's app would be: JIT,
    /// ReadyToRun naming this machine's instruction set, NativeAOT; ONNX Runtime (1 thread, all graph optimizations)
    /// runs in this program.
    /// </summary>
    public static class Startup
    {
        public static void Run(string[] args)
        {
            string[] only = args.SkipWhile(a => a != "--shapes").Skip(1).FirstOrDefault()?.Split(',') ?? Shape.All.Select(s => s.Name).ToArray();
            string[] builds = args.SkipWhile(a => a != "--builds").Skip(1).FirstOrDefault()?.Split(',') ?? new[] { "jit", "r2r", "aot" };
            int repeats = args.SkipWhile(a => a != "--repeats").Skip(1).Select(int.Parse).FirstOrDefault(3);
            var programs = builds.ToDictionary(build => build, Publish);
            Console.WriteLine($"Fresh processes, {repeats} each (medians); builds of the start-up program: {string.Join(", ", builds.Select(Describe))}");
            Console.WriteLine();
            Console.WriteLine("| shape | layout | runtime | first call ms | calls 2-50 / steady | first 100 calls in steady calls | steady ms |");
            Console.WriteLine("|---|---|---|---:|---:|---:|---:|");
            foreach (Shape shape in Shape.All.Where(s => only.Contains(s.Name)))
            {
                foreach (string layout in new[] { "nhwc", "nchw" })
                {
                    foreach (string build in builds)
                    {
                        Row($"| {shape.Name} | {layout.ToUpperInvariant()} | SepConvGen {Describe(build)} |", repeats, () => Child(programs[build], shape.Name, layout), load: false);
                    }

                    Row($"| {shape.Name} | {layout.ToUpperInvariant()} | ONNX Runtime |", repeats, () => Child(Environment.ProcessPath!, "startup-child", shape.Name, layout), load: false);
                }
            }

            // Whole models, from the Keras file: loading it (reading and packing the weights, or building the ORT
            // session) and then the same figures for Predict.
            Console.WriteLine();
            Console.WriteLine("| model | runtime | load ms | first call ms | calls 2-50 / steady | first 100 calls in steady calls | steady ms |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (string model in CompareModels.Names)
            {
                string key = model.StartsWith("EEGNet", StringComparison.Ordinal) ? "eegnet" : "mini-xception";
                foreach (string build in builds)
                {
                    Row($"| {model} | SepConvGen {Describe(build)} |", repeats, () => Child(programs[build], key, CompareModels.KerasFile(model)), load: true);
                }

                Row($"| {model} | ONNX Runtime |", repeats, () => Child(Environment.ProcessPath!, "startup-child", model.Replace(' ', '_')), load: true);
            }
        }

        /// <summary>The ORT side of a measurement, in a fresh process of this program: a benchmark layer or a model.</summary>
        public static void RunChild(string[] args)
        {
            if (Shape.All.All(s => s.Name != args[0]))
            {
                long loading = Stopwatch.GetTimestamp();
                (Action predict, IDisposable? session) = CompareModels.Load(args[0].Replace('_', ' '), ort: true);
                FirstCalls.Measure(predict, Stopwatch.GetElapsedTime(loading).TotalMilliseconds);
                session?.Dispose();
                return;
            }

            Shape shape = Shape.All.Single(s => s.Name == args[0]);
            LayerConfig c = shape.Config with { ChannelsFirst = true };
            (float[] dw, float[] pw, float[]? bias, float[] input, int outH, int outW) = shape.Data(c);
            float[] output = new float[c.OutChannels * outH * outW];
            using var ort = new OrtSeparableConv(c, 1, shape.Height, shape.Width, dw, pw, bias, input, output, 1);
            FirstCalls.Measure(ort.Run, 0);
        }

        private static string Describe(string build) => build switch
        {
            "jit" => "JIT",
            "r2r" => $"ReadyToRun ({InstructionSet})",
            "aot" => "NativeAOT (native)",
            _ => throw new ArgumentException($"unknown build '{build}' (jit, r2r, aot)"),
        };

        /// <summary>The instruction set ReadyToRun is told: this machine's level, as a user names the machines shipped to.</summary>
        private static string InstructionSet => System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "x86-64-v4" : "x86-64-v3";

        /// <summary>Publishes the start-up program as <paramref name="build"/> and returns its executable.</summary>
        private static string Publish(string build)
        {
            string output = Path.Combine(Path.GetTempPath(), "sepconvgen-startup", build);
            var arguments = new List<string>
            {
                "publish", RepositoryPaths.Combine("benchmarks", "SepConvGen.Startup", "SepConvGen.Startup.csproj"),
                "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", output,
            };
            arguments.AddRange(build switch
            {
                "jit" => new[] { "-p:PublishReadyToRun=false" },
                "r2r" => new[] { "-p:PublishReadyToRun=true", $"-p:PublishReadyToRunCrossgen2ExtraArgs=--instruction-set:{InstructionSet}" },
                _ => new[] { "-p:Aot=true" },
            });
            Console.Error.WriteLine($"Publishing the start-up program ({Describe(build)})...");
            Run("dotnet", arguments);
            return Path.Combine(output, "SepConvGen.Startup");
        }

        /// <summary>Prints one row: the medians of <paramref name="repeats"/> fresh processes.</summary>
        private static void Row(string label, int repeats, Func<double[]> child, bool load)
        {
            double[][] runs = Enumerable.Range(0, repeats).Select(_ => child()).ToArray();
            double Median(Func<double[], double> f) => runs.Select(f).OrderBy(v => v).ElementAt(runs.Length / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}{(load ? $" {Median(r => r[4]):F1} |" : string.Empty)} {Median(r => r[0]):F2} | {Median(r => r[1] / r[3]):F2} | {Median(r => r[2] / r[3]):F0} | {Median(r => r[3]):F4} |"));
        }

        /// <summary>Runs one measurement in a fresh process: first call, mean of calls 2-50, total of calls 1-100, steady, load (ms).</summary>
        private static double[] Child(string program, params string[] arguments)
        {
            string output = Run(program, arguments);
            string line = output.Split('\n').Last(l => l.StartsWith("result ", StringComparison.Ordinal));
            return line.Substring(7).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }

        private static string Run(string program, IEnumerable<string> arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            System.Threading.Tasks.Task<string> errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}\n{errors.Result}");
            }

            return output;
        }
    }
}

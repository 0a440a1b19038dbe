using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using SepConvGen.Ort;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// The comparison of docs/benchmarks.md: ONNX Runtime and the generated layers called alternately in one
    /// process (A, B, A, B, ...), the median of the per-pair time ratios per shape, after checking that both
    /// compute the same output. Interleaving cancels this machine's slow and fast phases.
    /// </summary>
    public static class Compare
    {
        public static void Run(string[] args)
        {
            int threads = Option(args, "--threads", 1);
            double seconds = Option(args, "--seconds", 1.0);
            string[] only = args.SkipWhile(a => a != "--shapes").Skip(1).FirstOrDefault()?.Split(',') ?? Shape.All.Select(s => s.Name).ToArray();
            double peak = FmaPeak.MeasureGflops();
            Console.WriteLine($"Single-core FP32 FMA peak (Vector{FmaPeak.Bits}, 12 chains): {peak:F1} GFLOP/s; threads (ONNX Runtime and ForwardParallel): {threads}");
            Console.WriteLine();
            Console.WriteLine("| shape | layout | ORT ms | generated (fixed) ms | ORT / fixed | generated (run-time) ms | ORT / run-time | GFLOP/s (fixed) | % of 1-core peak |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            var ratios = new List<(string Shape, bool ChannelsFirst, double Ratio)>();
            foreach (Shape shape in Shape.All.Where(s => only.Contains(s.Name)))
            {
                foreach (bool channelsFirst in new[] { false, true })
                {
                    ratios.Add((shape.Name, channelsFirst, Row(shape, channelsFirst, threads, seconds, peak)));
                }
            }

            int chartAt = Array.IndexOf(args, "--chart");
            if (chartAt >= 0 && chartAt + 1 < args.Length)
            {
                Chart(ratios, args[chartAt + 1], threads);
            }
        }

        /// <summary>ORT time / generated time per shape, NHWC and NCHW side by side, with the parity line.</summary>
        private static void Chart(List<(string Shape, bool ChannelsFirst, double Ratio)> ratios, string path, int threads)
        {
            var plot = new ScottPlot.Plot();
            string[] shapes = ratios.Select(r => r.Shape).Distinct().ToArray();
            foreach ((bool channelsFirst, int series) in new[] { (false, 0), (true, 1) })
            {
                var bars = shapes.Select((shape, i) => new ScottPlot.Bar
                {
                    Position = (i * 3) + series,
                    Value = ratios.First(r => r.Shape == shape && r.ChannelsFirst == channelsFirst).Ratio,
                    FillColor = series == 0 ? ScottPlot.Colors.SteelBlue : ScottPlot.Colors.Orange,
                }).ToArray();
                plot.Add.Bars(bars).LegendText = channelsFirst ? "NCHW" : "NHWC";
            }

            plot.Add.HorizontalLine(1, 2, ScottPlot.Colors.Black, ScottPlot.LinePattern.Dashed).LegendText = "as fast as ONNX Runtime";
            plot.Axes.Bottom.SetTicks(shapes.Select((_, i) => (i * 3) + 0.5).ToArray(), shapes);
            plot.Axes.Left.Label.Text = "ONNX Runtime time / generated time (higher is faster)";
            plot.Title($"SepConvGen vs ONNX Runtime 1.31.1, batch 1, {threads} thread{(threads == 1 ? string.Empty : "s")}, fixed-size layers");
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
            plot.SavePng(path, 900, 500);
            Console.WriteLine($"Chart: {path}");
        }

        private static double Row(Shape shape, bool channelsFirst, int threads, double seconds, double peak)
        {
            LayerConfig c = shape.Config with { ChannelsFirst = channelsFirst };
            (float[] dw, float[] pw, float[]? bias, float[] inputNchw, int outH, int outW) = shape.Data(c);
            float[] ortOutput = new float[c.OutChannels * outH * outW];
            using var ort = new OrtSeparableConv(c with { ChannelsFirst = true }, 1, shape.Height, shape.Width, dw, pw, bias, inputNchw, ortOutput, threads);

            float[] input = channelsFirst ? inputNchw : Layouts.ToNhwc(inputNchw, c.InChannels, shape.Height, shape.Width);
            float[] fixedOutput = new float[ortOutput.Length], runTimeOutput = new float[ortOutput.Length];
            Action<float[], float[]> fixedLayer = shape.Layer(channelsFirst, fixedSize: true, dw, pw, bias, threads);
            Action<float[], float[]> runTimeLayer = shape.Layer(channelsFirst, fixedSize: false, dw, pw, bias, threads);

            // Same results first: the generated layers against ORT.
            ort.Run();
            fixedLayer(input, fixedOutput);
            runTimeLayer(input, runTimeOutput);
            float[] expected = channelsFirst ? ortOutput : Layouts.ToNhwc(ortOutput, c.OutChannels, outH, outW);
            double worst = Math.Max(MaxRelative(fixedOutput, expected), MaxRelative(runTimeOutput, expected));
            if (worst > 1e-3)
            {
                throw new InvalidOperationException($"{shape} {(channelsFirst ? "NCHW" : "NHWC")}: generated and ORT outputs differ (max relative {worst:E2})");
            }

            // With several threads ORT's idle pool threads spin on the other cores after each run, which would slow
            // whatever runs next: there each side is timed on its own, one after the other, instead of alternately.
            bool interleave = threads == 1;
            (double ortMs, double fixedMs, double fixedRatio) = Interleave(ort.Run, () => fixedLayer(input, fixedOutput), seconds, interleave);
            (double ortMs2, double runTimeMs, double runTimeRatio) = Interleave(ort.Run, () => runTimeLayer(input, runTimeOutput), seconds, interleave);
            double gflops = shape.Flops / (fixedMs * 1e-3) / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape.Name} {shape.Description} | {(channelsFirst ? "NCHW" : "NHWC")} | {(ortMs + ortMs2) / 2:F4} | {fixedMs:F4} | {fixedRatio:F2} | {runTimeMs:F4} | {runTimeRatio:F2} | {gflops:F1} | {gflops / peak * 100:F0} % |"));
            return fixedRatio;
        }

        /// <summary>
        /// Alternates A and B (or, not <paramref name="interleave"/>d, times all of A and then all of B); returns both
        /// medians and the median of the per-pair ratios A / B (or the ratio of the medians).
        /// </summary>
        public static (double AMs, double BMs, double Ratio) Interleave(Action a, Action b, double seconds, bool interleave = true)
        {
            if (!interleave)
            {
                double aMs = Median(TimeAlone(a, seconds)), bMs = Median(TimeAlone(b, seconds));
                return (aMs, bMs, aMs / bMs);
            }

            // Warm up long enough for tiered compilation to finish (methods with loops start unoptimized).
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 300)
            {
                a();
                b();
            }

            var aTimes = new List<double>();
            var bTimes = new List<double>();
            var ratios = new List<double>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds || ratios.Count < 21)
            {
                long t0 = Stopwatch.GetTimestamp();
                a();
                long t1 = Stopwatch.GetTimestamp();
                b();
                long t2 = Stopwatch.GetTimestamp();
                double ta = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, tb = Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                aTimes.Add(ta);
                bTimes.Add(tb);
                ratios.Add(ta / tb);
            }

            return (Median(aTimes), Median(bTimes), Median(ratios));
        }

        private static List<double> TimeAlone(Action action, double seconds)
        {
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 300)
            {
                action();
            }

            var times = new List<double>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds || times.Count < 21)
            {
                long start = Stopwatch.GetTimestamp();
                action();
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            return times;
        }

        private static double Median(List<double> values)
        {
            values.Sort();
            return values[values.Count / 2];
        }

        private static double MaxRelative(float[] actual, float[] expected)
        {
            double scale = expected.Max(v => Math.Abs(v)) + 1e-6;
            return actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) / scale;
        }

        private static T Option<T>(string[] args, string name, T fallback)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? (T)Convert.ChangeType(args[at + 1], typeof(T), CultureInfo.InvariantCulture) : fallback;
        }
    }

    /// <summary>NCHW to NHWC for one image.</summary>
    public static class Layouts
    {
        public static float[] ToNhwc(float[] nchw, int channels, int height, int width)
        {
            var nhwc = new float[nchw.Length];
            for (int ch = 0; ch < channels; ch++)
            {
                for (int i = 0; i < height * width; i++)
                {
                    nhwc[(i * channels) + ch] = nchw[(ch * height * width) + i];
                }
            }

            return nhwc;
        }
    }
}

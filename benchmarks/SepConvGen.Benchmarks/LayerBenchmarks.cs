using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using SepConvGen.Ort;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// Per shape and layout: ONNX Runtime (one thread, pre-allocated OrtValues), the generated layer with a fixed
    /// and with a run-time input size, and a naive C# loop. Results are checked equal before anything is timed.
    /// </summary>
    [MemoryDiagnoser]
    public class LayerBenchmarks
    {
        private OrtSeparableConv _ort = null!;
        private Action<float[], float[]> _fixed = null!;
        private Action<float[], float[]> _runTime = null!;
        private float[] _input = null!, _output = null!, _ortInput = null!, _ortOutput = null!;
        private float[] _depthwise = null!, _pointwise = null!;
        private float[]? _bias;
        private LayerConfig _config = null!;
        private Shape _shape = null!;

        public static IEnumerable<string> Shapes => Shape.All.Select(s => s.Name);

        [ParamsSource(nameof(Shapes))]
        public string ShapeName { get; set; } = "S0";

        [Params("NHWC", "NCHW")]
        public string Layout { get; set; } = "NHWC";

        [GlobalSetup]
        public void Setup()
        {
            _shape = Shape.All.Single(s => s.Name == ShapeName);
            bool channelsFirst = Layout == "NCHW";
            _config = _shape.Config with { ChannelsFirst = channelsFirst };
            var random = new Random(1);
            float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            _depthwise = Values(_config.DepthwiseKernelLength);
            _pointwise = Values(_config.PointwiseKernelLength);
            _bias = _config.UseBias ? Values(_config.OutChannels) : null;
            (int outH, int outW) = NaiveSeparableConv.OutputSize(_config, _shape.Height, _shape.Width);
            _ortInput = Values(_config.InChannels * _shape.Height * _shape.Width);
            _ortOutput = new float[_config.OutChannels * outH * outW];
            _ort = new OrtSeparableConv(_config with { ChannelsFirst = true }, 1, _shape.Height, _shape.Width, _depthwise, _pointwise, _bias, _ortInput, _ortOutput);
            _input = channelsFirst ? _ortInput : Layouts.ToNhwc(_ortInput, _config.InChannels, _shape.Height, _shape.Width);
            _output = new float[_ortOutput.Length];
            _fixed = _shape.Layer(channelsFirst, fixedSize: true, _depthwise, _pointwise, _bias);
            _runTime = _shape.Layer(channelsFirst, fixedSize: false, _depthwise, _pointwise, _bias);

            // Same results before timing.
            _ort.Run();
            float[] expected = channelsFirst ? _ortOutput : Layouts.ToNhwc(_ortOutput, _config.OutChannels, outH, outW);
            foreach (Action<float[], float[]> layer in new[] { _fixed, _runTime })
            {
                layer(_input, _output);
                double scale = expected.Max(Math.Abs) + 1e-6;
                double worst = _output.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) / scale;
                if (worst > 1e-3)
                {
                    throw new InvalidOperationException($"{ShapeName} {Layout}: the generated layer and ONNX Runtime differ ({worst:E2}).");
                }
            }
        }

        [GlobalCleanup]
        public void Cleanup() => _ort.Dispose();

        [Benchmark(Baseline = true, Description = "ONNX Runtime (1 thread)")]
        public void OnnxRuntime() => _ort.Run();

        [Benchmark(Description = "generated, fixed size")]
        public void GeneratedFixed() => _fixed(_input, _output);

        [Benchmark(Description = "generated, run-time size")]
        public void GeneratedRunTime() => _runTime(_input, _output);

        [Benchmark(Description = "naive C# loop")]
        public double NaiveLoop() =>
            NaiveSeparableConv.Run(_config, _input, 1, _shape.Height, _shape.Width, _depthwise, _pointwise, _bias).Output[0];
    }
}

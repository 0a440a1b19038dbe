using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Ort
{
    /// <summary>Random layers per run (NCHW; SAME and VALID, strides, dilation, multipliers, bias), compiled through the generator, against ONNX Runtime.</summary>
    public sealed class RandomNchwLayers
    {
        public const int Count = 120;

        public RandomNchwLayers()
        {
            Seed = RandomLayers.RunSeed();
            var random = new Random(Seed);
            Cases = Enumerable.Range(0, Count).Select(i =>
            {
                RandomCase c = RandomLayers.Next(random, $"Ort{i}");
                return c with { Config = c.Config with { ChannelsFirst = true } };
            }).ToArray();
            Factories = LayerCompiler.Compile(Cases.Select(c => (c.Name, c.Config)).ToArray());
        }

        public int Seed { get; }

        public IReadOnlyList<RandomCase> Cases { get; }

        public IReadOnlyDictionary<string, Func<ITestLayer>> Factories { get; }
    }

    public sealed class OrtOracleTests : IClassFixture<RandomNchwLayers>
    {
        private readonly RandomNchwLayers _set;

        public OrtOracleTests(RandomNchwLayers set) => _set = set;

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, RandomNchwLayers.Count).Select(i => new object[] { i });

        [Theory]
        [MemberData(nameof(Indices))]
        public void Generated_layer_matches_onnx_runtime(int index)
        {
            RandomCase c = _set.Cases[index];
            ITestLayer layer = _set.Factories[c.Name]();
            layer.LoadKerasWeights(c.DepthwiseKernel, c.PointwiseKernel, c.Bias);
            (int outH, int outW) = layer.GetOutputSize(c.InputHeight, c.InputWidth);
            float[] ours = TensorAssert.NaNFilled(c.Batch * c.Config.OutChannels * outH * outW);
            layer.Forward(c.Input, ours, c.Batch, c.InputHeight, c.InputWidth);

            float[] theirs = new float[ours.Length];
            using (var ort = new OrtSeparableConv(c.Config, c.Batch, c.InputHeight, c.InputWidth, c.DepthwiseKernel, c.PointwiseKernel, c.Bias, c.Input, theirs))
            {
                ort.Run();
            }

            // Both are float32 with their own summation orders: compare within the float32 tolerance of the reference magnitude.
            double[] magnitude = NaiveSeparableConv.Run(c.Config, c.Input, c.Batch, c.InputHeight, c.InputWidth, c.DepthwiseKernel, c.PointwiseKernel, c.Bias).Magnitude;
            TensorAssert.Matches(c.Config, c.Batch, outH, outW, ours, theirs.Select(v => (double)v).ToArray(), magnitude, exact: false,
                $"{c} against ONNX Runtime [replay: SEPCONVGEN_SEED={_set.Seed}]", absoluteTolerance: 1e-5);
        }
    }
}

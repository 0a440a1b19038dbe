using System.Collections.Generic;
using System.Linq;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Numerics.Tests
{
    /// <summary>
    /// Every case of shared/golden/separable_conv2d.json (exact cases bit for bit, the others within 1e-5 of the
    /// sum of absolute products) and the 7 outputs Keras itself computed (keras-js), through both weight
    /// loaders and both Forward overloads.
    /// </summary>
    public sealed class GoldenTests : IClassFixture<GoldenLayers>
    {
        private readonly GoldenLayers _layers;

        public GoldenTests(GoldenLayers layers) => _layers = layers;

        public static IEnumerable<object[]> Cases() => GoldenCases.SeparableConv2D().Select(c => new object[] { c.Name });

        public static IEnumerable<object[]> KerasCases() => GoldenCases.KerasJs().Select(c => new object[] { c.Name });

        public enum Loader
        {
            Keras,
            PyTorch,
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Run_time_sized_layer_matches_golden_output_with_keras_weights(string name) =>
            Check(Find(name), Loader.Keras, fixedSize: false);

        [Theory]
        [MemberData(nameof(Cases))]
        public void Run_time_sized_layer_matches_golden_output_with_pytorch_weights(string name) =>
            Check(Find(name), Loader.PyTorch, fixedSize: false);

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fixed_size_layer_matches_golden_output_with_keras_weights(string name) =>
            Check(Find(name), Loader.Keras, fixedSize: true);

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fixed_size_layer_matches_golden_output_with_pytorch_weights(string name) =>
            Check(Find(name), Loader.PyTorch, fixedSize: true);

        [Theory]
        [MemberData(nameof(KerasCases))]
        public void Layer_matches_output_computed_by_keras(string name)
        {
            GoldenCase c = GoldenCases.KerasJs().Single(k => k.Name == name);
            foreach (bool fixedSize in new[] { false, true })
            {
                // keras-js stores 6 decimals: an absolute tolerance of 1e-5 covers the rounding.
                Check(c, Loader.Keras, fixedSize, absoluteTolerance: 1e-5);
            }
        }

        [Fact]
        public void Golden_file_holds_the_documented_80_cases() =>
            Assert.Equal(80, GoldenCases.SeparableConv2D().Count);

        private static GoldenCase Find(string name) => GoldenCases.SeparableConv2D().Single(c => c.Name == name);

        private void Check(GoldenCase c, Loader loader, bool fixedSize, double absoluteTolerance = 1e-6)
        {
            ITestLayer layer = fixedSize ? _layers.Fixed(c) : _layers.Dynamic(c);
            if (loader == Loader.Keras)
            {
                layer.LoadKerasWeights(c.DepthwiseKernel, c.PointwiseKernel, c.Bias);
            }
            else
            {
                layer.LoadPyTorchWeights(c.TorchDepthwise, c.TorchPointwise, c.Bias);
            }

            (int outH, int outW) = layer.GetOutputSize(c.InputHeight, c.InputWidth);
            float[] output = TensorAssert.NaNFilled(c.Output.Length);
            if (fixedSize)
            {
                layer.ForwardFixed(c.Input, output, c.Batch);
            }
            else
            {
                layer.Forward(c.Input, output, c.Batch, c.InputHeight, c.InputWidth);
            }

            // The oracle's magnitudes scale the tolerance; the naive reference computes them from the same data.
            double[] magnitude = NaiveSeparableConv.Run(c.Config, c.Input, c.Batch, c.InputHeight, c.InputWidth,
                c.DepthwiseKernel, c.PointwiseKernel, c.Bias).Magnitude;
            TensorAssert.Matches(c.Config, c.Batch, outH, outW, output, c.Output, magnitude, c.Exact,
                $"{c.Name} {c.Config} ({(fixedSize ? "fixed size" : "run-time size")}, {loader} weights)", absoluteTolerance);
        }
    }
}

using System;
using System.Linq;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Numerics.Tests
{
    /// <summary>Bad arguments at run time get the exceptions of API.md, with clear messages, and corrupt nothing.</summary>
    public sealed class BadInputTests : IClassFixture<BadInputTests.Layers>
    {
        private static readonly LayerConfig Same3x3 = new(2, 3, 3, 3, Same: true);
        private static readonly LayerConfig Valid3x3 = new(2, 3, 3, 3, Same: false, DilationHeight: 2);
        private static readonly LayerConfig Fixed = new(2, 3, 3, 3, Same: true, InputHeight: 5, InputWidth: 6);
        private static readonly LayerConfig NoBias = new(2, 3, 1, 16, Same: true, UseBias: false);

        private readonly Layers _layers;

        public BadInputTests(Layers layers) => _layers = layers;

        public sealed class Layers
        {
            private readonly System.Collections.Generic.IReadOnlyDictionary<string, Func<ITestLayer>> _factories =
                LayerCompiler.Compile(new[] { ("Same3x3", Same3x3), ("Valid3x3", Valid3x3), ("Fixed", Fixed), ("NoBias", NoBias) });

            public ITestLayer Create(string name, bool loaded = true)
            {
                ITestLayer layer = _factories[name]();
                if (loaded)
                {
                    LayerConfig c = layer.Config;
                    layer.LoadKerasWeights(Ramp(c.DepthwiseKernelLength), Ramp(c.PointwiseKernelLength), c.UseBias ? Ramp(c.OutChannels) : null);
                }

                return layer;
            }
        }

        private static float[] Ramp(int length) => Enumerable.Range(0, length).Select(i => (i % 7) / 8f - 0.25f).ToArray();

        [Fact]
        public void Wrong_input_length_names_parameter_and_both_lengths()
        {
            ITestLayer layer = _layers.Create("Same3x3");
            float[] output = TensorAssert.NaNFilled(1 * 4 * 5 * 3);
            var error = Assert.Throws<ArgumentException>(() => layer.Forward(new float[39], output, 1, 4, 5));
            Assert.Equal("input", error.ParamName);
            Assert.Contains("40", error.Message);
            Assert.Contains("39", error.Message);
            Assert.All(output, v => Assert.True(float.IsNaN(v)));
        }

        [Fact]
        public void Wrong_output_length_names_parameter_and_both_lengths()
        {
            ITestLayer layer = _layers.Create("Same3x3");
            var error = Assert.Throws<ArgumentException>(() => layer.Forward(new float[40], new float[61], 1, 4, 5));
            Assert.Equal("output", error.ParamName);
            Assert.Contains("60", error.Message);
            Assert.Contains("61", error.Message);
        }

        [Theory]
        [InlineData(0, 4, 5, "batch")]
        [InlineData(1, 0, 5, "inputHeight")]
        [InlineData(1, 4, -3, "inputWidth")]
        public void Sizes_below_one_are_out_of_range(int batch, int height, int width, string parameter)
        {
            ITestLayer layer = _layers.Create("Same3x3");
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(new float[40], new float[60], batch, height, width));
            Assert.Equal(parameter, error.ParamName);
        }

        [Fact]
        public void Sizes_whose_length_overflows_int_are_out_of_range()
        {
            ITestLayer layer = _layers.Create("Same3x3");
            Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(new float[40], new float[60], 100_000, 4096, 4096));
        }

        [Fact]
        public void Valid_input_smaller_than_the_dilated_kernel_is_rejected()
        {
            ITestLayer layer = _layers.Create("Valid3x3");
            // Dilation 2 on the height: the kernel spans 5 rows, so 4 rows give an empty output.
            var error = Assert.Throws<ArgumentException>(() => layer.Forward(new float[2 * 4 * 5], new float[0], 1, 4, 5));
            Assert.Equal("inputHeight", error.ParamName);
            Assert.Contains("5", error.Message);
            Assert.Throws<ArgumentException>(() => layer.GetOutputSize(4, 5));
            Assert.Equal((1, 3), layer.GetOutputSize(5, 5));
        }

        [Fact]
        public void Fixed_size_layer_rejects_another_size()
        {
            ITestLayer layer = _layers.Create("Fixed");
            var error = Assert.Throws<ArgumentException>(() => layer.Forward(new float[2 * 5 * 7], new float[3 * 5 * 7], 1, 5, 7));
            Assert.Contains("5 x 6", error.Message);
            Assert.Contains("5 x 7", error.Message);
        }

        [Fact]
        public void Fixed_size_layer_accepts_its_own_size_through_both_overloads()
        {
            ITestLayer layer = _layers.Create("Fixed");
            float[] input = Ramp(2 * 5 * 6);
            float[] first = new float[3 * 5 * 6], second = new float[3 * 5 * 6];
            layer.Forward(input, first, 1, 5, 6);
            layer.ForwardFixed(input, second, 1);
            Assert.Equal(first, second);
        }

        [Fact]
        public void Forward_before_weights_is_invalid()
        {
            ITestLayer layer = _layers.Create("Same3x3", loaded: false);
            var error = Assert.Throws<InvalidOperationException>(() => layer.Forward(new float[40], new float[60], 1, 4, 5));
            Assert.Contains("LoadKerasWeights", error.Message);
        }

        [Fact]
        public void Wrong_weight_length_is_rejected_and_leaves_loaded_weights_intact()
        {
            ITestLayer layer = _layers.Create("Same3x3");
            float[] input = Ramp(40);
            float[] before = new float[60];
            layer.Forward(input, before, 1, 4, 5);

            LayerConfig c = Same3x3;
            float[] garbage(int n) => Enumerable.Repeat(1e6f, n).ToArray();
            var error = Assert.Throws<ArgumentException>(() =>
                layer.LoadKerasWeights(garbage(c.DepthwiseKernelLength), garbage(c.PointwiseKernelLength), garbage(c.OutChannels + 1)));
            Assert.Equal("bias", error.ParamName);
            error = Assert.Throws<ArgumentException>(() =>
                layer.LoadPyTorchWeights(garbage(c.DepthwiseKernelLength - 1), garbage(c.PointwiseKernelLength), garbage(c.OutChannels)));
            Assert.Equal("depthwiseWeight", error.ParamName);
            Assert.Contains("(in * dm, 1, kh, kw) = (2, 1, 3, 3)", error.Message);
            error = Assert.Throws<ArgumentException>(() =>
                layer.LoadKerasWeights(garbage(c.DepthwiseKernelLength), garbage(1), garbage(c.OutChannels)));
            Assert.Equal("pointwiseKernel", error.ParamName);

            float[] after = new float[60];
            layer.Forward(input, after, 1, 4, 5);
            Assert.Equal(before, after);
        }

        [Fact]
        public void Layer_without_bias_takes_no_bias()
        {
            ITestLayer layer = _layers.Create("NoBias");
            float[] output = TensorAssert.NaNFilled(3 * 1 * 20);
            layer.Forward(Ramp(2 * 20), output, 1, 1, 20);
            Assert.DoesNotContain(output, float.IsNaN);
        }
    }
}

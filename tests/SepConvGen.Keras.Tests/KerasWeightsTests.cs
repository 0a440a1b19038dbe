using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>The 17 SeparableConv2D layers of the three real Keras files: listed, configured, loaded and run.</summary>
    public sealed class KerasWeightsTests : IClassFixture<KerasWeightsTests.Layers>
    {
        private readonly Layers _layers;

        public KerasWeightsTests(Layers layers) => _layers = layers;

        /// <summary>One generated layer per expected layer, with the attribute its expected configuration gives.</summary>
        public sealed class Layers
        {
            private readonly IReadOnlyDictionary<string, Func<ITestLayer>> _factories =
                LayerCompiler.Compile(ExpectedLayers.All.Select((l, i) => ($"Real{i}", l.Config)).ToArray());

            public ITestLayer Create(ExpectedLayer layer) => _factories[$"Real{ExpectedLayers.All.ToList().IndexOf(layer)}"]();

            /// <summary>The layer's generated class with <paramref name="weights"/>, run on its expected input: its expected output.</summary>
            public void RunsToTheExpectedOutput(ExpectedLayer expected, SeparableConvWeights weights, string context)
            {
                LayerConfig c = expected.Config;
                ITestLayer layer = Create(expected);
                layer.LoadKerasWeights(weights.DepthwiseKernel, weights.PointwiseKernel, weights.Bias);
                (int outH, int outW) = layer.GetOutputSize(expected.Height, expected.Width);
                float[] output = TensorAssert.NaNFilled(expected.Output.Length);
                layer.Forward(expected.Input, output, expected.Batch, expected.Height, expected.Width);
                double[] magnitude = NaiveSeparableConv.Run(c, expected.Input, expected.Batch, expected.Height, expected.Width,
                    weights.DepthwiseKernel, weights.PointwiseKernel, weights.Bias).Magnitude;
                TensorAssert.Matches(c, expected.Batch, outH, outW, output, expected.Output, magnitude, exact: false, context);
            }
        }

        public static IEnumerable<object[]> Keys() => ExpectedLayers.All.Select(l => new object[] { l.Key });

        [Fact]
        public void Files_list_their_separable_layers_in_model_order()
        {
            foreach (string file in ExpectedLayers.Files)
            {
                using KerasWeights weights = KerasWeights.Open(Path.Combine(ExpectedLayers.Folder, file));
                string[] expected = ExpectedLayers.All.Where(l => l.File == file).Select(l => l.Layer).ToArray();
                Assert.Equal(expected, weights.SeparableConvLayers.Select(l => l.Name));
            }

            Assert.Equal(17, ExpectedLayers.All.Count);
        }

        [Theory]
        [MemberData(nameof(Keys))]
        public void Layer_configuration_and_weight_paths_match_the_file(string key)
        {
            ExpectedLayer expected = ExpectedLayers.Get(key);
            using KerasWeights file = KerasWeights.Open(expected.FilePath);
            KerasLayerInfo layer = file.GetLayer(expected.Layer);
            LayerConfig c = expected.Config;
            Assert.Equal(expected.WeightPaths, layer.WeightPaths);
            Assert.True(layer.HasConfiguration);
            Assert.Null(layer.Unsupported);
            Assert.Equal((c.InChannels, c.OutChannels, c.KernelHeight, c.KernelWidth, c.DepthMultiplier, c.UseBias),
                (layer.InChannels, layer.Filters, layer.KernelHeight, layer.KernelWidth, layer.DepthMultiplier, layer.UseBias));
            Assert.Equal((c.StrideHeight, c.StrideWidth, c.DilationHeight, c.DilationWidth),
                (layer.StrideHeight, layer.StrideWidth, layer.DilationHeight, layer.DilationWidth));
            Assert.Equal(c.Same ? "same" : "valid", layer.Padding);
            Assert.Equal(c.ChannelsFirst ? "channels_first" : "channels_last", layer.DataFormat);
            Assert.Equal(c.Activation.ToString().ToLowerInvariant(), layer.Activation);
        }

        [Theory]
        [MemberData(nameof(Keys))]
        public void Real_weights_in_a_generated_layer_reproduce_the_expected_output(string key)
        {
            ExpectedLayer expected = ExpectedLayers.Get(key);
            LayerConfig c = expected.Config;
            using KerasWeights file = KerasWeights.Open(expected.FilePath);
            SeparableConvWeights weights = file.ReadWeights(expected.Layer,
                new LayerShape(c.InChannels, c.OutChannels, c.KernelHeight, c.KernelWidth, c.DepthMultiplier, c.UseBias));
            Assert.Equal(new[] { c.KernelHeight, c.KernelWidth, c.InChannels, c.DepthMultiplier }, weights.DepthwiseShape);
            Assert.Equal(new[] { 1, 1, c.DepthwiseChannels, c.OutChannels }, weights.PointwiseShape);

            _layers.RunsToTheExpectedOutput(expected, weights, key);
        }

        [Fact]
        public void A_file_that_is_not_hdf5_is_rejected_naming_the_file()
        {
            string path = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.h5");
            File.WriteAllText(path, "{\"this\": \"is json\"}");
            try
            {
                var error = Assert.Throws<InvalidDataException>(() => KerasWeights.Open(path));
                Assert.Contains(path, error.Message, StringComparison.Ordinal);
                Assert.Contains("neither an HDF5 file (.h5) nor a zip archive (.keras)", error.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void An_archive_with_an_empty_configuration_is_rejected_naming_the_file()
        {
            string path = Path.Combine(Path.GetTempPath(), $"model-{Guid.NewGuid():N}.keras");
            using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
            {
                zip.CreateEntry("config.json");
            }

            try
            {
                var error = Assert.Throws<InvalidDataException>(() => KerasWeights.Open(path));
                Assert.StartsWith($"'{path}' is not a Keras file that can be read:", error.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_missing_file_or_layer_is_named()
        {
            Assert.Throws<FileNotFoundException>(() => KerasWeights.Open(Path.Combine(ExpectedLayers.Folder, "nothing-here.h5")));
            string path = Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[0]);
            using KerasWeights file = KerasWeights.Open(path);
            var error = Assert.Throws<KeyNotFoundException>(() => file.ReadWeights("separable_conv2d_9"));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("separable_conv2d_9", error.Message, StringComparison.Ordinal);
            Assert.Contains("separable_conv2d", error.Message, StringComparison.Ordinal); // what it does have
        }

        [Fact]
        public void Weights_of_another_shape_than_the_layer_class_are_rejected_with_both_shapes()
        {
            string path = Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[1]);
            using KerasWeights file = KerasWeights.Open(path);
            var error = Assert.Throws<InvalidDataException>(() => file.ReadWeights("separable_conv2d_1", new LayerShape(16, 16, 3, 3, 1, UseBias: false)));
            Assert.Contains("separable_conv2d_1", error.Message, StringComparison.Ordinal);
            Assert.Contains("(3, 3, 8, 1)", error.Message, StringComparison.Ordinal);
            Assert.Contains("(3, 3, 16, 1)", error.Message, StringComparison.Ordinal);
            error = Assert.Throws<InvalidDataException>(() => file.ReadWeights("separable_conv2d_1", new LayerShape(8, 16, 3, 3, 1, UseBias: true)));
            Assert.Contains("bias", error.Message, StringComparison.Ordinal);
        }
    }
}

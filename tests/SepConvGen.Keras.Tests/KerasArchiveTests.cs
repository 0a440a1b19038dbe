using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SepConvGen.Keras.Tests.Builders;
using SepConvGen.Testing;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// Keras 3 archives, tf-keras 2.14 archives and Keras 3 weights files, built from the real models with their real
    /// weights: the same layers, configurations and weights as the HDF5 originals, and the expected outputs.
    /// </summary>
    public sealed class KerasArchiveTests : IClassFixture<BuiltFiles>, IClassFixture<KerasWeightsTests.Layers>
    {
        private readonly BuiltFiles _files;
        private readonly KerasWeightsTests.Layers _layers;

        public KerasArchiveTests(BuiltFiles files, KerasWeightsTests.Layers layers)
        {
            _files = files;
            _layers = layers;
        }

        public static IEnumerable<object[]> Archives() => new[]
        {
            new object[] { "renamed", BuiltFiles.MiniXception, "3.10.0" },
            new object[] { "deflated", BuiltFiles.MiniXception, "3.10.0" },
            new object[] { "sequential", BuiltFiles.EegNet, "3.10.0" },
            new object[] { "tf-keras", BuiltFiles.TinyXception, "2.14.0" },
            new object[] { "eegnet-tf-keras", BuiltFiles.EegNet, "2.14.0" },
        };

        [Theory]
        [MemberData(nameof(Archives))]
        public void Archives_give_the_layers_configurations_and_weights_of_the_hdf5_model(string archive, string original, string version)
        {
            bool renamed = archive == "renamed";
            using KerasWeights h5 = KerasWeights.Open(BuiltFiles.Source(original));
            using KerasWeights keras = KerasWeights.Open(Archive(archive));
            Assert.Equal(KerasFileFormat.KerasArchive, keras.Format);
            Assert.True(keras.HasConfiguration);
            Assert.Equal(version, keras.KerasVersion);
            Assert.Equal(h5.Layers.Select(l => l.ClassName), keras.Layers.Select(l => l.ClassName));
            Assert.Equal(h5.SeparableConvLayers.Select(l => renamed ? BuiltFiles.RenamedInArchive(l.Name) : l.Name), keras.SeparableConvLayers.Select(l => l.Name));
            for (int i = 0; i < h5.SeparableConvLayers.Count; i++)
            {
                KerasLayerInfo expected = h5.SeparableConvLayers[i], actual = keras.SeparableConvLayers[i];
                Assert.Equal(expected with { Name = actual.Name, WeightsName = actual.WeightsName, WeightPaths = actual.WeightPaths }, actual);
                string key = i == 0 ? "separable_conv2d" : $"separable_conv2d_{i}";
                Assert.Equal(key, actual.WeightsName);
                string group = archive.EndsWith("tf-keras", StringComparison.Ordinal) ? $"_layer_checkpoint_dependencies\\{key}" : $"layers/{key}";
                Assert.Equal(Enumerable.Range(0, actual.UseBias ? 3 : 2).Select(v => $"{group}/vars/{v}"), actual.WeightPaths);

                SeparableConvWeights fromH5 = h5.ReadWeights(expected.Name), fromArchive = keras.ReadWeights(actual.Name);
                Assert.Equal(fromH5.DepthwiseKernel, fromArchive.DepthwiseKernel);
                Assert.Equal(fromH5.PointwiseKernel, fromArchive.PointwiseKernel);
                Assert.Equal(fromH5.DepthwiseShape, fromArchive.DepthwiseShape);
                Assert.Equal(fromH5.PointwiseShape, fromArchive.PointwiseShape);
            }
        }

        [Theory]
        [InlineData("renamed", BuiltFiles.MiniXception)]
        [InlineData("sequential", BuiltFiles.EegNet)]
        [InlineData("tf-keras", BuiltFiles.TinyXception)]
        public void Archive_weights_in_generated_layers_reproduce_the_expected_outputs(string archive, string original)
        {
            using KerasWeights keras = KerasWeights.Open(Archive(archive));
            ExpectedLayer[] expected = ExpectedLayers.All.Where(l => l.File == original).ToArray();
            Assert.Equal(expected.Length, keras.SeparableConvLayers.Count);
            foreach (ExpectedLayer layer in expected)
            {
                string name = archive == "renamed" ? BuiltFiles.RenamedInArchive(layer.Layer) : layer.Layer;
                _layers.RunsToTheExpectedOutput(layer, keras.ReadWeights(name, Shape(layer.Config)), $"{layer.Key} from {archive}");
            }
        }

        [Theory]
        [InlineData(true, BuiltFiles.EegNet)]
        [InlineData(false, BuiltFiles.MiniXception)]
        public void Keras_3_legacy_hdf5_models_keep_reading_through_weight_names(bool sequential, string original)
        {
            using KerasWeights h5 = KerasWeights.Open(BuiltFiles.Source(original));
            using KerasWeights legacy = KerasWeights.Open(sequential ? _files.Keras3LegacySequential : _files.Keras3LegacyFunctional);
            Assert.Equal(KerasFileFormat.Hdf5Model, legacy.Format);
            Assert.Equal("3.10.0", legacy.KerasVersion);
            Assert.Equal(h5.Layers, legacy.Layers);
            Assert.Equal(h5.SeparableConvLayers.Count, legacy.SeparableConvLayers.Count);
            foreach ((KerasLayerInfo expected, KerasLayerInfo actual) in h5.SeparableConvLayers.Zip(legacy.SeparableConvLayers))
            {
                Assert.Equal(expected with { WeightPaths = actual.WeightPaths }, actual);
                string inner = sequential ? $"sequential/{actual.Name}" : actual.Name;
                Assert.Equal($"model_weights/{actual.Name}/{inner}/depthwise_kernel", actual.WeightPaths[0]);
            }

            foreach (ExpectedLayer layer in ExpectedLayers.All.Where(l => l.File == original))
            {
                _layers.RunsToTheExpectedOutput(layer, legacy.ReadWeights(layer.Layer, Shape(layer.Config)), $"{layer.Key} from Keras 3 legacy .h5");
            }
        }

        [Fact]
        public void Keras_3_weights_files_list_what_the_weights_reveal_under_keras_names()
        {
            using KerasWeights h5 = KerasWeights.Open(BuiltFiles.Source(BuiltFiles.MiniXception));
            using KerasWeights weights = KerasWeights.Open(_files.Keras3Weights);
            Assert.Equal(KerasFileFormat.Keras3Weights, weights.Format);
            Assert.False(weights.HasConfiguration);
            Assert.Equal(h5.Layers.Count, weights.Layers.Count);
            Assert.Contains(new KerasLayerSummary("batch_normalization_13", null), weights.Layers);
            Assert.Equal(Enumerable.Range(0, 8).Select(i => i == 0 ? "separable_conv2d" : $"separable_conv2d_{i}"), weights.SeparableConvLayers.Select(l => l.Name));
            foreach ((KerasLayerInfo expected, KerasLayerInfo actual) in h5.SeparableConvLayers.Zip(weights.SeparableConvLayers))
            {
                Assert.False(actual.HasConfiguration);
                Assert.Contains("weights only", actual.Unsupported, StringComparison.Ordinal);
                Assert.Equal((expected.InChannels, expected.Filters, expected.KernelHeight, expected.KernelWidth, expected.DepthMultiplier, expected.UseBias),
                    (actual.InChannels, actual.Filters, actual.KernelHeight, actual.KernelWidth, actual.DepthMultiplier, actual.UseBias));
                Assert.Equal(h5.ReadWeights(expected.Name).PointwiseKernel, weights.ReadWeights(actual.Name).PointwiseKernel);
            }

            foreach (ExpectedLayer layer in ExpectedLayers.All.Where(l => l.File == BuiltFiles.MiniXception))
            {
                int index = h5.SeparableConvLayers.Select(l => l.Name).ToList().IndexOf(layer.Layer);
                _layers.RunsToTheExpectedOutput(layer, weights.ReadWeights(weights.SeparableConvLayers[index].Name, Shape(layer.Config)), $"{layer.Key} from .weights.h5");
            }
        }

        [Fact]
        public void Weights_files_list_separable_layers_in_model_order_past_ten()
        {
            string path = _files.Built("sixteen.weights.h5");
            KerasFileBuilder.FromHdf5(BuiltFiles.Source(BuiltFiles.MiniXception)).Twice().WriteKeras3Weights(path);
            using KerasWeights weights = KerasWeights.Open(path);
            Assert.Equal(Enumerable.Range(0, 16).Select(i => i == 0 ? "separable_conv2d" : $"separable_conv2d_{i}"), weights.SeparableConvLayers.Select(l => l.Name));
            Assert.Equal(weights.ReadWeights("separable_conv2d_2").PointwiseKernel, weights.ReadWeights("separable_conv2d_10").PointwiseKernel);
        }

        [Fact]
        public void Scaffolded_classes_load_from_the_archive_and_from_the_weights_file()
        {
            ScaffoldTests.ScaffoldCompileAndRun(_files.RenamedArchive, BuiltFiles.MiniXception, BuiltFiles.RenamedInArchive,
                new[] { _files.RenamedArchive, _files.Keras3Weights });
            ScaffoldTests.ScaffoldCompileAndRun(_files.SequentialArchive, BuiltFiles.EegNet, n => n,
                new[] { _files.SequentialArchive, _files.EegNetKeras3Weights, _files.EegNetTfKerasArchive, BuiltFiles.Source(BuiltFiles.EegNet) });
        }

        [Fact]
        public void List_shows_archive_layers_and_weights_files_with_unknowns()
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "list", _files.SequentialArchive }, stdout, stderr));
            Assert.Contains("| separable_conv2d | SeparableConv2d | 16 -> 16 | 1x16 | 1x1 | 1x1 | same | channels_first | 1 | no | linear | ok |", stdout.ToString(), StringComparison.Ordinal);
            Assert.Contains("written by Keras 3.10.0", stderr.ToString(), StringComparison.Ordinal);

            stdout = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "list", _files.EegNetKeras3Weights }, stdout, new StringWriter()));
            Assert.Contains("| separable_conv2d | - | 16 -> 16 | 1x16 | ? | ? | ? | ? | 1 | no | ? |", stdout.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void A_file_without_separable_layers_says_what_it_holds_with_its_own_exit_code()
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(Cli.NoSeparableLayers, Cli.Run(new[] { "list", _files.NoSeparableArchive }, stdout, stderr));
            Assert.Equal(string.Empty, stdout.ToString());
            Assert.Contains("no SeparableConv2D layer; the file holds 15 layer(s): input_1 (InputLayer), conv2d (Conv2D), batch_normalization (BatchNormalization),",
                stderr.ToString(), StringComparison.Ordinal);
            Assert.Equal(Cli.NoSeparableLayers, Cli.Run(new[] { "scaffold", _files.NoSeparableArchive }, new StringWriter(), new StringWriter()));
        }

        [Fact]
        public void Archives_missing_their_parts_are_rejected_naming_what_is_missing()
        {
            KerasFileBuilder eeg = KerasFileBuilder.FromHdf5(BuiltFiles.Source(BuiltFiles.EegNet));
            string path = _files.Built("broken.keras");
            KerasFileBuilder.WriteZip(path, new[] { ("metadata.json", "{}"u8.ToArray()), ("model.weights.h5", eeg.WeightsFile(windowsTfKeras: false)) });
            Assert.Contains("no 'config.json'", Assert.Throws<InvalidDataException>(() => KerasWeights.Open(path)).Message, StringComparison.Ordinal);

            eeg.WriteKeras3Archive(path);
            byte[] config = System.IO.Compression.ZipFile.OpenRead(path).GetEntry("config.json")!.Open().ReadAllBytes();
            KerasFileBuilder.WriteZip(path, new[] { ("config.json", config) });
            var error = Assert.Throws<InvalidDataException>(() => KerasWeights.Open(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("'separable_conv2d'", error.Message, StringComparison.Ordinal);
        }

        private string Archive(string name) => name switch
        {
            "renamed" => _files.RenamedArchive,
            "deflated" => _files.DeflatedArchive,
            "sequential" => _files.SequentialArchive,
            "tf-keras" => _files.TfKerasArchive,
            _ => _files.EegNetTfKerasArchive,
        };

        private static LayerShape Shape(LayerConfig c) => new(c.InChannels, c.OutChannels, c.KernelHeight, c.KernelWidth, c.DepthMultiplier, c.UseBias);
    }

    internal static class StreamExtensions
    {
        public static byte[] ReadAllBytes(this Stream stream)
        {
            using (stream)
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            }
        }
    }
}

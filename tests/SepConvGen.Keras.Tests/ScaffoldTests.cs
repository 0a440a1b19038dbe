using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using SepConvGen.Testing;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// 'sepconvgen scaffold' on each real file: the written C# compiles with the packages' code, and every
    /// scaffolded layer, created with its FromKerasFile, reproduces the expected outputs.
    /// </summary>
    public sealed class ScaffoldTests
    {
        [Theory]
        [InlineData("arl-eegmodels_EEGNet-8-2-weights.h5")]
        [InlineData("face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5")]
        [InlineData("face_classification_tiny_XCEPTION_KDEF.hdf5")]
        public void Scaffolded_classes_compile_load_their_weights_and_match_the_expected_outputs(string fileName) =>
            ScaffoldCompileAndRun(Path.Combine(ExpectedLayers.Folder, fileName), fileName, name => name, new[] { Path.Combine(ExpectedLayers.Folder, fileName) });

        /// <summary>
        /// Scaffolds <paramref name="model"/>, compiles the classes, and runs each layer created by its FromKerasFile
        /// from every file of <paramref name="loadFrom"/> on the expected input of <paramref name="original"/>'s layer
        /// (whose name in <paramref name="model"/> is <paramref name="rename"/> of the original name).
        /// </summary>
        internal static void ScaffoldCompileAndRun(string model, string original, Func<string, string> rename, string[] loadFrom)
        {
            string output = Path.Combine(Path.GetTempPath(), $"Layers-{Guid.NewGuid():N}.cs");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Cli.Run(new[] { "scaffold", model, "--namespace", "My.Model", "--output", output }, stdout, stderr);
            Assert.True(exit == Cli.Success, stderr.ToString());
            string code = File.ReadAllText(output);
            File.Delete(output);

            ExpectedLayer[] expected = ExpectedLayers.All.Where(l => l.File == original).ToArray();
            Assert.Contains($"Found {expected.Length} SeparableConv2D layer(s)", stderr.ToString(), StringComparison.Ordinal);
            foreach (ExpectedLayer layer in expected)
            {
                Assert.Contains($"| {rename(layer.Layer)} | {Scaffolder.ClassName(rename(layer.Layer))} |", stderr.ToString(), StringComparison.Ordinal);
            }

            // A runner per layer: FromKerasFile, then Forward on the expected input.
            var runner = new StringBuilder("namespace My.Model { public static class Runner { public static float[] Run(string layer, string path, float[] input, int batch, int h, int w) { switch (layer) {\n");
            foreach (ExpectedLayer layer in expected)
            {
                string cls = Scaffolder.ClassName(rename(layer.Layer));
                runner.Append($"case \"{layer.Layer}\": {{ var l = {cls}.FromKerasFile(path); var size = {cls}.GetOutputSize(h, w); var o = new float[batch * {cls}.OutChannels * size.Height * size.Width]; l.Forward(input, o, batch, h, w); return o; }}\n");
            }

            runner.Append("default: throw new System.ArgumentException(layer); } } } }\n");
            var references = new[] { typeof(KerasWeights).Assembly }
                .Select(a => MetadataReference.CreateFromFile(a.Location));
            GeneratorOutput compiled = GeneratorHarness.Run(new[] { code, runner.ToString() }, extraReferences: references);
            Assert.Equal(expected.Length, compiled.GeneratedSources.Count);
            Assembly assembly = GeneratorHarness.EmitAndLoad(compiled.Compilation);
            MethodInfo run = assembly.GetType("My.Model.Runner")!.GetMethod("Run")!;

            using KerasWeights reference = KerasWeights.Open(Path.Combine(ExpectedLayers.Folder, original));
            foreach (string file in loadFrom)
            {
                foreach (ExpectedLayer layer in expected)
                {
                    var result = (float[])run.Invoke(null, new object[] { layer.Layer, file, layer.Input, layer.Batch, layer.Height, layer.Width })!;
                    SeparableConvWeights w = reference.ReadWeights(layer.Layer);
                    (int outH, int outW) = NaiveSeparableConv.OutputSize(layer.Config, layer.Height, layer.Width);
                    double[] magnitude = NaiveSeparableConv.Run(layer.Config, layer.Input, layer.Batch, layer.Height, layer.Width, w.DepthwiseKernel, w.PointwiseKernel, w.Bias).Magnitude;
                    TensorAssert.Matches(layer.Config, layer.Batch, outH, outW, result, layer.Output, magnitude, exact: false, $"scaffolded {layer.Key} from {Path.GetFileName(file)}");
                }
            }
        }

        [Theory]
        [InlineData("separable_conv2d_1", "SeparableConv2d1")]
        [InlineData("separable_conv2d", "SeparableConv2d")]
        [InlineData("block1-sepconv.2", "Block1Sepconv2")]
        [InlineData("1st_layer", "Layer1stLayer")]
        public void Class_names_are_the_keras_names_in_pascal_case(string keras, string expected) =>
            Assert.Equal(expected, Scaffolder.ClassName(keras));

        [Fact]
        public void Attribute_restates_the_keras_configuration()
        {
            var layer = new KerasLayerInfo
            {
                Name = "sep", InChannels = 16, Filters = 32, KernelHeight = 1, KernelWidth = 16, DepthMultiplier = 2, UseBias = false,
                HasConfiguration = true, StrideHeight = 2, StrideWidth = 1, Padding = "same", DataFormat = "channels_first", Activation = "relu6",
                WeightPaths = Array.Empty<string>(),
            };
            Assert.Equal(
                "[SeparableConv(16, 32, 1, 16, Padding.Same, DepthMultiplier = 2, StrideHeight = 2, UseBias = false, DataFormat = DataFormat.ChannelsFirst, Activation = Activation.Relu6)]",
                Scaffolder.Attribute(layer));
        }

        [Theory]
        [InlineData("tanh", "activation 'tanh'")]
        [InlineData("relu", null)]
        public void Configurations_the_attribute_cannot_express_are_named(string activation, string? reason)
        {
            var layer = new KerasLayerInfo
            {
                Name = "sep", InChannels = 2, Filters = 2, KernelHeight = 3, KernelWidth = 3, DepthMultiplier = 1, UseBias = true,
                HasConfiguration = true, Activation = activation, WeightPaths = Array.Empty<string>(),
            };
            if (reason is null)
            {
                Assert.Null(layer.Unsupported);
            }
            else
            {
                Assert.Contains(reason, layer.Unsupported, StringComparison.Ordinal);
            }

            Assert.Contains("weights only", (layer with { HasConfiguration = false }).Unsupported, StringComparison.Ordinal);
            Assert.Contains("both above 1", (layer with { Activation = "linear", StrideHeight = 2, DilationWidth = 2 }).Unsupported, StringComparison.Ordinal);
        }

        [Fact]
        public void Help_documents_every_command_option_file_and_exit_code()
        {
            var stdout = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "--help" }, stdout, new StringWriter()));
            foreach (string text in new[] { "scaffold", "list", "FromKerasFile", ".keras", ".weights.h5", "4 no SeparableConv2D", "--version" })
            {
                Assert.Contains(text, stdout.ToString(), StringComparison.Ordinal);
            }

            stdout = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "scaffold", "--help" }, stdout, new StringWriter()));
            foreach (string option in new[] { "--namespace", "--output", "--skip-unsupported", "<model>" })
            {
                Assert.Contains(option, stdout.ToString(), StringComparison.Ordinal);
            }

            stdout = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "list", "-h" }, stdout, new StringWriter()));
            Assert.Contains("--json", stdout.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void Bad_command_lines_and_files_give_clear_errors_and_exit_codes()
        {
            var stderr = new StringWriter();
            Assert.Equal(Cli.UsageError, Cli.Run(new[] { "scaffold" }, new StringWriter(), stderr));
            Assert.Contains("model", stderr.ToString(), StringComparison.Ordinal);
            stderr = new StringWriter();
            var stdout = new StringWriter();
            Assert.Equal(Cli.UsageError, Cli.Run(new[] { "scafold", "x.h5" }, stdout, stderr));
            Assert.Contains("'scafold'", stderr.ToString(), StringComparison.Ordinal);
            Assert.Contains("Did you mean", stdout.ToString() + stderr.ToString(), StringComparison.Ordinal); // the suggestion
            Assert.Equal(Cli.UsageError, Cli.Run(new[] { "scaffold", "x.h5", "--bogus" }, new StringWriter(), new StringWriter()));
            Assert.Equal(Cli.UsageError, Cli.Run(new[] { "list", "x.h5", "--namespace", "N" }, new StringWriter(), new StringWriter()));
            stderr = new StringWriter();
            Assert.Equal(Cli.FileError, Cli.Run(new[] { "scaffold", Path.Combine(ExpectedLayers.Folder, "missing.h5") }, new StringWriter(), stderr));
            Assert.Contains("missing.h5", stderr.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void Options_come_in_any_order_and_with_equals()
        {
            string model = Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[0]);
            string output = Path.Combine(Path.GetTempPath(), $"Order-{Guid.NewGuid():N}.cs");
            Assert.Equal(Cli.Success, Cli.Run(new[] { "scaffold", $"--output={output}", "--namespace", "First.Ns", model }, new StringWriter(), new StringWriter()));
            Assert.Contains("namespace First.Ns", File.ReadAllText(output), StringComparison.Ordinal);
            File.Delete(output);
        }

        [Fact]
        public void An_output_that_cannot_be_written_is_its_own_exit_code_without_a_stack_trace()
        {
            var stderr = new StringWriter();
            string output = Path.Combine(Path.GetTempPath(), $"no-such-folder-{Guid.NewGuid():N}", "Layers.cs");
            Assert.Equal(Cli.OutputError, Cli.Run(new[] { "scaffold", Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[0]), "-o", output }, new StringWriter(), stderr));
            Assert.Contains("Cannot write", stderr.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void List_json_gives_scripts_every_layer()
        {
            var stdout = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "list", "--json", Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[1]) }, stdout, new StringWriter()));
            using var document = System.Text.Json.JsonDocument.Parse(stdout.ToString());
            System.Text.Json.JsonElement[] layers = document.RootElement.GetProperty("layers").EnumerateArray().ToArray();
            Assert.Equal(8, layers.Length);
            Assert.Equal("separable_conv2d_1", layers[0].GetProperty("name").GetString());
            Assert.Equal("same", layers[0].GetProperty("padding").GetString());
            Assert.Equal("Hdf5Model", document.RootElement.GetProperty("format").GetString());
        }

        [Fact]
        public void List_prints_a_table_of_the_layers()
        {
            var stdout = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "list", Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[0]) }, stdout, new StringWriter()));
            Assert.Contains("| separable_conv2d | SeparableConv2d | 16 -> 16 | 1x16 | 1x1 | 1x1 | same | channels_first | 1 | no | linear | ok |", stdout.ToString(), StringComparison.Ordinal);
        }
    }
}

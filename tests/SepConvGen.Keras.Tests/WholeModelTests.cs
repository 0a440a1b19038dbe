using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using SepConvGen.Keras.Model;
using SepConvGen.Keras.Tests.Builders;
using SepConvGen.Keras.Tests.Reference;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// The model graph of the four real models (and of their Keras 3 archives): every layer supported, shapes as
    /// Keras computes them, and, run by the float64 reference, every layer's sums, the logits and the output of
    /// keras-models-whole.json.
    /// </summary>
    public sealed class WholeModelTests : IClassFixture<BuiltFiles>
    {
        private readonly BuiltFiles _files;

        public WholeModelTests(BuiltFiles files) => _files = files;

        public static IEnumerable<object[]> Models() => WholeModels.All.Select(m => new object[] { m.File });

        [Theory]
        [MemberData(nameof(Models))]
        public void Real_models_run_end_to_end_to_the_expected_output(string fileName) =>
            RunsToTheExpected(Path.Combine(ExpectedLayers.Folder, fileName), WholeModels.Get(fileName), name => name);

        [Theory]
        [InlineData(BuiltFiles.MiniXception)]
        [InlineData(BuiltFiles.EegNet)]
        public void Keras_3_archives_of_them_run_to_the_same_output(string fileName)
        {
            string path = _files.Built($"whole-{fileName}.keras");
            KerasFileBuilder.FromHdf5(BuiltFiles.Source(fileName)).WriteKeras3Archive(path, BuiltFiles.RenamedInArchive);
            RunsToTheExpected(path, WholeModels.Get(fileName), BuiltFiles.RenamedInArchive);
            path = _files.Built($"whole-{fileName}-sequential.keras");
            if (fileName == BuiltFiles.EegNet)
            {
                KerasFileBuilder.FromHdf5(BuiltFiles.Source(fileName)).WriteKeras3Archive(path, sequential: true);
                RunsToTheExpected(path, WholeModels.Get(fileName), n => n);
            }
        }

        [Fact]
        public void Layers_and_arguments_outside_the_supported_ones_are_named_with_a_reason()
        {
            KerasFileBuilder eeg = KerasFileBuilder.FromHdf5(BuiltFiles.Source(BuiltFiles.EegNet)).Replace("activation", l => l with { ClassName = "PReLU" });
            JsonObject Config(string name) => eeg.Layers.Single(l => l.Name == name).Entry["config"]!.AsObject();
            Config("conv2d")["groups"] = 2;
            Config("separable_conv2d")["activation"] = "gelu";
            Config("average_pooling2d")["padding"] = "causal";
            string path = _files.Built("unsupported.keras");
            eeg.WriteKeras3Archive(path);
            using KerasWeights file = KerasWeights.Open(path);
            string[] problems = KerasModel.From(file).Unsupported.Select(u => u.ToString()).ToArray();
            Assert.Contains("conv2d (Conv2D): groups=2 is not supported (only 1)", problems);
            Assert.Contains(problems, p => p.StartsWith("activation (PReLU): this layer class is not supported", StringComparison.Ordinal));
            Assert.Contains("separable_conv2d (SeparableConv2D): activation 'gelu' is not supported", problems);
            Assert.Contains("average_pooling2d (AveragePooling2D): padding 'causal' is not supported (valid, same)", problems);
            // Layers after an unsupported one cannot run either, and say what they miss.
            Assert.Contains("batch_normalization (BatchNormalization): it reads 'conv2d', which is not a layer before it that can run", problems);
            Assert.Equal(15, problems.Length); // every layer after the input, once: four for their own arguments, the rest for what they read
        }

        [Fact]
        public void Weights_only_files_have_no_model()
        {
            using KerasWeights file = KerasWeights.Open(_files.Keras3Weights);
            Assert.Contains("weights only", Assert.Throws<InvalidOperationException>(() => KerasModel.From(file)).Message, StringComparison.Ordinal);
        }

        private static void RunsToTheExpected(string path, WholeModel expected, Func<string, string> rename)
        {
            using KerasWeights file = KerasWeights.Open(path);
            KerasModel model = KerasModel.From(file);
            Assert.Empty(model.Unsupported);
            Assert.Equal(expected.InputShape.Skip(1), model.Input.Shape);
            var reference = new ReferenceModel(model, layer => file.WeightPathsOf(layer).Select(file.ReadArray).ToArray());
            Dictionary<string, Tensor> outputs = reference.Run(expected.Input);

            Assert.Equal(expected.Layers.Select(l => rename(l.Name)), model.Layers.Select(l => l.Name));
            foreach (ExpectedModelLayer layer in expected.Layers)
            {
                Tensor actual = outputs[rename(layer.Name)];
                Assert.Equal(layer.Shape, actual.Shape);
                Assert.Equal(layer.Shape, model.Layers.Single(l => l.Name == rename(layer.Name)).Shape);
                Close(layer.Sum, actual.Values.Sum(), layer.AbsSum, $"{layer.Name}: sum");
                Close(layer.AbsSum, actual.Values.Sum(Math.Abs), layer.AbsSum, $"{layer.Name}: sum of absolute values");
            }

            double[] output = outputs[model.Outputs[0]].Values;
            ModelLayer last = model.Layers.Single(l => l.Name == model.Outputs[0]);
            double[] logits = outputs[last.Inputs[0]].Values;
            for (int i = 0; i < expected.Output.Length; i++)
            {
                Close(expected.Output[i], output[i], Math.Abs(expected.Output[i]), $"output {i}");
                Close(expected.Logits[i], logits[i], Math.Abs(expected.Logits[i]), $"logit {i}");
            }
        }

        /// <summary>Float64 against float64: agreement far inside the 1e-4 that float32 implementations get.</summary>
        private static void Close(double expected, double actual, double scale, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-7 * scale + 1e-9, $"{what}: {actual} instead of {expected}");
    }

    public sealed record ExpectedModelLayer(string Name, string ClassName, int[] Shape, double Sum, double AbsSum);

    public sealed record WholeModel(string File, int[] InputShape, double[] Input, double[] Output, double[] Logits, IReadOnlyList<ExpectedModelLayer> Layers);

    /// <summary>Models/keras-models-whole.json: the real models run end to end in float64 from Keras' semantics.</summary>
    public static class WholeModels
    {
        private static readonly Lazy<IReadOnlyList<WholeModel>> Cached = new(() =>
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ExpectedLayers.Folder, "keras-models-whole.json")));
            return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new WholeModel(
                c.GetProperty("file").GetString()!,
                Ints(c.GetProperty("input_shape")),
                Doubles(c.GetProperty("input")),
                Doubles(c.GetProperty("output")),
                Doubles(c.GetProperty("logits")),
                c.GetProperty("layers").EnumerateArray().Select(l => new ExpectedModelLayer(
                    l.GetProperty("layer").GetString()!, l.GetProperty("class").GetString()!, Ints(l.GetProperty("shape")),
                    l.GetProperty("sum").GetDouble(), l.GetProperty("abs_sum").GetDouble())).ToArray())).ToArray();
        });

        public static IReadOnlyList<WholeModel> All => Cached.Value;

        public static WholeModel Get(string file) => All.Single(m => m.File == file);

        private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

        private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    }
}

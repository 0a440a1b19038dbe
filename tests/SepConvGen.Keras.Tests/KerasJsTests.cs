using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using SepConvGen.Keras.Model;
using SepConvGen.Keras.Tests.Reference;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// The float64 reference against outputs real Keras 2 computed (keras-js fixtures, Models/keras-js): the pooling
    /// cases the real models do not reach, such as TensorFlow's SAME average over partial windows.
    /// </summary>
    public sealed class KerasJsTests
    {
        /// <summary>The configurations of the fixtures' cases, from keras-js' notebooks (pool, strides or null, padding, data format).</summary>
        private static readonly (int Pool, int[]? Strides, bool Same, bool ChannelsFirst)[] Cases =
        {
            (2, null, false, false), (2, new[] { 1, 1 }, false, false), (2, new[] { 2, 1 }, false, false), (3, null, false, false),
            (3, new[] { 3, 3 }, false, false), (2, null, true, false), (2, new[] { 1, 1 }, true, false), (2, new[] { 2, 1 }, true, false),
            (3, null, true, false), (3, new[] { 3, 3 }, true, false), (3, new[] { 2, 2 }, false, true), (3, new[] { 1, 1 }, true, true),
            (2, null, false, true),
        };

        public static IEnumerable<object[]> Fixtures() =>
            new[] { "AveragePooling2D", "MaxPooling2D" }.SelectMany(layer => Enumerable.Range(0, Cases.Length).Select(i => new object[] { layer, i }));

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void Pooling_matches_keras(string layer, int index)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ExpectedLayers.Folder, "keras-js", layer + ".json")));
            JsonElement fixture = document.RootElement.GetProperty($"pooling.{layer}.{index}");
            (int pool, int[]? strides, bool same, bool channelsFirst) = Cases[index];
            var op = new PoolingOperation(layer == "MaxPooling2D", pool, pool, strides?[0] ?? pool, strides?[1] ?? pool, same, channelsFirst);
            int[] inputShape = Ints(fixture.GetProperty("input").GetProperty("shape"));
            int[] expectedShape = Ints(fixture.GetProperty("expected").GetProperty("shape"));
            (int h, int w, int c) = channelsFirst ? (inputShape[1], inputShape[2], inputShape[0]) : (inputShape[0], inputShape[1], inputShape[2]);
            int oh = KerasModel.Extent(h, pool, op.StrideHeight, 1, same), ow = KerasModel.Extent(w, pool, op.StrideWidth, 1, same);
            int[] shape = channelsFirst ? new[] { c, oh, ow } : new[] { oh, ow, c };
            Assert.Equal(expectedShape, shape);

            double[] input = Doubles(fixture.GetProperty("input").GetProperty("data"));
            double[] expected = Doubles(fixture.GetProperty("expected").GetProperty("data"));
            double[] actual = ReferenceModel.Pooling(op, new Tensor(input, inputShape), shape).Values;
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"{layer}.{index}[{i}]: {actual[i]} instead of {expected[i]}");
            }
        }

        /// <summary>Conv2D's cases from keras-js' notebook (all channels_last): filters, kernel, strides, same, dilation, relu, bias.</summary>
        private static readonly (int Filters, int Kernel, int StrideHeight, int StrideWidth, bool Same, int Dilation, bool Relu, bool Bias)[] ConvCases =
        {
            (4, 3, 1, 1, false, 1, false, true), (4, 3, 1, 1, false, 1, false, false), (4, 3, 2, 2, false, 1, true, true), (5, 4, 2, 1, false, 1, true, true),
            (4, 3, 1, 1, true, 1, true, true), (4, 3, 2, 2, true, 1, true, true), (4, 3, 3, 2, true, 1, true, true), (4, 3, 1, 1, false, 2, false, true),
            (4, 3, 1, 1, false, 2, false, false), (4, 3, 1, 1, false, 3, true, true), (3, 4, 1, 1, true, 2, true, true), (4, 3, 1, 1, true, 4, true, true),
        };

        /// <summary>
        /// The generated [Conv2D] and [Dense] layers (Dense's sigmoid cases with the model step after them) on keras-js'
        /// fixtures; its softplus cases are outside the supported activations.
        /// </summary>
        [Fact]
        public void Generated_conv2d_and_dense_match_keras()
        {
            using JsonDocument conv = Fixture("Conv2D");
            using JsonDocument dense = Fixture("Dense");
            var cases = new List<(JsonElement Fixture, string Attribute, bool Sigmoid)>();
            for (int i = 0; i < ConvCases.Length; i++)
            {
                var c = ConvCases[i];
                JsonElement fixture = conv.RootElement.GetProperty($"convolutional.Conv2D.{i}");
                int[] shape = Ints(fixture.GetProperty("input").GetProperty("shape"));
                cases.Add((fixture, FormattableString.Invariant(
                    $"Conv2D({shape[2]}, {c.Filters}, {c.Kernel}, {c.Kernel}, Padding.{(c.Same ? "Same" : "Valid")}, StrideHeight = {c.StrideHeight}, StrideWidth = {c.StrideWidth}, DilationHeight = {c.Dilation}, DilationWidth = {c.Dilation}, UseBias = {(c.Bias ? "true" : "false")}, Activation = Activation.{(c.Relu ? "Relu" : "Linear")}, InputHeight = {shape[0]}, InputWidth = {shape[1]})"), false));
            }

            foreach (int i in new[] { 0, 1, 3, 4 })
            {
                cases.Add((dense.RootElement.GetProperty($"core.Dense.{i}"), "Dense(6, 2)", i % 3 == 1));
            }

            var source = new System.Text.StringBuilder("using SepConvGen;\npublic static partial class Runner\n{\n");
            for (int i = 0; i < cases.Count; i++)
            {
                int outputs = Ints(cases[i].Fixture.GetProperty("expected").GetProperty("shape")).Aggregate(1, (a, d) => a * d);
                string load = cases[i].Fixture.GetProperty("weights").GetArrayLength() == 2 ? "w[0], w[1]" : "w[0]";
                string sigmoid = cases[i].Sigmoid ? "SepConvGen.Kernels.Elementwise.Sigmoid(y); " : string.Empty;
                source.Append(FormattableString.Invariant(
                    $"    [{cases[i].Attribute}] public partial class L{i} {{ }}\n    public static float[] R{i}(float[] x, float[][] w) {{ var l = new L{i}(); l.LoadKerasWeights({load}); var y = new float[{outputs}]; l.Forward(x, y); {sigmoid}return y; }}\n"));
            }

            source.Append("}\n");
            Type runner = RunnerCompiler.Compile(source.ToString());
            for (int i = 0; i < cases.Count; i++)
            {
                JsonElement fixture = cases[i].Fixture;
                float[] input = Doubles(fixture.GetProperty("input").GetProperty("data")).Select(v => (float)v).ToArray();
                float[][] weights = fixture.GetProperty("weights").EnumerateArray().Select(w => Doubles(w.GetProperty("data")).Select(v => (float)v).ToArray()).ToArray();
                var actual = (float[])runner.GetMethod($"R{i}")!.Invoke(null, new object[] { input, weights })!;
                double[] expected = Doubles(fixture.GetProperty("expected").GetProperty("data"));
                for (int k = 0; k < expected.Length; k++)
                {
                    Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-5 * (1 + Math.Abs(expected[k])), $"{cases[i].Attribute} [{k}]: {actual[k]} instead of {expected[k]}");
                }
            }
        }

        /// <summary>BatchNormalization's seven cases (axes -1, 1, 2, 3; scale and center off) through the library's scale and shift.</summary>
        [Fact]
        public void Batch_normalization_matches_keras()
        {
            (double Epsilon, int Axis, bool Center, bool Scale)[] cases =
            {
                (1e-5, -1, true, true), (1e-2, -1, true, true), (1e-5, 1, true, true), (1e-5, 2, true, true),
                (1e-5, 3, true, false), (1e-5, -1, false, true), (1e-3, -1, false, false),
            };
            using JsonDocument document = Fixture("BatchNormalization");
            for (int i = 0; i < cases.Length; i++)
            {
                JsonElement fixture = document.RootElement.GetProperty($"normalization.BatchNormalization.{i}");
                int[] shape = Ints(fixture.GetProperty("input").GetProperty("shape"));
                int axis = cases[i].Axis < 0 ? shape.Length - 1 : cases[i].Axis - 1;
                float[][] w = fixture.GetProperty("weights").EnumerateArray().Select(a => Doubles(a.GetProperty("data")).Select(v => (float)v).ToArray()).ToArray();
                int k = 0;
                float[] gamma = cases[i].Scale ? w[k++] : Array.Empty<float>();
                float[] beta = cases[i].Center ? w[k++] : Array.Empty<float>();
                var scale = new float[shape[axis]];
                var shift = new float[shape[axis]];
                Kernels.BatchNormalization.ScaleAndShift(gamma, beta, w[k], w[k + 1], cases[i].Epsilon, scale, shift);
                float[] data = Doubles(fixture.GetProperty("input").GetProperty("data")).Select(v => (float)v).ToArray();
                Kernels.BatchNormalization.Apply(data, scale, shift, shape.Skip(axis + 1).Aggregate(1, (a, d) => a * d));
                double[] expected = Doubles(fixture.GetProperty("expected").GetProperty("data"));
                for (int j = 0; j < expected.Length; j++)
                {
                    Assert.True(Math.Abs(expected[j] - data[j]) <= 1e-5 * (1 + Math.Abs(expected[j])), $"case {i} [{j}]: {data[j]} instead of {expected[j]}");
                }
            }
        }

        private static JsonDocument Fixture(string layer) =>
            JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ExpectedLayers.Folder, "keras-js", layer + ".json")));

        private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

        private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    }
}

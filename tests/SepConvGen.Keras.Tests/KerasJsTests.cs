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

        private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

        private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    }
}

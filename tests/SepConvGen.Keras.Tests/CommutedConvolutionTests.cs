using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using SepConvGen.Keras.Model;
using SepConvGen.Keras.Tests.Builders;
using SepConvGen.Keras.Tests.Reference;
using Xunit;
using Xunit.Abstractions;
using static SepConvGen.Keras.Tests.Builders.SyntheticModels;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// EEGNet's opening: a Conv2D over one channel with a one-row kernel, BatchNormalization, a DepthwiseConv2D with a
    /// one-column kernel, BatchNormalization, an activation. The written model runs the two convolutions the other way
    /// round where that saves work; random configurations of both data formats, padding, strides, dilation, biases,
    /// multipliers and activations must still give the float64 reference's output. New configurations each run
    /// (SEPCONVGEN_SEED repeats one).
    /// </summary>
    public sealed class CommutedConvolutionTests : MadeUpModelTest
    {
        public CommutedConvolutionTests(ITestOutputHelper output)
            : base(output)
        {
        }

        [Fact]
        public void Random_temporal_and_spatial_filter_pairs_match_the_float64_reference()
        {
            int seed = Seed;
            var random = new Random(seed);
            const int Models = 8;

            // Even models: the depthwise kernel spans every row (multiplier 1 or 2) and the Conv2D has stride 1 across,
            // where commuting always saves work (the test's ranges were checked exhaustively).
            IReadOnlyList<SourceLayer>[] models = Enumerable.Range(0, Models).Select(i => Layers(random, channelsFirst: i % 4 >= 2, mustCommute: i % 2 == 0)).ToArray();
            (string[] paths, string[] code, System.Reflection.MethodInfo run) = SyntheticModels.WriteAndCompile(Folder, models, $"SEPCONVGEN_SEED={seed}");
            for (int i = 0; i < Models; i += 2)
            {
                Assert.True(code[i].Contains("CommutedConvolutions.RowKernel", StringComparison.Ordinal), $"SEPCONVGEN_SEED={seed} model {i} did not commute");
            }

            for (int i = 0; i < Models; i++)
            {
                using KerasWeights file = KerasWeights.Open(paths[i]);
                KerasModel model = KerasModel.From(file);
                var reference = new ReferenceModel(model, layer => file.WeightPathsOf(layer).Select(file.ReadArray).ToArray());
                int inputLength = model.Input.Shape.Aggregate(1, (a, d) => a * d);
                double[] input = Enumerable.Range(0, inputLength).Select(_ => random.NextDouble() * 4 - 2).Select(v => (double)(float)v).ToArray();
                double[] expected = reference.Run(input)[model.Outputs[0]].Values;
                float[] actual = (float[])run.Invoke(null, new object[] { i, paths[i], input.Select(v => (float)v).ToArray(), expected.Length })!;
                double tolerance = 1e-5 * (1 + expected.Max(Math.Abs));
                for (int k = 0; k < expected.Length; k++)
                {
                    Assert.True(Math.Abs(actual[k] - expected[k]) <= tolerance, $"SEPCONVGEN_SEED={seed} model {i} value {k}: {actual[k]} instead of {expected[k]}");
                }
            }
        }

        private static IReadOnlyList<SourceLayer> Layers(Random random, bool channelsFirst, bool mustCommute)
        {
            int height = random.Next(4, 10), width = random.Next(44, 81), filters = random.Next(1, 6);
            // Keras takes a stride above 1 or a dilation above 1, not both. A stride across shrinks the row filter's work
            // before commuting more than after, so the models that must commute keep it at 1.
            int kernelWidth = random.Next(3, 13), strideWidth = mustCommute ? 1 : random.Next(1, 3), dilationWidth = strideWidth > 1 ? 1 : random.Next(1, 3);
            int kernelHeight = mustCommute ? height : random.Next(1, height + 1);
            int strideHeight = random.Next(1, 3), multiplier = random.Next(1, mustCommute ? 3 : 4);
            int dilationHeight = mustCommute || strideHeight > 1 || (kernelHeight - 1) * 2 + 1 > height ? 1 : random.Next(1, 3);
            string format = channelsFirst ? "channels_first" : "channels_last";
            int channelAxis = channelsFirst ? 1 : -1;
            bool convBias = random.Next(2) == 0, depthwiseBias = random.Next(2) == 0;
            var layers = new List<SourceLayer>
            {
                Input(channelsFirst ? new[] { 1, height, width } : new[] { height, width, 1 }),
                Layer("conv2d", "Conv2D", new JsonObject
                {
                    ["filters"] = filters, ["kernel_size"] = Pair(1, kernelWidth), ["strides"] = Pair(1, strideWidth),
                    ["padding"] = random.Next(2) == 0 ? "same" : "valid", ["data_format"] = format, ["dilation_rate"] = Pair(1, dilationWidth),
                    ["activation"] = "linear", ["use_bias"] = convBias,
                }, Weights(random, new[] { 1, kernelWidth, 1, filters }, convBias ? filters : 0)),
            };
            if (random.Next(3) > 0)
            {
                layers.Add(Normalization(random, "batch_normalization", channelAxis, filters));
            }

            layers.Add(Layer("depthwise_conv2d", "DepthwiseConv2D", new JsonObject
            {
                ["kernel_size"] = Pair(kernelHeight, 1), ["strides"] = Pair(strideHeight, 1), ["padding"] = kernelHeight == 1 && random.Next(2) == 0 ? "same" : "valid",
                ["data_format"] = format, ["dilation_rate"] = Pair(dilationHeight, 1), ["depth_multiplier"] = multiplier,
                ["activation"] = "linear", ["use_bias"] = depthwiseBias,
            }, Weights(random, new[] { kernelHeight, 1, filters, multiplier }, depthwiseBias ? filters * multiplier : 0)));
            if (random.Next(3) > 0)
            {
                layers.Add(Normalization(random, "batch_normalization_1", channelAxis, filters * multiplier));
            }

            layers.Add(Layer("activation", "Activation", new JsonObject { ["activation"] = new[] { "elu", "relu", "linear", "tanh" }[random.Next(4)] }));
            return layers;
        }
    }
}

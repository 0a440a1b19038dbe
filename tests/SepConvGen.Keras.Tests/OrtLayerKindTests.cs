using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json.Nodes;
using SepConvGen.Keras.Tests.Builders;
using SepConvGen.Ort;
using Xunit;
using Xunit.Abstractions;
using static SepConvGen.Keras.Tests.Builders.SyntheticModels;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// Random one-layer Keras models of every new kind (Conv2D, DepthwiseConv2D, MaxPooling2D, AveragePooling2D,
    /// global pooling, Flatten and Dense), both data formats, written by <c>sepconvgen model</c> and run by ONNX Runtime
    /// from the same file (translated node by node, <c>OrtKerasModel</c>): an implementation that is not ours.
    /// New configurations each run (SEPCONVGEN_SEED repeats one).
    /// </summary>
    public sealed class OrtLayerKindTests : MadeUpModelTest
    {
        public OrtLayerKindTests(ITestOutputHelper output)
            : base(output)
        {
        }

        [Fact]
        public void Random_layers_of_every_kind_match_onnx_runtime()
        {
            int seed = Seed;
            var random = new Random(seed);
            var models = new List<IReadOnlyList<SourceLayer>>();
            for (int i = 0; i < 2; i++)
            {
                foreach (string kind in new[] { "Conv2D", "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Dense" })
                {
                    models.Add(Model(random, kind, channelsFirst: random.Next(2) == 0));
                }
            }

            (string[] paths, _, MethodInfo run) = WriteAndCompile(Folder, models, $"SEPCONVGEN_SEED={seed}");
            for (int i = 0; i < models.Count; i++)
            {
                int inputLength = ((JsonArray)models[i][0].Entry["config"]!["batch_input_shape"]!).Skip(1).Aggregate(1, (a, d) => a * d!.GetValue<int>());
                float[] input = Values(random, inputLength, -2, 2);
                var expected = new float[Demo(run, i, paths[i], input).Length];
                using (var ort = new OrtKerasModel(paths[i], input, expected))
                {
                    ort.Run();
                }

                float[] actual = Demo(run, i, paths[i], input);
                double tolerance = 1e-5 * (1 + expected.Max(Math.Abs));
                for (int k = 0; k < expected.Length; k++)
                {
                    Assert.True(Math.Abs(actual[k] - expected[k]) <= tolerance,
                        $"SEPCONVGEN_SEED={seed} model {i} ({models[i][1].ClassName}) value {k}: {actual[k]}, ONNX Runtime {expected[k]}");
                }
            }
        }

        /// <summary>Our prediction; its length is the model's output length, read from the written class.</summary>
        private static float[] Demo(MethodInfo run, int model, string path, float[] input)
        {
            int outputLength = (int)run.DeclaringType!.Assembly.GetType($"Demo.Model{model}")!.GetField("OutputLength")!.GetRawConstantValue()!;
            return (float[])run.Invoke(null, new object[] { model, path, input, outputLength })!;
        }

        /// <summary>An input and one layer of <paramref name="kind"/> with random arguments (Dense after a Flatten).</summary>
        private static IReadOnlyList<SourceLayer> Model(Random random, string kind, bool channelsFirst)
        {
            int channels = random.Next(1, 10), height = random.Next(5, 14), width = random.Next(5, 30);
            string format = channelsFirst ? "channels_first" : "channels_last";
            SourceLayer input = Input(channelsFirst ? new[] { channels, height, width } : new[] { height, width, channels });
            string padding = random.Next(2) == 0 ? "same" : "valid";

            // Keras takes a stride above 1 or a dilation above 1, not both.
            bool dilated = random.Next(3) == 0;
            JsonArray strides = dilated ? Pair(1, 1) : Pair(random.Next(1, 3), random.Next(1, 3));
            JsonArray dilation = dilated ? Pair(random.Next(1, 3), random.Next(1, 3)) : Pair(1, 1);
            int kh = random.Next(1, 4), kw = random.Next(1, 4);
            string activation = new[] { "linear", "relu", "relu6", "sigmoid", "tanh", "elu" }[random.Next(6)];
            bool bias = random.Next(2) == 0;
            switch (kind)
            {
                case "Conv2D":
                    int filters = random.Next(1, 20);
                    return new[]
                    {
                        input,
                        Layer("conv2d", kind, new JsonObject
                        {
                            ["filters"] = filters, ["kernel_size"] = Pair(kh, kw), ["strides"] = strides, ["padding"] = padding, ["data_format"] = format,
                            ["dilation_rate"] = dilation, ["groups"] = 1, ["activation"] = activation, ["use_bias"] = bias,
                        }, Weights(random, new[] { kh, kw, channels, filters }, bias ? filters : 0)),
                    };
                case "DepthwiseConv2D":
                    int multiplier = random.Next(1, 4);
                    return new[]
                    {
                        input,
                        Layer("depthwise_conv2d", kind, new JsonObject
                        {
                            ["kernel_size"] = Pair(kh, kw), ["strides"] = strides, ["padding"] = padding, ["data_format"] = format,
                            ["dilation_rate"] = dilation, ["depth_multiplier"] = multiplier, ["activation"] = activation, ["use_bias"] = bias,
                        }, Weights(random, new[] { kh, kw, channels, multiplier }, bias ? channels * multiplier : 0)),
                    };
                case "MaxPooling2D":
                case "AveragePooling2D":
                    return new[]
                    {
                        input,
                        Layer(kind == "MaxPooling2D" ? "max_pooling2d" : "average_pooling2d", kind, new JsonObject
                        {
                            ["pool_size"] = Pair(random.Next(1, 4), random.Next(1, 4)), ["strides"] = Pair(random.Next(1, 4), random.Next(1, 4)),
                            ["padding"] = padding, ["data_format"] = format,
                        }),
                    };
                case "GlobalAveragePooling2D":
                case "GlobalMaxPooling2D":
                    return new[]
                    {
                        input,
                        Layer(kind == "GlobalMaxPooling2D" ? "global_max_pooling2d" : "global_average_pooling2d", kind, new JsonObject { ["data_format"] = format }),
                    };
                default:
                    int units = random.Next(1, 12), inputs = channels * height * width;
                    return new[]
                    {
                        input,
                        Layer("flatten", "Flatten", new JsonObject { ["data_format"] = format }),
                        Layer("dense", "Dense", new JsonObject { ["units"] = units, ["activation"] = activation, ["use_bias"] = bias },
                            Weights(random, new[] { inputs, units }, bias ? units : 0)),
                    };
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace SepConvGen.Testing
{
    /// <summary>One reference case: a Keras configuration, its input, both weight layouts and the expected output.</summary>
    public sealed record GoldenCase(
        string Name,
        bool Exact,
        LayerConfig Config,
        int Batch,
        int InputHeight,
        int InputWidth,
        float[] Input,
        float[] DepthwiseKernel,
        float[] PointwiseKernel,
        float[]? Bias,
        float[] TorchDepthwise,
        float[] TorchPointwise,
        double[] Output)
    {
        public override string ToString() => Name;
    }

    /// <summary>Reads the reference data copied from shared/golden into the test project.</summary>
    public static class GoldenCases
    {
        public static string Folder => Path.Combine(AppContext.BaseDirectory, "Golden");

        /// <summary>separable_conv2d.json: Keras semantics from two independent float64 oracles.</summary>
        public static IReadOnlyList<GoldenCase> SeparableConv2D() => Cached.Value;

        private static readonly Lazy<IReadOnlyList<GoldenCase>> Cached = new(() =>
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "separable_conv2d.json")));
            return document.RootElement.GetProperty("cases").EnumerateArray().Select(ReadCase).ToArray();
        });

        /// <summary>keras-js SeparableConv2D.json: outputs computed by Keras 2 itself (6 decimals, batch 1, NHWC).</summary>
        public static IReadOnlyList<GoldenCase> KerasJs()
        {
            // The configurations come from keras-js' notebook (see shared/golden/README.md); the file has only data.
            var configs = new (int Filters, int Stride, bool Same, int Multiplier, Activation Activation, bool Bias)[]
            {
                (4, 1, false, 1, Activation.Linear, true),
                (4, 1, false, 2, Activation.Relu, true),
                (16, 1, false, 3, Activation.Relu, true),
                (4, 2, false, 1, Activation.Relu, true),
                (4, 1, true, 1, Activation.Relu, true),
                (4, 1, true, 2, Activation.Relu, false),
                (4, 2, true, 2, Activation.Relu, true),
            };
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "keras-js", "SeparableConv2D.json")));
            var cases = new List<GoldenCase>();
            for (int i = 0; i < configs.Length; i++)
            {
                JsonElement data = document.RootElement.GetProperty($"convolutional.SeparableConv2D.{i}");
                int[] shape = Ints(data.GetProperty("input").GetProperty("shape"));
                var (filters, stride, same, multiplier, activation, bias) = configs[i];
                var config = new LayerConfig(shape[2], filters, 3, 3, same, multiplier, stride, stride,
                    UseBias: bias, Activation: activation);
                JsonElement[] weights = data.GetProperty("weights").EnumerateArray().ToArray();
                float[] dw = Floats(weights[0].GetProperty("data"));
                float[] pw = Floats(weights[1].GetProperty("data"));
                cases.Add(new GoldenCase($"keras-js.{i}", false, config, 1, shape[0], shape[1],
                    Floats(data.GetProperty("input").GetProperty("data")), dw, pw,
                    bias ? Floats(weights[2].GetProperty("data")) : null,
                    WeightLayouts.DepthwiseToPyTorch(config, dw), WeightLayouts.PointwiseToPyTorch(config, pw),
                    Doubles(data.GetProperty("expected").GetProperty("data"))));
            }

            return cases;
        }

        private static GoldenCase ReadCase(JsonElement e)
        {
            JsonElement cfg = e.GetProperty("config");
            int[] kernel = Ints(cfg.GetProperty("kernel_size"));
            int[] strides = Ints(cfg.GetProperty("strides"));
            int[] dilation = Ints(cfg.GetProperty("dilation_rate"));
            bool channelsFirst = cfg.GetProperty("data_format").GetString() == "channels_first";
            bool useBias = cfg.GetProperty("use_bias").GetBoolean();
            var config = new LayerConfig(
                cfg.GetProperty("in_channels").GetInt32(), cfg.GetProperty("filters").GetInt32(), kernel[0], kernel[1],
                Same: cfg.GetProperty("padding").GetString() == "same",
                DepthMultiplier: cfg.GetProperty("depth_multiplier").GetInt32(),
                StrideHeight: strides[0], StrideWidth: strides[1], DilationHeight: dilation[0], DilationWidth: dilation[1],
                UseBias: useBias, ChannelsFirst: channelsFirst,
                Activation: cfg.GetProperty("activation").GetString() switch
                {
                    "relu" => Activation.Relu,
                    "relu6" => Activation.Relu6,
                    "linear" => Activation.Linear,
                    string other => throw new InvalidDataException($"Unknown activation {other}"),
                    null => throw new InvalidDataException("Missing activation"),
                });
            int[] shape = Ints(e.GetProperty("input_shape"));
            (int h, int w) = channelsFirst ? (shape[2], shape[3]) : (shape[1], shape[2]);
            return new GoldenCase(
                e.GetProperty("name").GetString()!, e.GetProperty("exact").GetBoolean(), config, shape[0], h, w,
                Floats(e.GetProperty("input")), Floats(e.GetProperty("depthwise_kernel")), Floats(e.GetProperty("pointwise_kernel")),
                useBias ? Floats(e.GetProperty("bias")) : null,
                Floats(e.GetProperty("torch_depthwise_weight")), Floats(e.GetProperty("torch_pointwise_weight")),
                Doubles(e.GetProperty("output")));
        }

        private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

        private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

        private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    }
}

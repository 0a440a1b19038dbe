using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using SepConvGen.Testing;

namespace SepConvGen.Keras.Tests
{
    /// <summary>One layer of Models/keras-models-expected.json: where its weights are, its configuration, an input and the expected output.</summary>
    public sealed record ExpectedLayer(string File, string Layer, string[] WeightPaths, LayerConfig Config, int Batch, int Height, int Width,
                                       float[] Input, double[] Output)
    {
        public string FilePath => System.IO.Path.Combine(ExpectedLayers.Folder, File);

        public string Key => $"{File}:{Layer}";

        public override string ToString() => Key;
    }

    public static class ExpectedLayers
    {
        public static string Folder => Path.Combine(AppContext.BaseDirectory, "Models");

        public static readonly string[] Files =
        {
            "arl-eegmodels_EEGNet-8-2-weights.h5",
            "face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5",
            "face_classification_tiny_XCEPTION_KDEF.hdf5",
        };

        private static readonly Lazy<IReadOnlyList<ExpectedLayer>> Cached = new(() =>
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "keras-models-expected.json")));
            return document.RootElement.GetProperty("cases").EnumerateArray().Select(Read).ToArray();
        });

        public static IReadOnlyList<ExpectedLayer> All => Cached.Value;

        public static ExpectedLayer Get(string key) => All.Single(l => l.Key == key);

        private static ExpectedLayer Read(JsonElement e)
        {
            JsonElement c = e.GetProperty("config");
            int[] kernel = Ints(c.GetProperty("kernel_size")), strides = Ints(c.GetProperty("strides")), dilation = Ints(c.GetProperty("dilation_rate"));
            bool channelsFirst = c.GetProperty("data_format").GetString() == "channels_first";
            var config = new LayerConfig(c.GetProperty("in_channels").GetInt32(), c.GetProperty("filters").GetInt32(), kernel[0], kernel[1],
                c.GetProperty("padding").GetString() == "same", c.GetProperty("depth_multiplier").GetInt32(), strides[0], strides[1], dilation[0], dilation[1],
                c.GetProperty("use_bias").GetBoolean(), channelsFirst,
                c.GetProperty("activation").GetString() switch { "relu" => Activation.Relu, "relu6" => Activation.Relu6, _ => Activation.Linear });
            int[] shape = Ints(e.GetProperty("input_shape"));
            (int h, int w) = channelsFirst ? (shape[2], shape[3]) : (shape[1], shape[2]);
            return new ExpectedLayer(e.GetProperty("file").GetString()!, e.GetProperty("layer").GetString()!,
                e.GetProperty("weight_paths").EnumerateArray().Select(p => p.GetString()!).ToArray(), config, shape[0], h, w,
                e.GetProperty("input").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(),
                e.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }

        private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PureHDF;
using PureHDF.VOL.Native;

namespace SepConvGen.Keras
{
    /// <summary>
    /// A Keras 2 HDF5 file: a full model saved with <c>model.save('m.h5')</c> (weights under <c>model_weights</c>,
    /// configuration in the <c>model_config</c> attribute) or a <c>model.save_weights('w.h5')</c> file (weights
    /// at the root, no configuration). Keras 3 <c>.keras</c> archives (zip files) are not read.
    /// </summary>
    /// <remarks>
    /// Weights are found through each layer group's <c>weight_names</c> attribute, never by guessing the inner
    /// group's name (Keras writes <c>separable_conv2d_1_1/...</c> inside <c>separable_conv2d_1</c> at times).
    /// </remarks>
    public sealed class KerasWeights : IDisposable
    {
        private readonly NativeFile _file;
        private readonly IH5Group _weightsRoot;
        private readonly Dictionary<string, KerasLayerInfo> _layers;

        private KerasWeights(string path, NativeFile file)
        {
            Path = path;
            _file = file;
            _weightsRoot = file.LinkExists("model_weights") ? file.Group("model_weights") : file;
            Dictionary<string, JsonElement> configs = ReadConfigurations(file);
            _layers = new Dictionary<string, KerasLayerInfo>(StringComparer.Ordinal);
            var order = new List<KerasLayerInfo>();
            foreach (string name in LayerNames())
            {
                KerasLayerInfo? layer = ReadLayer(name, configs);
                if (layer is not null)
                {
                    _layers[name] = layer;
                    order.Add(layer);
                }
            }

            SeparableConvLayers = order;
        }

        /// <summary>The file's path.</summary>
        public string Path { get; }

        /// <summary>The SeparableConv2D layers, in the model's order.</summary>
        public IReadOnlyList<KerasLayerInfo> SeparableConvLayers { get; }

        /// <summary>Opens a Keras 2 <c>.h5</c>/<c>.hdf5</c> file.</summary>
        /// <exception cref="FileNotFoundException">There is no such file.</exception>
        /// <exception cref="InvalidDataException">The file is not an HDF5 file, or not one Keras wrote.</exception>
        public static KerasWeights Open(string path)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"There is no Keras file '{path}'.", path);
            }

            NativeFile file;
            try
            {
                file = H5File.OpenRead(path);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string hint = IsZip(path) ? " It looks like a Keras 3 '.keras' archive, which is not read yet: save the model as '.h5'." : string.Empty;
                throw new InvalidDataException($"'{path}' is not an HDF5 file Keras could have written ({e.Message}).{hint}", e);
            }

            try
            {
                return new KerasWeights(path, file);
            }
            catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
            {
                file.Dispose();
                throw new InvalidDataException($"'{path}' is an HDF5 file but not a Keras model or weights file: {e.Message}", e);
            }
        }

        /// <summary>The layer named <paramref name="layerName"/>.</summary>
        /// <exception cref="KeyNotFoundException">The file has no SeparableConv2D layer of that name.</exception>
        public KerasLayerInfo GetLayer(string layerName) =>
            _layers.TryGetValue(layerName, out KerasLayerInfo? layer)
                ? layer
                : throw new KeyNotFoundException(
                    $"'{Path}' has no SeparableConv2D layer named '{layerName}'; it has {(_layers.Count == 0 ? "none" : string.Join(", ", _layers.Keys))}.");

        /// <summary>Reads a layer's weights in the Keras layout.</summary>
        public SeparableConvWeights ReadWeights(string layerName)
        {
            KerasLayerInfo layer = GetLayer(layerName);
            IH5Group group = _weightsRoot.Group(layerName);
            (float[] depthwise, int[] depthwiseShape) = ReadDataset(group, layer, "depthwise_kernel");
            (float[] pointwise, int[] pointwiseShape) = ReadDataset(group, layer, "pointwise_kernel");
            float[]? bias = layer.UseBias ? ReadDataset(group, layer, "bias").Values : null;
            return new SeparableConvWeights(depthwise, depthwiseShape, pointwise, pointwiseShape, bias);
        }

        /// <summary>Reads a layer's weights and checks them against the shape a generated layer class expects.</summary>
        /// <exception cref="InvalidDataException">The weights do not have the expected shapes (the message names file, layer and both shapes).</exception>
        public SeparableConvWeights ReadWeights(string layerName, LayerShape expected)
        {
            SeparableConvWeights weights = ReadWeights(layerName);
            int[] depthwise = { expected.KernelHeight, expected.KernelWidth, expected.InChannels, expected.DepthMultiplier };
            int[] pointwise = { 1, 1, expected.InChannels * expected.DepthMultiplier, expected.OutChannels };
            Require(layerName, "depthwise kernel (kh, kw, in, dm)", weights.DepthwiseShape, depthwise);
            Require(layerName, "pointwise kernel (1, 1, in * dm, filters)", weights.PointwiseShape, pointwise);
            if (expected.UseBias != (weights.Bias is not null))
            {
                throw new InvalidDataException(
                    $"'{Path}', layer '{layerName}': the layer class {(expected.UseBias ? "expects a bias" : "has no bias")} but the file {(weights.Bias is null ? "has none" : "has one")}.");
            }

            return weights;
        }

        /// <summary>Closes the file.</summary>
        public void Dispose() => _file.Dispose();

        private void Require(string layerName, string what, IReadOnlyList<int> actual, int[] expected)
        {
            if (!actual.SequenceEqual(expected))
            {
                throw new InvalidDataException(
                    $"'{Path}', layer '{layerName}': the {what} is {Shape(actual)} in the file but {Shape(expected)} in the layer class.");
            }
        }

        private static string Shape(IEnumerable<int> shape) => "(" + string.Join(", ", shape) + ")";

        /// <summary>The layer names in model order (the <c>layer_names</c> attribute Keras writes), else the groups.</summary>
        private IEnumerable<string> LayerNames() => _weightsRoot.AttributeExists("layer_names")
            ? ReadStrings(_weightsRoot.Attribute("layer_names"))
            : _weightsRoot.Children().OfType<IH5Group>().Select(g => g.Name);

        private KerasLayerInfo? ReadLayer(string name, Dictionary<string, JsonElement> configs)
        {
            if (!_weightsRoot.LinkExists(name) || _weightsRoot.Get(name) is not IH5Group group || !group.AttributeExists("weight_names"))
            {
                return null;
            }

            string[] weightNames = ReadStrings(group.Attribute("weight_names"));
            string? depthwise = weightNames.FirstOrDefault(n => Kind(n) == "depthwise_kernel");
            string? pointwise = weightNames.FirstOrDefault(n => Kind(n) == "pointwise_kernel");
            bool hasConfig = configs.TryGetValue(name, out JsonElement config);
            if (depthwise is null || pointwise is null || (hasConfig && config.GetProperty("class_name").GetString() != "SeparableConv2D"))
            {
                return null;
            }

            int[] dw = Dimensions(group.Dataset(depthwise), name, depthwise);
            int[] pw = Dimensions(group.Dataset(pointwise), name, pointwise);
            if (dw.Length != 4 || pw.Length != 4)
            {
                throw new InvalidDataException($"'{Path}', layer '{name}': kernels of shapes {Shape(dw)} and {Shape(pw)} are not those of a SeparableConv2D.");
            }

            string prefix = _weightsRoot == _file ? string.Empty : "model_weights/";
            var layer = new KerasLayerInfo
            {
                Name = name,
                InChannels = dw[2],
                DepthMultiplier = dw[3],
                KernelHeight = dw[0],
                KernelWidth = dw[1],
                Filters = pw[3],
                UseBias = weightNames.Any(n => Kind(n) == "bias"),
                HasConfiguration = hasConfig,
                WeightPaths = weightNames.Select(n => $"{prefix}{name}/{n}").ToArray(),
            };
            if (!hasConfig)
            {
                return layer;
            }

            JsonElement c = config.GetProperty("config");
            (int sh, int sw) = Pair(c, "strides", 1);
            (int dh, int dwd) = Pair(c, "dilation_rate", 1);
            return layer with
            {
                StrideHeight = sh,
                StrideWidth = sw,
                DilationHeight = dh,
                DilationWidth = dwd,
                Padding = String(c, "padding", "valid"),
                DataFormat = String(c, "data_format", "channels_last"),
                Activation = String(c, "activation", "linear"),
            };
        }

        private (float[] Values, int[] Shape) ReadDataset(IH5Group group, KerasLayerInfo layer, string kind)
        {
            string path = layer.WeightPaths.First(p => Kind(p) == kind);
            string relative = path.Substring(path.IndexOf(layer.Name + "/", StringComparison.Ordinal) + layer.Name.Length + 1);
            IH5Dataset dataset = group.Dataset(relative);
            int[] shape = Dimensions(dataset, layer.Name, relative);
            float[] values = dataset.Type.Size == 8
                ? dataset.Read<double[]>().Select(v => (float)v).ToArray()
                : dataset.Read<float[]>();
            return (values, shape);
        }

        private int[] Dimensions(IH5Dataset dataset, string layer, string weight) =>
            dataset.Space.Dimensions.Select(d => d <= int.MaxValue
                ? (int)d
                : throw new InvalidDataException($"'{Path}', layer '{layer}': weight '{weight}' is too large.")).ToArray();

        /// <summary>"separable_conv2d_1_1/depthwise_kernel:0" is a "depthwise_kernel".</summary>
        private static string Kind(string weightName)
        {
            string last = weightName.Substring(weightName.LastIndexOf('/') + 1);
            int colon = last.IndexOf(':');
            return colon < 0 ? last : last.Substring(0, colon);
        }

        /// <summary>A string-array attribute; Keras writes layers without weights an empty one of another type.</summary>
        private static string[] ReadStrings(IH5Attribute attribute) =>
            attribute.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength
                ? attribute.Read<string[]>()
                : Array.Empty<string>();

        /// <summary>Every SeparableConv2D configuration of the model, by layer name (nested models included).</summary>
        private static Dictionary<string, JsonElement> ReadConfigurations(NativeFile file)
        {
            var configs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (!file.AttributeExists("model_config"))
            {
                return configs;
            }

            using JsonDocument document = JsonDocument.Parse(file.Attribute("model_config").Read<string>());
            Collect(document.RootElement.Clone(), configs);
            return configs;
        }

        private static void Collect(JsonElement element, Dictionary<string, JsonElement> configs)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("class_name", out JsonElement className) && element.TryGetProperty("config", out JsonElement config) &&
                    config.ValueKind == JsonValueKind.Object && config.TryGetProperty("name", out JsonElement name) &&
                    className.GetString() is "SeparableConv2D" or "SeparableConvolution2D")
                {
                    configs[name.GetString()!] = element;
                }

                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Collect(property.Value, configs);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Collect(item, configs);
                }
            }
        }

        private static (int, int) Pair(JsonElement config, string name, int fallback)
        {
            if (!config.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Array)
            {
                return (fallback, fallback);
            }

            int[] values = value.EnumerateArray().Select(v => v.GetInt32()).ToArray();
            return values.Length == 2 ? (values[0], values[1]) : (values[0], values[0]);
        }

        private static string String(JsonElement config, string name, string fallback) =>
            config.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : fallback;

        private static bool IsZip(string path)
        {
            using FileStream stream = File.OpenRead(path);
            return stream.ReadByte() == 'P' && stream.ReadByte() == 'K';
        }
    }
}

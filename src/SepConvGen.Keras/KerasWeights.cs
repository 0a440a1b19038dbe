using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using SepConvGen.Keras.Hdf5;
using SepConvGen.Keras.Reading;

namespace SepConvGen.Keras
{
    /// <summary>
    /// A trained Keras file: a Keras 3 <c>.keras</c> archive (also tf-keras 2.13+), an HDF5 model
    /// (<c>model.save('m.h5')</c>, Keras 2 or Keras 3's legacy format), or a weights-only file (Keras 2
    /// <c>save_weights('w.h5')</c>, Keras 3 <c>save_weights('m.weights.h5')</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// HDF5 model files name each layer's weights in its group's <c>weight_names</c> attribute, which is followed
    /// (never a guess at the inner group's name). Keras 3 stores a layer's variables at
    /// <c>layers/&lt;key&gt;/vars/0, 1, ...</c> where the key is the layer's class in snake case with a counter in
    /// the model's layer order, not the layer's name; layers are matched the way Keras matches them.
    /// </para>
    /// <para>
    /// A model file is untrusted input: a damaged or hostile file ends in <see cref="InvalidDataException"/>
    /// naming the file and what is wrong, never in another exception, a crash or a hang. HDF5 is read by
    /// SepConvGen.Keras itself (the part of the format Keras files use), which checks every address and size it
    /// reads against the file before following it or allocating anything of that size, and bounds every walk.
    /// Reading allocates at most 16 MiB plus 64 times the file's size: the file's bytes, an archive's members (at
    /// most 16 MiB plus 32 times the archive's size each), the configuration and the weights.
    /// </para>
    /// </remarks>
    public sealed class KerasWeights : IDisposable
    {
        private static readonly Regex SeparableKey = new("^separable_conv2d(_[0-9]+)?$", RegexOptions.CultureInvariant);
        private static readonly string[] SeparableVariables = { "depthwise_kernel", "pointwise_kernel", "bias" };

        private readonly Hdf5Tree? _tree;
        private readonly Dictionary<string, KerasLayerInfo> _separable = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string[]> _weightPaths = new(StringComparer.Ordinal);

        private KerasWeights(string path, KerasFileFormat format, Hdf5Tree? tree)
        {
            Path = path;
            Format = format;
            _tree = tree;
        }

        /// <summary>The file's path.</summary>
        public string Path { get; }

        /// <summary>What kind of Keras file this is.</summary>
        public KerasFileFormat Format { get; }

        /// <summary>Whether the file holds the model's configuration (strides, padding, ...); false for weights-only files.</summary>
        public bool HasConfiguration => Format is KerasFileFormat.Hdf5Model or KerasFileFormat.KerasArchive;

        /// <summary>The Keras version that wrote the file, when it says (e.g. <c>3.10.0</c>, <c>2.14.0</c>).</summary>
        public string? KerasVersion { get; private set; }

        /// <summary>Every layer of the file in the model's order (nested models' layers in place of the model).</summary>
        public IReadOnlyList<KerasLayerSummary> Layers { get; private set; } = Array.Empty<KerasLayerSummary>();

        /// <summary>The SeparableConv2D layers, in the model's order.</summary>
        public IReadOnlyList<KerasLayerInfo> SeparableConvLayers { get; private set; } = Array.Empty<KerasLayerInfo>();

        /// <summary>The model's configuration (the root of <c>model_config</c> or <c>config.json</c>), where the file holds one.</summary>
        internal JsonElement? Configuration { get; private set; }

        /// <summary>The configuration's layers, nested models flattened, with the keys Keras 3 stores their weights under.</summary>
        internal IReadOnlyList<ConfigLayer> ConfigLayers { get; private set; } = Array.Empty<ConfigLayer>();

        /// <summary>Where a layer's weights are, in the order Keras creates them (empty for a layer without weights).</summary>
        internal IReadOnlyList<string> WeightPathsOf(string layerName) =>
            _weightPaths.TryGetValue(layerName, out string[]? paths) ? paths : Array.Empty<string>();

        /// <summary>
        /// Every weight array of a layer, in the order Keras creates them (Conv2D and Dense: kernel, bias;
        /// BatchNormalization: gamma, beta, moving mean, moving variance, without those its scale and center leave out),
        /// row-major in Keras' layouts; empty for a layer without weights.
        /// </summary>
        /// <exception cref="KeyNotFoundException">The file has no layer of that name.</exception>
        /// <exception cref="InvalidDataException">A weight is damaged.</exception>
        public IReadOnlyList<float[]> ReadLayerWeights(string layerName)
        {
            if (!Layers.Any(l => l.Name == layerName) && !_weightPaths.ContainsKey(layerName))
            {
                throw new KeyNotFoundException($"'{Path}' has no layer '{layerName}'.");
            }

            return WeightPathsOf(layerName).Select(path => ReadArray(path).Values).ToArray();
        }

        /// <summary>One weight array and its shape.</summary>
        /// <exception cref="InvalidDataException">The weight is damaged.</exception>
        internal (float[] Values, int[] Shape) ReadArray(string weightPath)
        {
            try
            {
                return _tree!.ReadFloats(weightPath);
            }
            catch (Exception e) when (e is not IOException and not UnauthorizedAccessException || e is EndOfStreamException)
            {
                throw Damaged(Path, e);
            }
        }

        /// <summary>Opens a Keras file: <c>.keras</c>, <c>.h5</c>/<c>.hdf5</c> or <c>.weights.h5</c>, told apart by their contents.</summary>
        /// <exception cref="FileNotFoundException">There is no such file.</exception>
        /// <exception cref="InvalidDataException">The file is not one Keras could have written, or it is damaged (the message names the file and what is wrong).</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
        public static KerasWeights Open(string path)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"There is no Keras file '{path}'.", path);
            }

            using FileStream stream = File.OpenRead(path);
            try
            {
                long length = stream.Length;
                if (length > UntrustedFile.MaxLength)
                {
                    throw new InvalidDataException($"it is {length} bytes, larger than the {UntrustedFile.MaxLength} bytes read");
                }

                Span<byte> head = stackalloc byte[4];
                int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                stream.Position = 0;
                if (read == 4 && head.SequenceEqual("PK\u0003\u0004"u8))
                {
                    return FromArchive(path, KerasArchive.Read(stream, length));
                }

                var bytes = new byte[length];
                stream.ReadExactly(bytes);
                if (Hdf5File.FindSuperblock(bytes) < 0)
                {
                    throw new InvalidDataException("it is neither an HDF5 file (.h5) nor a zip archive (.keras)");
                }

                return FromHdf5(path, Hdf5Tree.Open(bytes));
            }
            catch (Exception e) when (e is not IOException and not UnauthorizedAccessException || e is EndOfStreamException)
            {
                throw Damaged(path, e);
            }
        }

        /// <summary>The layer named <paramref name="layerName"/>.</summary>
        /// <exception cref="KeyNotFoundException">The file has no SeparableConv2D layer of that name.</exception>
        public KerasLayerInfo GetLayer(string layerName) =>
            _separable.TryGetValue(layerName, out KerasLayerInfo? layer)
                ? layer
                : throw new KeyNotFoundException(
                    $"'{Path}' has no SeparableConv2D layer named '{layerName}'; it has {(_separable.Count == 0 ? "none" : string.Join(", ", _separable.Keys))}.");

        /// <summary>Reads a layer's weights in the Keras layout.</summary>
        /// <exception cref="KeyNotFoundException">The file has no SeparableConv2D layer of that name.</exception>
        /// <exception cref="InvalidDataException">The weights are damaged.</exception>
        public SeparableConvWeights ReadWeights(string layerName)
        {
            KerasLayerInfo layer = GetLayer(layerName);
            try
            {
                (float[] depthwise, int[] depthwiseShape) = _tree!.ReadFloats(WeightPath(layer, "depthwise_kernel")!);
                (float[] pointwise, int[] pointwiseShape) = _tree.ReadFloats(WeightPath(layer, "pointwise_kernel")!);
                float[]? bias = WeightPath(layer, "bias") is string biasPath ? _tree.ReadFloats(biasPath).Values : null;
                if (depthwise.Length != layer.KernelHeight * layer.KernelWidth * layer.InChannels * layer.DepthMultiplier ||
                    pointwise.Length != layer.InChannels * layer.DepthMultiplier * layer.Filters || (bias is not null && bias.Length != layer.Filters))
                {
                    throw new InvalidDataException($"layer '{layerName}': the weights' sizes do not match their shapes");
                }

                return new SeparableConvWeights(depthwise, depthwiseShape, pointwise, pointwiseShape, bias);
            }
            catch (Exception e) when (e is not IOException and not UnauthorizedAccessException || e is EndOfStreamException)
            {
                throw Damaged(Path, e);
            }
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

        /// <summary>Releases the file's bytes (the file itself is closed once <see cref="Open"/> returns).</summary>
        public void Dispose()
        {
        }

        /// <summary>
        /// What any failure while reading the file becomes. An <see cref="OutOfMemoryException"/> here is one
        /// allocation of a size the HDF5 parser read out of the damaged file (up to 2 GB), refused by the runtime:
        /// the heap itself is fine, so it is reported like any other damage.
        /// </summary>
        private static InvalidDataException Damaged(string path, Exception e) => e switch
        {
            InvalidDataException when e.Message.StartsWith($"'{path}'", StringComparison.Ordinal) => (InvalidDataException)e,
            OutOfMemoryException => new InvalidDataException($"'{path}' is not a Keras file that can be read: it claims a structure too large to allocate.", e),
            _ => new InvalidDataException($"'{path}' is not a Keras file that can be read: {e.Message.TrimEnd('.')}.", e),
        };

        private static KerasWeights FromArchive(string path, KerasArchive archive)
        {
            string? version = null;
            if (archive.Metadata is not null)
            {
                using JsonDocument metadata = JsonDocument.Parse(archive.Metadata);
                version = metadata.RootElement.ValueKind == JsonValueKind.Object && metadata.RootElement.TryGetProperty("keras_version", out JsonElement v) &&
                          v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            }

            if (archive.Weights is null)
            {
                KerasWeights empty = FromConfig(path, KerasFileFormat.KerasArchive, tree: null, archive.Config, archive: true);
                empty.KerasVersion = version;
                return empty;
            }

            KerasWeights file = FromConfig(path, KerasFileFormat.KerasArchive, Hdf5Tree.Open(archive.Weights), archive.Config, archive: true);
            file.KerasVersion = version;
            return file;
        }

        private static KerasWeights FromHdf5(string path, Hdf5Tree tree)
        {
            string? config = Hdf5Tree.StringAttribute(tree.Root, "model_config");
            Hdf5Object weightsRoot = Hdf5Tree.Group(tree.Root, "model_weights") ?? tree.Root;
            KerasWeights file = config is not null
                ? FromConfig(path, KerasFileFormat.Hdf5Model, tree, System.Text.Encoding.UTF8.GetBytes(config), archive: false)
                : Hdf5Tree.StringsAttribute(weightsRoot, "layer_names").Length > 0 || weightsRoot.HasAttribute("layer_names")
                    ? WeightsByName(path, KerasFileFormat.Hdf5Weights, tree, weightsRoot, configs: null)
                    : VariablesOnly(path, tree);
            file.KerasVersion ??= Hdf5Tree.StringAttribute(weightsRoot, "keras_version") ?? Hdf5Tree.StringAttribute(tree.Root, "keras_version");
            return file;
        }

        /// <summary>A file with a configuration: an HDF5 model (weights by <c>weight_names</c>) or an archive (weights by Keras 3 keys).</summary>
        private static KerasWeights FromConfig(string path, KerasFileFormat format, Hdf5Tree? tree, byte[] json, bool archive)
        {
            JsonElement root;
            using (JsonDocument document = JsonDocument.Parse(json))
            {
                root = document.RootElement.Clone();
            }

            IReadOnlyList<ConfigLayer> layers = ModelConfig.Layers(root);
            KerasWeights file;
            if (archive)
            {
                file = new KerasWeights(path, format, tree);
                Dictionary<string, string> variables = tree is null
                    ? new Dictionary<string, string>(StringComparer.Ordinal)
                    : tree.VariableGroups().GroupBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Path, StringComparer.Ordinal);
                foreach (ConfigLayer layer in layers)
                {
                    if (variables.TryGetValue(layer.WeightsKey, out string? vars))
                    {
                        file._weightPaths.TryAdd(layer.Name, Hdf5Tree.NumberedChildren(tree!.Root.Resolve(vars)).Select(n => $"{vars}/{n}").ToArray());
                    }
                }

                var separable = new List<KerasLayerInfo>();
                foreach (ConfigLayer layer in layers.Where(l => IsSeparable(l.ClassName)))
                {
                    if (!variables.TryGetValue(layer.WeightsKey, out string? varsPath))
                    {
                        throw new InvalidDataException(
                            $"SeparableConv2D layer '{layer.Name}' has no weights: Keras stores them under '{layer.WeightsKey}', which model.weights.h5 lacks");
                    }

                    separable.Add(file.Add(Configured(VariablesLayer(tree!, layer.Name, layer.WeightsKey, varsPath), layer.Config)));
                }

                file.SeparableConvLayers = separable;
            }
            else
            {
                Dictionary<string, ConfigLayer> configs = layers.GroupBy(l => l.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                file = WeightsByName(path, format, tree!, Hdf5Tree.Group(tree!.Root, "model_weights") ?? tree.Root, configs);
            }

            file.Layers = layers.Select(l => new KerasLayerSummary(l.Name, l.ClassName)).ToArray();
            file.Configuration = root;
            file.ConfigLayers = layers;
            return file;
        }

        /// <summary>HDF5 files that list their layers in <c>layer_names</c> and each layer's weights in <c>weight_names</c>.</summary>
        /// <remarks>
        /// With a configuration, a layer the configuration calls something else is skipped; one it does not name (a
        /// nested model's group) is listed without configuration.
        /// </remarks>
        private static KerasWeights WeightsByName(string path, KerasFileFormat format, Hdf5Tree tree, Hdf5Object root, Dictionary<string, ConfigLayer>? configs)
        {
            var file = new KerasWeights(path, format, tree);
            string[] names = Hdf5Tree.StringsAttribute(root, "layer_names");
            string prefix = ReferenceEquals(root, tree.Root) ? string.Empty : "model_weights/";
            var separable = new List<KerasLayerInfo>();
            foreach (string name in names)
            {
                if (Hdf5Tree.Group(root, name) is not Hdf5Object group)
                {
                    continue;
                }

                string[] weightNames = Hdf5Tree.StringsAttribute(group, "weight_names");
                file._weightPaths.TryAdd(name, weightNames.Select(n => $"{prefix}{name}/{n}").ToArray());
                string? depthwise = weightNames.FirstOrDefault(n => Kind(n) == "depthwise_kernel");
                string? pointwise = weightNames.FirstOrDefault(n => Kind(n) == "pointwise_kernel");
                ConfigLayer? config = null;
                if (depthwise is null || pointwise is null || (configs is not null && configs.TryGetValue(name, out config) && !IsSeparable(config.ClassName)))
                {
                    continue;
                }

                int[] dw = Hdf5Tree.Dimensions(group.Resolve(depthwise));
                int[] pw = Hdf5Tree.Dimensions(group.Resolve(pointwise));
                var layer = Separable(name, name, dw, pw, weightNames.Any(n => Kind(n) == "bias"), weightNames.Select(n => $"{prefix}{name}/{n}").ToArray());
                separable.Add(file.Add(config is null ? layer : Configured(layer, config.Config)));
            }

            file.SeparableConvLayers = separable;
            file.Layers = names.Select(n => new KerasLayerSummary(n, null)).ToArray();
            return file;
        }

        /// <summary>A Keras 3 weights file: only the variables' keys and shapes tell what each layer is.</summary>
        private static KerasWeights VariablesOnly(string path, Hdf5Tree tree)
        {
            IReadOnlyList<(string Key, string Path)> groups = tree.VariableGroups();
            if (groups.Count == 0)
            {
                throw new InvalidDataException("it is an HDF5 file but not one Keras wrote: no model_config, layer_names or layers/.../vars");
            }

            var file = new KerasWeights(path, KerasFileFormat.Keras3Weights, tree);
            var separable = new List<KerasLayerInfo>();
            foreach ((string key, string varsPath) in groups)
            {
                string last = key.Substring(key.LastIndexOf('/') + 1);
                if (SeparableKey.IsMatch(last) && separable.All(l => l.Name != key))
                {
                    separable.Add(file.Add(VariablesLayer(tree, key, key, varsPath)));
                }
            }

            // HDF5 lists an old-style group's members by name (separable_conv2d_10 before _2); the counter is the model's order.
            file.SeparableConvLayers = separable.OrderBy(l => l.Name.Substring(0, l.Name.LastIndexOf('/') + 1), StringComparer.Ordinal)
                .ThenBy(l => SeparableKey.Match(l.Name.Substring(l.Name.LastIndexOf('/') + 1)).Groups[1].Value is { Length: > 0 } counter
                    ? (long.TryParse(counter.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue)
                    : 0)
                .ToArray();
            file.Layers = groups.Select(g => g.Key).Where(k => k != "optimizer" && !k.StartsWith("optimizer/", StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal).Select(k => new KerasLayerSummary(k, null)).ToArray();
            return file;
        }

        /// <summary>A SeparableConv2D stored the Keras 3 way: <c>vars/0</c> depthwise, <c>vars/1</c> pointwise, <c>vars/2</c> bias.</summary>
        private static KerasLayerInfo VariablesLayer(Hdf5Tree tree, string name, string key, string varsPath)
        {
            Hdf5Object vars = tree.Root.Resolve(varsPath);
            if (vars.Child("0") is not { IsDataset: true } depthwise || vars.Child("1") is not { IsDataset: true } pointwise)
            {
                throw new InvalidDataException($"SeparableConv2D layer '{name}' lacks its kernels at '{varsPath}/0' and '{varsPath}/1'");
            }

            int[] dw = Hdf5Tree.Dimensions(depthwise);
            int[] pw = Hdf5Tree.Dimensions(pointwise);
            bool bias = vars.Child("2") is not null;
            string[] paths = Enumerable.Range(0, bias ? 3 : 2).Select(i => $"{varsPath}/{i}").ToArray();
            return Separable(name, key, dw, pw, bias, paths);
        }

        private static KerasLayerInfo Separable(string name, string weightsName, int[] dw, int[] pw, bool bias, string[] paths)
        {
            if (dw.Length != 4 || pw.Length != 4 || pw[0] != 1 || pw[1] != 1 || (long)dw[2] * dw[3] != pw[2] || dw.Concat(pw).Any(d => d < 1))
            {
                throw new InvalidDataException(
                    $"layer '{name}': kernels of shapes {Shape(dw)} and {Shape(pw)} are not those of a SeparableConv2D ((kh, kw, in, dm) and (1, 1, in * dm, filters))");
            }

            return new KerasLayerInfo
            {
                Name = name,
                WeightsName = weightsName,
                InChannels = dw[2],
                DepthMultiplier = dw[3],
                KernelHeight = dw[0],
                KernelWidth = dw[1],
                Filters = pw[3],
                UseBias = bias,
                HasConfiguration = false,
                WeightPaths = paths,
            };
        }

        /// <summary>The layer with what its configuration adds: strides, dilation, padding, data format, activation.</summary>
        private static KerasLayerInfo Configured(KerasLayerInfo layer, JsonElement config)
        {
            JsonElement c = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("config", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object
                ? inner
                : config;
            if (c.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"layer '{layer.Name}' has no configuration object");
            }

            (int sh, int sw) = Pair(c, "strides", layer.Name);
            (int dh, int dwd) = Pair(c, "dilation_rate", layer.Name);
            return layer with
            {
                HasConfiguration = true,
                StrideHeight = sh,
                StrideWidth = sw,
                DilationHeight = dh,
                DilationWidth = dwd,
                Padding = String(c, "padding", "valid"),
                DataFormat = String(c, "data_format", "channels_last"),
                Activation = String(c, "activation", "linear"),
            };
        }

        private KerasLayerInfo Add(KerasLayerInfo layer)
        {
            if (!_separable.TryAdd(layer.Name, layer))
            {
                throw new InvalidDataException($"two SeparableConv2D layers are named '{layer.Name}'");
            }

            return layer;
        }

        private static bool IsSeparable(string className) => className is "SeparableConv2D" or "SeparableConvolution2D";

        private void Require(string layerName, string what, IReadOnlyList<int> actual, int[] expected)
        {
            if (!actual.SequenceEqual(expected))
            {
                throw new InvalidDataException(
                    $"'{Path}', layer '{layerName}': the {what} is {Shape(actual)} in the file but {Shape(expected)} in the layer class.");
            }
        }

        private static string Shape(IEnumerable<int> shape) => "(" + string.Join(", ", shape) + ")";

        /// <summary>The path of a layer's weight of one kind: by name (<c>..._1/depthwise_kernel:0</c>) or by position (<c>vars/0</c>).</summary>
        private static string? WeightPath(KerasLayerInfo layer, string kind) => layer.WeightPaths.FirstOrDefault(p => Kind(p) == kind);

        /// <summary>"separable_conv2d_1_1/depthwise_kernel:0" is a "depthwise_kernel"; ".../vars/1" the SeparableConv2D's second variable.</summary>
        private static string Kind(string weightPath)
        {
            string[] segments = weightPath.Split('/');
            string last = segments[^1];
            if (segments.Length > 1 && segments[^2] == "vars")
            {
                return int.TryParse(last, out int index) && index >= 0 && index < SeparableVariables.Length ? SeparableVariables[index] : last;
            }

            int colon = last.IndexOf(':');
            return colon < 0 ? last : last.Substring(0, colon);
        }

        private static (int, int) Pair(JsonElement config, string name, string layer)
        {
            if (!config.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return (1, 1);
            }

            int[] values = value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Select(v => Positive(v, name, layer)).ToArray()
                : new[] { Positive(value, name, layer) };
            return values.Length switch
            {
                1 => (values[0], values[0]),
                2 => (values[0], values[1]),
                _ => throw new InvalidDataException($"layer '{layer}': '{name}' has {values.Length} values, not 1 or 2"),
            };
        }

        private static int Positive(JsonElement value, string name, string layer) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 1
                ? n
                : throw new InvalidDataException($"layer '{layer}': '{name}' holds {value.GetRawText()}, not a positive integer");

        private static string String(JsonElement config, string name, string fallback) =>
            !config.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? fallback
            : value.ValueKind == JsonValueKind.String ? value.GetString()!
            : value.GetRawText();
    }
}

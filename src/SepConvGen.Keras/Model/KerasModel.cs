using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using SepConvGen.Keras.Reading;

namespace SepConvGen.Keras.Model
{
    /// <summary>A layer of the model graph: what it computes, what it reads, the shape it writes (without the batch).</summary>
    internal sealed record ModelLayer(string Name, string ClassName, Operation Operation, IReadOnlyList<string> Inputs, IReadOnlyList<int> Shape);

    /// <summary>A layer the graph cannot run, and why.</summary>
    internal sealed record UnsupportedLayer(string Name, string ClassName, string Reason)
    {
        public override string ToString() => $"{Name} ({ClassName}): {Reason}";
    }

    /// <summary>
    /// A Keras model as a graph of inference operations in evaluation order, read from a file's configuration
    /// (Functional and Sequential, Keras 2 and Keras 3 forms), with every layer's output shape. Layers outside the
    /// supported classes or arguments are listed in <see cref="Unsupported"/> by name, class and reason; nothing
    /// is approximated.
    /// </summary>
    internal sealed class KerasModel
    {
        private static readonly HashSet<string> Identities = new(StringComparer.Ordinal) { "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout" };

        private KerasModel(IReadOnlyList<ModelLayer> layers, IReadOnlyList<string> outputs, IReadOnlyList<UnsupportedLayer> unsupported)
        {
            Layers = layers;
            Outputs = outputs;
            Unsupported = unsupported;
        }

        /// <summary>The layers in an order where each comes after the layers it reads.</summary>
        public IReadOnlyList<ModelLayer> Layers { get; }

        /// <summary>The layers whose outputs are the model's.</summary>
        public IReadOnlyList<string> Outputs { get; }

        public IReadOnlyList<UnsupportedLayer> Unsupported { get; }

        public ModelLayer Input => Layers[0];

        /// <summary>The graph of a file with a configuration.</summary>
        /// <exception cref="InvalidOperationException">The file holds weights only.</exception>
        /// <exception cref="InvalidDataException">The configuration is damaged (names the file).</exception>
        public static KerasModel From(KerasWeights file)
        {
            if (file.Configuration is not JsonElement root)
            {
                throw new InvalidOperationException($"'{file.Path}' holds weights only: a model needs the configuration (a .keras archive or a model .h5).");
            }

            try
            {
                return Build(root, file.ConfigLayers);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException or KeyNotFoundException or JsonException or OverflowException)
            {
                throw new InvalidDataException($"'{file.Path}': its model configuration cannot be read: {e.Message.TrimEnd('.')}.", e);
            }
        }

        private static KerasModel Build(JsonElement root, IReadOnlyList<ConfigLayer> configLayers)
        {
            bool sequential = Text(root, "class_name") == "Sequential";
            var layers = new List<ModelLayer>();
            var unsupported = new List<UnsupportedLayer>();
            var shapes = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
            foreach (ConfigLayer config in configLayers)
            {
                if (config.WeightsKey.Contains('/'))
                {
                    unsupported.Add(new UnsupportedLayer(config.Name, config.ClassName, "a layer of a nested model (nested models are not supported)"));
                    continue;
                }

                if (layers.Count == 0 && config.ClassName != "InputLayer")
                {
                    // Keras 2 Sequential models may start without an InputLayer: the first layer carries the input shape.
                    layers.Add(new ModelLayer(config.Name + "_input", "InputLayer", new InputOperation(InputShape(config.Config)), Array.Empty<string>(), InputShape(config.Config)));
                }

                IReadOnlyList<string> inputs = config.ClassName == "InputLayer" ? Array.Empty<string>()
                    : sequential ? new[] { layers[^1].Name }
                    : Inbound(config.Entry, config.Name);
                (Operation? operation, string? reason) = Operation(config.ClassName, config.Config);
                string? missing = inputs.FirstOrDefault(i => !shapes.ContainsKey(i));
                if (operation is not null && missing is not null)
                {
                    // The layer's own arguments are fine: it fails only for what it reads (its own problem is reported first).
                    unsupported.Add(new UnsupportedLayer(config.Name, config.ClassName, $"it reads '{missing}', which is not a layer before it that can run"));
                    continue;
                }
                IReadOnlyList<int>? shape = null;
                if (operation is BatchNormalizationOperation norm && inputs.Count == 1)
                {
                    // Keras counts the axis with the batch, negative ones from the end: -1 is the last axis at any rank.
                    operation = norm with { Axis = (norm.Axis < 0 ? shapes[inputs[0]].Count + 1 + norm.Axis : norm.Axis) - 1 };
                }

                if (operation is not null)
                {
                    (shape, reason) = OutputShape(operation, inputs.Select(i => shapes[i]).ToArray());
                }

                if (shape is null)
                {
                    unsupported.Add(new UnsupportedLayer(config.Name, config.ClassName, reason!));
                    continue;
                }

                shapes[config.Name] = shape;
                layers.Add(new ModelLayer(config.Name, config.ClassName, operation!, inputs, shape));
            }

            if (layers.Count == 0 || layers[0].Operation is not InputOperation || layers.Count(l => l.Operation is InputOperation) > 1)
            {
                unsupported.Add(new UnsupportedLayer("(model)", Text(root, "class_name") ?? "?", "a model needs exactly one input"));
            }

            IReadOnlyList<string> outputs = sequential || layers.Count == 0 ? new[] { layers.Count == 0 ? "(none)" : layers[^1].Name } : Ends(root, "output_layers");
            if (outputs.Count != 1)
            {
                unsupported.Add(new UnsupportedLayer("(model)", Text(root, "class_name") ?? "?", $"it has {outputs.Count} outputs; one is supported"));
            }

            return new KerasModel(layers, outputs, unsupported);
        }

        /// <summary>The layers a layer reads: Keras 2's <c>[[["name", 0, 0, {}]]]</c> or Keras 3's <c>[{"args": [keras tensors]}]</c>.</summary>
        private static IReadOnlyList<string> Inbound(JsonElement entry, string name)
        {
            if (!entry.TryGetProperty("inbound_nodes", out JsonElement nodes) || nodes.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"layer '{name}' has no inbound_nodes");
            }

            if (nodes.GetArrayLength() != 1)
            {
                throw new InvalidDataException($"layer '{name}' is called {nodes.GetArrayLength()} times (shared layers are not supported)");
            }

            JsonElement node = nodes[0];
            var inputs = new List<string>();
            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement tensor in node.EnumerateArray())
                {
                    inputs.Add(tensor.ValueKind == JsonValueKind.Array && tensor.GetArrayLength() >= 1 && tensor[0].ValueKind == JsonValueKind.String
                        ? tensor[0].GetString()!
                        : throw new InvalidDataException($"layer '{name}' has an inbound tensor that names no layer"));
                }
            }
            else if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("args", out JsonElement args))
            {
                CollectKerasTensors(args, inputs, 0);
            }

            return inputs.Count > 0 ? inputs : throw new InvalidDataException($"layer '{name}' reads nothing");
        }

        private static void CollectKerasTensors(JsonElement element, List<string> inputs, int depth)
        {
            if (depth > 8)
            {
                return;
            }

            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in element.EnumerateArray())
                {
                    CollectKerasTensors(item, inputs, depth + 1);
                }
            }
            else if (element.ValueKind == JsonValueKind.Object && Text(element, "class_name") == "__keras_tensor__" &&
                     element.TryGetProperty("config", out JsonElement config) && config.TryGetProperty("keras_history", out JsonElement history) &&
                     history.ValueKind == JsonValueKind.Array && history.GetArrayLength() >= 1 && history[0].ValueKind == JsonValueKind.String)
            {
                inputs.Add(history[0].GetString()!);
            }
        }

        /// <summary>The layer names of <c>output_layers</c> (<c>[["name", 0, 0]]</c>, or one <c>["name", 0, 0]</c>).</summary>
        private static IReadOnlyList<string> Ends(JsonElement root, string property)
        {
            JsonElement config = root.GetProperty("config");
            if (!config.TryGetProperty(property, out JsonElement ends) || ends.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"the model has no '{property}'");
            }

            return ends.GetArrayLength() > 0 && ends[0].ValueKind == JsonValueKind.String
                ? new[] { ends[0].GetString()! }
                : ends.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0 && e[0].ValueKind == JsonValueKind.String
                    ? e[0].GetString()!
                    : throw new InvalidDataException($"'{property}' names no layer")).ToArray();
        }

        /// <summary>The operation of a layer class with its arguments, or why it cannot run.</summary>
        private static (Operation?, string?) Operation(string className, JsonElement c)
        {
            try
            {
                return className switch
                {
                    "InputLayer" => (new InputOperation(InputShape(c)), null),
                    "Conv2D" or "Convolution2D" => Convolution("Conv2D", c),
                    "DepthwiseConv2D" => Convolution("DepthwiseConv2D", c),
                    "SeparableConv2D" or "SeparableConvolution2D" => Convolution("SeparableConv2D", c),
                    "BatchNormalization" => (new BatchNormalizationOperation(Axis(c), Number(c, "epsilon", 1e-3), Bool(c, "center", true), Bool(c, "scale", true)), null),
                    "Activation" => ActivationOf(c, "activation") is ActivationFunction a ? (new ActivationOperation(a), null) : (null, $"activation '{Raw(c, "activation")}' is not supported"),
                    "ReLU" => (new ActivationOperation(new ActivationFunction("relu", Number(c, "negative_slope", 0), NullableNumber(c, "max_value"), Number(c, "threshold", 0))), null),
                    "ELU" => (new ActivationOperation(new ActivationFunction("elu", Number(c, "alpha", 1))), null),
                    "LeakyReLU" => (new ActivationOperation(new ActivationFunction("relu", NullableNumber(c, "negative_slope") ?? Number(c, "alpha", 0.3))), null),
                    "Dense" => ActivationOf(c, "activation") is ActivationFunction a
                        ? (new DenseOperation(Int(c, "units"), Bool(c, "use_bias", true), a), null)
                        : (null, $"activation '{Raw(c, "activation")}' is not supported"),
                    "MaxPooling2D" or "AveragePooling2D" => Pooling(className == "MaxPooling2D", c),
                    "GlobalAveragePooling2D" or "GlobalMaxPooling2D" =>
                        (new GlobalPoolingOperation(className == "GlobalMaxPooling2D", ChannelsFirst(c), Bool(c, "keepdims", false)), null),
                    "Flatten" => (new FlattenOperation(ChannelsFirst(c)), null),
                    "Add" => (new AddOperation(), null),
                    _ when Identities.Contains(className) => (new IdentityOperation(), null),
                    _ => (null, "this layer class is not supported (InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, BatchNormalization, Activation, " +
                                "ReLU, ELU, LeakyReLU, Dense, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Add, Dropout, " +
                                "SpatialDropout2D, GaussianNoise, GaussianDropout are)"),
                };
            }
            catch (UnsupportedArgument e)
            {
                return (null, e.Message);
            }
        }

        private static (Operation?, string?) Convolution(string kind, JsonElement c)
        {
            (int kh, int kw) = Pair(c, "kernel_size", null);
            (int sh, int sw) = Pair(c, "strides", 1);
            (int dh, int dw) = Pair(c, "dilation_rate", 1);
            if (c.TryGetProperty("groups", out JsonElement groups) && groups.ValueKind == JsonValueKind.Number && groups.GetInt32() != 1)
            {
                return (null, $"groups={groups.GetInt32()} is not supported (only 1)");
            }

            if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1))
            {
                return (null, "strides and dilation_rate are both above 1, which Keras rejects");
            }

            if (ActivationOf(c, "activation") is not ActivationFunction activation)
            {
                return (null, $"activation '{Raw(c, "activation")}' is not supported");
            }

            return (new ConvolutionOperation(kind, kind == "DepthwiseConv2D" ? 0 : Int(c, "filters"), kh, kw, sh, sw, dh, dw, Same(c), ChannelsFirst(c),
                kind == "Conv2D" ? 1 : c.TryGetProperty("depth_multiplier", out JsonElement m) && m.ValueKind == JsonValueKind.Number ? Positive(m, "depth_multiplier") : 1,
                Bool(c, "use_bias", true), activation), null);
        }

        private static (Operation?, string?) Pooling(bool max, JsonElement c)
        {
            (int ph, int pw) = Pair(c, "pool_size", 2);
            bool hasStrides = c.TryGetProperty("strides", out JsonElement strides) && strides.ValueKind != JsonValueKind.Null;
            (int sh, int sw) = hasStrides ? Pair(c, "strides", 1) : (ph, pw);
            return (new PoolingOperation(max, ph, pw, sh, sw, Same(c), ChannelsFirst(c)), null);
        }

        /// <summary>The output shape of an operation on inputs of the given shapes, or why it cannot run.</summary>
        private static (IReadOnlyList<int>?, string?) OutputShape(Operation operation, IReadOnlyList<int>[] inputs)
        {
            if (operation is InputOperation input)
            {
                return (input.Shape, null);
            }

            if (operation is AddOperation)
            {
                return inputs.Length >= 2 && inputs.All(i => i.SequenceEqual(inputs[0])) ? (inputs[0], null) : (null, "Add needs two or more inputs of one shape");
            }

            if (inputs.Length != 1)
            {
                return (null, $"it reads {inputs.Length} tensors; one is supported");
            }

            IReadOnlyList<int> shape = inputs[0];
            switch (operation)
            {
                case ConvolutionOperation conv:
                    if (shape.Count != 3)
                    {
                        return (null, $"its input has rank {shape.Count + 1}; 4 (batch, height, width, channels) is supported");
                    }

                    (int h, int w, int ch) = conv.ChannelsFirst ? (shape[1], shape[2], shape[0]) : (shape[0], shape[1], shape[2]);
                    int outH = Extent(h, conv.KernelHeight, conv.StrideHeight, conv.DilationHeight, conv.Same);
                    int outW = Extent(w, conv.KernelWidth, conv.StrideWidth, conv.DilationWidth, conv.Same);
                    int channels = conv.Kind == "DepthwiseConv2D" ? ch * conv.DepthMultiplier : conv.Filters;
                    return outH < 1 || outW < 1 ? (null, $"its {h}x{w} input is smaller than its kernel") : (Image(outH, outW, channels, conv.ChannelsFirst), null);
                case PoolingOperation pool:
                    if (shape.Count != 3)
                    {
                        return (null, $"its input has rank {shape.Count + 1}; 4 is supported");
                    }

                    (h, w, ch) = pool.ChannelsFirst ? (shape[1], shape[2], shape[0]) : (shape[0], shape[1], shape[2]);
                    outH = Extent(h, pool.PoolHeight, pool.StrideHeight, 1, pool.Same);
                    outW = Extent(w, pool.PoolWidth, pool.StrideWidth, 1, pool.Same);
                    return outH < 1 || outW < 1 ? (null, $"its {h}x{w} input is smaller than its pool") : (Image(outH, outW, ch, pool.ChannelsFirst), null);
                case GlobalPoolingOperation global:
                    if (shape.Count != 3)
                    {
                        return (null, $"its input has rank {shape.Count + 1}; 4 is supported");
                    }

                    ch = global.ChannelsFirst ? shape[0] : shape[2];
                    return (global.KeepDims ? Image(1, 1, ch, global.ChannelsFirst) : new[] { ch }, null);
                case FlattenOperation:
                    long size = shape.Aggregate(1L, (a, d) => a * d);
                    return size <= int.MaxValue ? (new[] { (int)size }, null) : (null, "it flattens more than int.MaxValue values");
                case DenseOperation dense:
                    return (shape.Take(shape.Count - 1).Append(dense.Units).ToArray(), null);
                case BatchNormalizationOperation norm:
                    return norm.Axis < 0 || norm.Axis >= shape.Count ? (null, $"axis {norm.Axis + 1} does not fit an input of rank {shape.Count + 1}")
                        : (shape, null);
                default:
                    return (shape, null);
            }
        }

        private static int[] Image(int height, int width, int channels, bool channelsFirst) =>
            channelsFirst ? new[] { channels, height, width } : new[] { height, width, channels };

        /// <summary>TensorFlow's output extent: ceil(in / s) for SAME, (in - ((k - 1) * d + 1)) / s + 1 for VALID.</summary>
        public static int Extent(int input, int kernel, int stride, int dilation, bool same) =>
            same ? (input + stride - 1) / stride : input - ((kernel - 1) * dilation + 1) < 0 ? 0 : ((input - ((kernel - 1) * dilation + 1)) / stride) + 1;

        private static IReadOnlyList<int> InputShape(JsonElement c)
        {
            JsonElement shape = c.TryGetProperty("batch_shape", out JsonElement s3) ? s3
                : c.TryGetProperty("batch_input_shape", out JsonElement s2) ? s2
                : throw new UnsupportedArgument("it has no input shape (batch_input_shape / batch_shape)");
            if (shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() < 2)
            {
                throw new UnsupportedArgument("its input shape is not a list of two or more dimensions");
            }

            return shape.EnumerateArray().Skip(1).Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int n) && n >= 1
                ? n
                : throw new UnsupportedArgument("its input shape has a dimension that is not fixed; give the model a fixed input shape")).ToArray();
        }

        private static ActivationFunction? ActivationOf(JsonElement c, string property)
        {
            if (!c.TryGetProperty(property, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return ActivationFunction.Linear;
            }

            // Keras 3 may write a built-in activation as {"class_name": "function", "config": "relu", ...}.
            string? name = value.ValueKind == JsonValueKind.String ? value.GetString()
                : value.ValueKind == JsonValueKind.Object && value.TryGetProperty("config", out JsonElement inner) && inner.ValueKind == JsonValueKind.String ? inner.GetString()
                : null;
            return name is not null && ActivationFunction.Named.TryGetValue(name, out ActivationFunction? activation) ? activation : null;
        }

        private static int Axis(JsonElement c)
        {
            int axis = -1;
            if (c.TryGetProperty("axis", out JsonElement value))
            {
                JsonElement single = value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 1 ? value[0] : value;
                axis = single.ValueKind == JsonValueKind.Number && single.TryGetInt32(out int n) ? n : throw new UnsupportedArgument($"axis {value.GetRawText()} is not one axis");
            }

            return axis; // Keras' own axis; resolved against the input's rank once that is known

        }

        private static bool Same(JsonElement c) => Text(c, "padding") switch
        {
            null or "valid" => false,
            "same" => true,
            string other => throw new UnsupportedArgument($"padding '{other}' is not supported (valid, same)"),
        };

        private static bool ChannelsFirst(JsonElement c) => Text(c, "data_format") switch
        {
            null or "channels_last" => false,
            "channels_first" => true,
            string other => throw new UnsupportedArgument($"data_format '{other}' is not supported"),
        };

        private static (int, int) Pair(JsonElement c, string name, int? fallback)
        {
            if (!c.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return fallback is int f ? (f, f) : throw new UnsupportedArgument($"it has no {name}");
            }

            int[] values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => Positive(v, name)).ToArray() : new[] { Positive(value, name) };
            return values.Length switch
            {
                1 => (values[0], values[0]),
                2 => (values[0], values[1]),
                _ => throw new UnsupportedArgument($"{name} has {values.Length} values, not 1 or 2"),
            };
        }

        private static int Int(JsonElement c, string name) =>
            c.TryGetProperty(name, out JsonElement value) ? Positive(value, name) : throw new UnsupportedArgument($"it has no {name}");

        private static int Positive(JsonElement value, string name) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 1 && n <= 1 << 20
                ? n
                : throw new UnsupportedArgument($"{name} {value.GetRawText()} is not an integer from 1 to {1 << 20}");

        private static double Number(JsonElement c, string name, double fallback) => NullableNumber(c, name) ?? fallback;

        private static double? NullableNumber(JsonElement c, string name) =>
            !c.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d) ? d
            : throw new UnsupportedArgument($"{name} {value.GetRawText()} is not a number");

        private static bool Bool(JsonElement c, string name, bool fallback) =>
            !c.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? fallback
            : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
            : throw new UnsupportedArgument($"{name} {value.GetRawText()} is not true or false");

        private static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static string Raw(JsonElement c, string name) =>
            c.TryGetProperty(name, out JsonElement value) ? (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()) : "?";

        /// <summary>An argument outside what is supported: the layer is reported, not approximated.</summary>
        private sealed class UnsupportedArgument : Exception
        {
            public UnsupportedArgument(string message)
                : base(message)
            {
            }
        }
    }
}

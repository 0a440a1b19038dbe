using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SepConvGen.Keras.Reading
{
    /// <summary>One layer of a model's configuration, with nested models flattened into their layers.</summary>
    /// <param name="Name">The layer's name in the configuration.</param>
    /// <param name="ClassName">Its Keras class, e.g. <c>SeparableConv2D</c>.</param>
    /// <param name="Config">Its <c>config</c> object.</param>
    /// <param name="Entry">The layer's whole entry (class, config, connections).</param>
    /// <param name="WeightsKey">
    /// Where Keras 3 stores its variables: the class in snake case with a counter per model, in the model's layer
    /// order (<c>separable_conv2d</c>, <c>separable_conv2d_1</c>, ...), prefixed by the keys of enclosing models.
    /// </param>
    internal sealed record ConfigLayer(string Name, string ClassName, JsonElement Config, JsonElement Entry, string WeightsKey);

    /// <summary>Reads the layers of a Keras model configuration: <c>model_config</c> of an HDF5 file or <c>config.json</c> of an archive.</summary>
    internal static class ModelConfig
    {
        private static readonly HashSet<string> ModelClasses = new(StringComparer.Ordinal) { "Model", "Functional", "Sequential" };

        public static IReadOnlyList<ConfigLayer> Layers(JsonElement root)
        {
            var layers = new List<ConfigLayer>();
            AddModel(root, prefix: string.Empty, layers);
            return layers;
        }

        /// <summary>Keras' <c>to_snake_case</c>: <c>SeparableConv2D</c> becomes <c>separable_conv2d</c>.</summary>
        public static string SnakeCase(string className)
        {
            string name = Regex.Replace(className, @"\W+", string.Empty);
            name = Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
            return Regex.Replace(name, "([a-z])([A-Z])", "$1_$2").ToLowerInvariant();
        }

        private static void AddModel(JsonElement model, string prefix, List<ConfigLayer> layers)
        {
            if (model.ValueKind != JsonValueKind.Object || !model.TryGetProperty("config", out JsonElement config))
            {
                throw new InvalidDataException("the model configuration has no 'config'");
            }

            // Keras 2.0 wrote a Sequential model's config as the list of its layers.
            JsonElement list = config.ValueKind == JsonValueKind.Array ? config
                : config.ValueKind == JsonValueKind.Object && config.TryGetProperty("layers", out JsonElement l) ? l
                : throw new InvalidDataException("the model configuration has no 'layers' list");
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("the model configuration's 'layers' is not a list");
            }

            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (JsonElement layer in list.EnumerateArray())
            {
                string className = Text(layer, "class_name") ?? throw new InvalidDataException("a layer of the configuration has no 'class_name'");
                JsonElement layerConfig = layer.TryGetProperty("config", out JsonElement c) ? c : default;
                string name = (layerConfig.ValueKind == JsonValueKind.Object ? Text(layerConfig, "name") : null) ?? Text(layer, "name")
                    ?? throw new InvalidDataException($"a {className} layer of the configuration has no name");
                string key = SnakeCase(className);
                if (used.TryGetValue(key, out int seen))
                {
                    used[key] = seen + 1;
                    key = $"{key}_{seen + 1}";
                }
                else
                {
                    used[key] = 0;
                }

                if (ModelClasses.Contains(className) && layerConfig.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    AddModel(layer, prefix + key + "/", layers);
                }
                else
                {
                    layers.Add(new ConfigLayer(name, className, layerConfig, layer, prefix + key));
                }
            }
        }

        private static string? Text(JsonElement element, string property) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
    }
}

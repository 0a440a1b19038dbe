using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PureHDF;
using PureHDF.VOL.Native;

namespace SepConvGen.Keras.Tests.Builders
{
    /// <summary>A weight of a layer: its values and shape, in the order Keras creates the layer's variables.</summary>
    public sealed record Weight(float[] Values, ulong[] Shape);

    /// <summary>A layer of a real model: name, class, configuration and weights.</summary>
    public sealed record SourceLayer(string Name, string ClassName, JsonObject Entry, IReadOnlyList<Weight> Weights);

    /// <summary>
    /// Writes the files Keras 3 and tf-keras write (<c>.keras</c> archives, <c>.weights.h5</c>) from a real Keras 2
    /// HDF5 model, with its real weights: what this machine cannot get from Keras itself. The layout follows Keras'
    /// saving code: <c>config.json</c>, <c>metadata.json</c> and <c>model.weights.h5</c> in a zip; a layer's variables at
    /// <c>layers/&lt;class in snake case&gt;[_counter]/vars/&lt;i&gt;</c>, counted per class in the model's layer order.
    /// </summary>
    public sealed class KerasFileBuilder
    {
        // Keras' snake-case names of the classes the real models use, written out (not computed) to check the reader's own.
        private static readonly Dictionary<string, string> SnakeNames = new()
        {
            ["InputLayer"] = "input_layer", ["Conv2D"] = "conv2d", ["DepthwiseConv2D"] = "depthwise_conv2d",
            ["SeparableConv2D"] = "separable_conv2d", ["BatchNormalization"] = "batch_normalization", ["Activation"] = "activation",
            ["Dense"] = "dense", ["Dropout"] = "dropout", ["MaxPooling2D"] = "max_pooling2d", ["AveragePooling2D"] = "average_pooling2d",
            ["GlobalAveragePooling2D"] = "global_average_pooling2d", ["GlobalMaxPooling2D"] = "global_max_pooling2d", ["Flatten"] = "flatten", ["Add"] = "add", ["PReLU"] = "p_re_lu",
        };

        private KerasFileBuilder(JsonObject model, IReadOnlyList<SourceLayer> layers)
        {
            Model = model;
            Layers = layers;
        }

        /// <summary>The Keras 2 configuration (<c>model_config</c>).</summary>
        public JsonObject Model { get; }

        public IReadOnlyList<SourceLayer> Layers { get; }

        /// <summary>Reads a Keras 2 HDF5 model: its configuration and every layer's weights in <c>weight_names</c> order.</summary>
        public static KerasFileBuilder FromHdf5(string path)
        {
            using NativeFile file = H5File.OpenRead(path);
            var model = (JsonObject)JsonNode.Parse(file.Attribute("model_config").Read<string>())!;
            IH5Group weights = file.Group("model_weights");
            var layers = new List<SourceLayer>();
            foreach (JsonObject entry in model["config"]!["layers"]!.AsArray().Cast<JsonObject>())
            {
                string name = entry["config"]!["name"]!.GetValue<string>();
                IH5Group group = weights.Group(name);
                string[] names = group.AttributeExists("weight_names") && group.Attribute("weight_names").Type.Class != H5DataTypeClass.FloatingPoint
                    ? group.Attribute("weight_names").Read<string[]>()
                    : Array.Empty<string>();
                Weight[] values = names.Select(n =>
                {
                    IH5Dataset dataset = group.Dataset(n);
                    return new Weight(dataset.Read<float[]>(), dataset.Space.Dimensions);
                }).ToArray();
                layers.Add(new SourceLayer(name, entry["class_name"]!.GetValue<string>(), entry, values));
            }

            return new KerasFileBuilder(model, layers);
        }

        /// <summary>A Sequential model of the given layers (an InputLayer first), for Sequential archives only.</summary>
        public static KerasFileBuilder Sequential(IReadOnlyList<SourceLayer> layers) =>
            new(new JsonObject { ["class_name"] = "Sequential", ["config"] = new JsonObject() }, layers);

        /// <summary>The same model without the layers of one class (their connections are left as they were).</summary>
        public KerasFileBuilder Without(string className) => new(Model, Layers.Where(l => l.ClassName != className).ToArray());

        /// <summary>The same model with one layer changed (its class, its configuration).</summary>
        public KerasFileBuilder Replace(string name, Func<SourceLayer, SourceLayer> change) =>
            new(Model, Layers.Select(l => l.Name == name ? change(l) : l).ToArray());

        /// <summary>The model's layers twice over (a model with more layers of a class than one digit counts).</summary>
        public KerasFileBuilder Twice() => new(Model, Layers.Concat(Layers).ToArray());

        /// <summary>Keras' key for each layer: snake-case class and a counter per class, in layer order.</summary>
        public IReadOnlyList<string> WeightKeys()
        {
            var used = new Dictionary<string, int>();
            return Layers.Select(l =>
            {
                string snake = SnakeNames[l.ClassName];
                int seen = used.TryGetValue(snake, out int n) ? n + 1 : 0;
                used[snake] = seen;
                return seen == 0 ? snake : $"{snake}_{seen}";
            }).ToArray();
        }

        /// <summary>
        /// A Keras 3 archive. <paramref name="rename"/> gives each layer its name in config.json (Keras numbers names
        /// per session, so they need not match the weights' keys); <paramref name="sequential"/> writes a
        /// Sequential model (the model must be a chain).
        /// </summary>
        public void WriteKeras3Archive(string path, Func<string, string>? rename = null, bool sequential = false, CompressionLevel compression = CompressionLevel.NoCompression)
        {
            rename ??= n => n;
            JsonObject config = sequential ? Keras3Sequential(rename) : Keras3Functional(rename);
            WriteArchive(path, config.ToJsonString(), """{"keras_version": "3.10.0", "date_saved": "2026-11-30@12:00:00"}""", WeightsFile(windowsTfKeras: false), compression);
        }

        /// <summary>A tf-keras 2.14 archive saved on Windows: Keras 2 configuration, weight groups named with a literal backslash.</summary>
        public void WriteTfKeras214Archive(string path)
        {
            var config = (JsonObject)Model.DeepClone();
            config["module"] = "keras.src.engine.functional";
            config["registered_name"] = "Functional";
            WriteArchive(path, config.ToJsonString(), """{"keras_version": "2.14.0", "date_saved": "2023-10-02@09:41:07"}""",
                WeightsFile(windowsTfKeras: true), CompressionLevel.NoCompression);
        }

        /// <summary>A Keras 3 <c>model.save_weights('m.weights.h5')</c> file.</summary>
        public void WriteKeras3Weights(string path) => File.WriteAllBytes(path, WeightsFile(windowsTfKeras: false));

        /// <summary>
        /// Keras 3's legacy HDF5 format (<c>model.save("m.h5")</c>): the Keras 3 configuration in <c>model_config</c>,
        /// weights under <c>model_weights/&lt;layer&gt;</c> named by the variables' paths without <c>:0</c>, which in a
        /// Sequential model sit one level deeper (<c>separable_conv2d/sequential/separable_conv2d/depthwise_kernel</c>).
        /// </summary>
        public void WriteKeras3LegacyHdf5(string path, bool sequential)
        {
            var weights = new H5Group
            {
                Attributes =
                {
                    ["layer_names"] = Layers.Select(l => l.Name).ToArray(),
                    ["backend"] = "tensorflow",
                    ["keras_version"] = "3.10.0",
                },
            };
            foreach (SourceLayer layer in Layers)
            {
                string[] names = layer.Weights.Select((_, i) => VariableName(layer, i)).ToArray();
                string prefix = sequential ? $"sequential/{layer.Name}/" : $"{layer.Name}/";
                var group = new H5Group { Attributes = { ["weight_names"] = names.Select(n => prefix + n).ToArray() } };
                var inner = new H5Group();
                for (int i = 0; i < names.Length; i++)
                {
                    inner[names[i]] = new H5Dataset(layer.Weights[i].Values, fileDims: layer.Weights[i].Shape);
                }

                if (names.Length > 0)
                {
                    group[sequential ? "sequential" : layer.Name] = sequential ? new H5Group { [layer.Name] = inner } : inner;
                }

                weights[layer.Name] = group;
            }

            var file = new H5File
            {
                Attributes =
                {
                    ["model_config"] = (sequential ? Keras3Sequential(n => n) : Keras3Functional(n => n)).ToJsonString(),
                    ["keras_version"] = "3.10.0",
                    ["backend"] = "tensorflow",
                },
                ["model_weights"] = weights,
            };
            File.Delete(path);
            file.Write(path);
        }

        /// <summary>The name of a layer's weight <paramref name="index"/> in Keras 3: <c>depthwise_kernel</c>, <c>gamma</c>, ...</summary>
        private static string VariableName(SourceLayer layer, int index)
        {
            string[] names = layer.ClassName switch
            {
                "SeparableConv2D" => new[] { "depthwise_kernel", "pointwise_kernel", "bias" },
                "DepthwiseConv2D" => new[] { "kernel", "bias" },
                "BatchNormalization" => new[] { "gamma", "beta", "moving_mean", "moving_variance" },
                _ => new[] { "kernel", "bias" },
            };
            return names[index];
        }

        /// <summary>Writes a zip archive of the given members, in the given order (tests swap and drop members).</summary>
        public static void WriteZip(string path, IEnumerable<(string Name, byte[] Bytes)> members, CompressionLevel compression = CompressionLevel.NoCompression)
        {
            File.Delete(path);
            using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
            foreach ((string name, byte[] bytes) in members)
            {
                using Stream stream = zip.CreateEntry(name, compression).Open();
                stream.Write(bytes);
            }
        }

        /// <summary>
        /// model.weights.h5: every layer's group with its vars (empty for layers without weights), as Keras writes it,
        /// under <c>layers/</c>, or, for tf-keras saved on Windows, in root groups named
        /// <c>_layer_checkpoint_dependencies\&lt;key&gt;</c> (the path joined with a backslash).
        /// </summary>
        public byte[] WeightsFile(bool windowsTfKeras)
        {
            var root = new H5File { ["vars"] = new H5Group() };
            var layers = new H5Group();
            IReadOnlyList<string> keys = WeightKeys();
            // h5py lists a group's members by name (separable_conv2d_10 before separable_conv2d_2): write them so.
            foreach (int i in Enumerable.Range(0, Layers.Count).OrderBy(i => keys[i], StringComparer.Ordinal))
            {
                var vars = new H5Group();
                for (int v = 0; v < Layers[i].Weights.Count; v++)
                {
                    vars[v.ToString()] = new H5Dataset(Layers[i].Weights[v].Values, fileDims: Layers[i].Weights[v].Shape);
                }

                H5Group parent = windowsTfKeras ? root : layers;
                parent[windowsTfKeras ? "_layer_checkpoint_dependencies\\" + keys[i] : keys[i]] = new H5Group { ["vars"] = vars };
            }

            if (!windowsTfKeras)
            {
                root["layers"] = layers;
            }

            using var stream = new MemoryStream();
            root.Write(stream);
            return stream.ToArray();
        }

        private static void WriteArchive(string path, string config, string metadata, byte[] weights, CompressionLevel compression) =>
            WriteZip(path, new[]
            {
                ("metadata.json", Encoding.UTF8.GetBytes(metadata)),
                ("config.json", Encoding.UTF8.GetBytes(config)),
                ("model.weights.h5", weights),
            }, compression);

        private JsonObject Keras3Functional(Func<string, string> rename)
        {
            var layers = new JsonArray();
            foreach (SourceLayer layer in Layers)
            {
                JsonObject entry = Keras3Layer(layer, rename);
                entry["inbound_nodes"] = Keras3Nodes(layer.Entry["inbound_nodes"]!.AsArray(), rename);
                layers.Add(entry);
            }

            JsonObject source = Model["config"]!.AsObject();
            return new JsonObject
            {
                ["module"] = "keras",
                ["class_name"] = "Functional",
                ["config"] = new JsonObject
                {
                    ["name"] = "functional",
                    ["trainable"] = true,
                    ["layers"] = layers,
                    ["input_layers"] = RenameEnds(source["input_layers"]!.AsArray(), rename),
                    ["output_layers"] = RenameEnds(source["output_layers"]!.AsArray(), rename),
                },
                ["registered_name"] = "Functional",
            };
        }

        private JsonObject Keras3Sequential(Func<string, string> rename) => new()
        {
            ["module"] = "keras",
            ["class_name"] = "Sequential",
            ["config"] = new JsonObject
            {
                ["name"] = "sequential",
                ["trainable"] = true,
                ["layers"] = new JsonArray(Layers.Select(l => (JsonNode)Keras3Layer(l, rename)).ToArray()),
            },
            ["registered_name"] = null,
        };

        /// <summary>A layer as Keras 3 writes it: module, class, config (input layers with <c>batch_shape</c>), registered name.</summary>
        private static JsonObject Keras3Layer(SourceLayer layer, Func<string, string> rename)
        {
            var config = (JsonObject)layer.Entry["config"]!.DeepClone();
            config["name"] = rename(layer.Name);
            if (config.Remove("batch_input_shape", out JsonNode? shape))
            {
                config["batch_shape"] = shape;
            }

            return new JsonObject
            {
                ["module"] = "keras.layers",
                ["class_name"] = layer.ClassName,
                ["config"] = config,
                ["registered_name"] = null,
                ["name"] = rename(layer.Name),
            };
        }

        /// <summary>Keras 2's <c>[[["conv2d", 0, 0, {}]]]</c> as Keras 3's <c>[{"args": [keras tensor], "kwargs": {}}]</c>.</summary>
        private static JsonArray Keras3Nodes(JsonArray nodes, Func<string, string> rename)
        {
            var result = new JsonArray();
            foreach (JsonArray node in nodes.Cast<JsonArray>())
            {
                JsonObject[] tensors = node.Cast<JsonArray>().Select(t => new JsonObject
                {
                    ["class_name"] = "__keras_tensor__",
                    ["config"] = new JsonObject
                    {
                        ["shape"] = null,
                        ["dtype"] = "float32",
                        ["keras_history"] = new JsonArray(rename(t[0]!.GetValue<string>()), t[1]!.GetValue<int>(), t[2]!.GetValue<int>()),
                    },
                }).ToArray();
                JsonNode args = tensors.Length == 1 ? tensors[0] : new JsonArray(tensors.Select(t => (JsonNode)t).ToArray());
                result.Add(new JsonObject { ["args"] = new JsonArray(args), ["kwargs"] = new JsonObject() });
            }

            return result;
        }

        private static JsonArray RenameEnds(JsonArray ends, Func<string, string> rename) =>
            new(ends.Cast<JsonArray>().Select(e => (JsonNode)new JsonArray(rename(e[0]!.GetValue<string>()), e[1]!.GetValue<int>(), e[2]!.GetValue<int>())).ToArray());
    }
}

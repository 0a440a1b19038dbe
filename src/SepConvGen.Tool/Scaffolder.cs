using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using SepConvGen.Keras;

namespace SepConvGen.Tool
{
    /// <summary>What scaffolding a file gives: the C# source, the layers it declares, and the layers it could not.</summary>
    public sealed record ScaffoldResult(string Code, IReadOnlyList<(KerasLayerInfo Layer, string ClassName)> Layers, IReadOnlyList<(KerasLayerInfo Layer, string Reason)> Skipped);

    /// <summary>
    /// Writes one <c>[SeparableConv]</c> partial class per SeparableConv2D layer of a Keras file, named after the
    /// layer in PascalCase, each with a <c>FromKerasFile</c> factory that loads its weights through SepConvGen.Keras.
    /// </summary>
    public static class Scaffolder
    {
        public static ScaffoldResult Scaffold(KerasWeights file, string targetNamespace, string sourceName)
        {
            var layers = new List<(KerasLayerInfo, string)>();
            var skipped = new List<(KerasLayerInfo, string)>();
            var used = new HashSet<string>(StringComparer.Ordinal);
            var code = new StringBuilder();
            code.Append(CultureInfo.InvariantCulture, $$"""
                // Scaffolded by 'sepconvgen scaffold' from {{sourceName}}: one class per SeparableConv2D layer of the model.
                // The [SeparableConv] attributes restate the Keras configurations; SepConvGen generates each layer at build time.

                using SepConvGen;
                using SepConvGen.Keras;

                namespace {{targetNamespace}}
                {
                """).Append('\n');
            foreach (KerasLayerInfo layer in file.SeparableConvLayers)
            {
                if (layer.Unsupported is string reason)
                {
                    skipped.Add((layer, reason));
                    continue;
                }

                string className = UniqueName(ClassName(layer.Name), used);
                if (layers.Count > 0)
                {
                    code.Append('\n');
                }

                AppendLayer(code, layer, className, sourceName);
                layers.Add((layer, className));
            }

            code.Append("}\n");
            return new ScaffoldResult(code.ToString(), layers, skipped);
        }

        /// <summary><c>separable_conv2d_1</c> becomes <c>SeparableConv2d1</c>.</summary>
        public static string ClassName(string kerasName)
        {
            var name = new StringBuilder();
            string[] parts = System.Text.RegularExpressions.Regex.Split(kerasName, "[^A-Za-z0-9]+");
            foreach (string part in parts)
            {
                if (part.Length > 0)
                {
                    name.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
                }
            }

            return name.Length == 0 || char.IsDigit(name[0]) ? "Layer" + name : name.ToString();
        }

        /// <summary>The attribute that declares <paramref name="layer"/>, with only the non-default named arguments.</summary>
        public static string Attribute(KerasLayerInfo layer)
        {
            var named = new List<string>();
            void Add(string name, int value)
            {
                if (value != 1)
                {
                    named.Add(string.Create(CultureInfo.InvariantCulture, $"{name} = {value}"));
                }
            }

            Add("DepthMultiplier", layer.DepthMultiplier);
            Add("StrideHeight", layer.StrideHeight);
            Add("StrideWidth", layer.StrideWidth);
            Add("DilationHeight", layer.DilationHeight);
            Add("DilationWidth", layer.DilationWidth);
            if (!layer.UseBias)
            {
                named.Add("UseBias = false");
            }

            if (layer.DataFormat == "channels_first")
            {
                named.Add("DataFormat = DataFormat.ChannelsFirst");
            }

            string activation = layer.Activation switch { "relu" => "Relu", "relu6" => "Relu6", _ => "Linear" };
            if (activation != "Linear")
            {
                named.Add($"Activation = Activation.{activation}");
            }

            string padding = layer.Padding == "same" ? "Padding.Same" : "Padding.Valid";
            string tail = named.Count == 0 ? string.Empty : ", " + string.Join(", ", named);
            return string.Create(CultureInfo.InvariantCulture,
                $"[SeparableConv({layer.InChannels}, {layer.Filters}, {layer.KernelHeight}, {layer.KernelWidth}, {padding}{tail})]");
        }

        private static void AppendLayer(StringBuilder code, KerasLayerInfo layer, string className, string sourceName)
        {
            string bias = layer.UseBias ? ", weights.Bias!" : string.Empty;
            code.Append(CultureInfo.InvariantCulture, $$"""
                    /// <summary>Keras layer '{{layer.Name}}' of {{sourceName}}: {{layer.ToKeras()}} on {{layer.InChannels}} input channels.</summary>
                    {{Attribute(layer)}}
                    public partial class {{className}}
                    {
                        /// <summary>The layer's name in the Keras model.</summary>
                        public const string KerasLayerName = "{{layer.Name}}";

                        /// <summary>The name its weights are stored under, the layer's name in weights-only files (Keras 3: class and counter).</summary>
                        public const string KerasWeightsName = "{{layer.WeightsName}}";

                        /// <summary>Creates the layer with its weights read from a Keras model, archive or weights file.</summary>
                        public static {{className}} FromKerasFile(string path)
                        {
                            using KerasWeights file = KerasWeights.Open(path);
                            SeparableConvWeights weights = file.ReadWeights(
                                file.HasConfiguration ? KerasLayerName : KerasWeightsName, new LayerShape(InChannels, OutChannels, KernelHeight, KernelWidth, DepthMultiplier, UseBias: {{(layer.UseBias ? "true" : "false")}}));
                            var layer = new {{className}}();
                            layer.LoadKerasWeights(weights.DepthwiseKernel, weights.PointwiseKernel{{bias}});
                            return layer;
                        }
                    }

                """);
        }

        private static string UniqueName(string name, HashSet<string> used)
        {
            string unique = name;
            for (int i = 2; !used.Add(unique); i++)
            {
                unique = name + "_" + i.ToString(CultureInfo.InvariantCulture);
            }

            return unique;
        }
    }
}

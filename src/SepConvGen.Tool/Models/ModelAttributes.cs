using System;
using System.Collections.Generic;
using System.Globalization;
using SepConvGen.Keras.Model;

namespace SepConvGen.Tool.Models
{
    /// <summary>The attribute that declares a model layer for the generator, with only its non-default arguments.</summary>
    internal static class ModelAttributes
    {
        /// <param name="operation">The layer.</param>
        /// <param name="input">Its input's shape without the batch, in its data format.</param>
        /// <param name="useBias">Whether it loads a bias (its own, or one a folded BatchNormalization makes).</param>
        /// <param name="activation">The fused activation: a name of SepConvGen.Activation.</param>
        public static string For(Operation operation, IReadOnlyList<int> input, bool useBias, string activation)
        {
            var named = new List<string>();
            void Add(string name, int value, int usual)
            {
                if (value != usual)
                {
                    named.Add(Invariant($"{name} = {value}"));
                }
            }

            bool channelsFirst = operation switch
            {
                ConvolutionOperation c => c.ChannelsFirst,
                PoolingOperation p => p.ChannelsFirst,
                GlobalPoolingOperation g => g.ChannelsFirst,
                _ => false,
            };
            (int channels, int height, int width) = input.Count != 3 ? (input[^1], 1, 1)
                : channelsFirst ? (input[0], input[1], input[2]) : (input[2], input[0], input[1]);
            string padding = operation is ConvolutionOperation { Same: true } or PoolingOperation { Same: true } ? "Padding.Same" : "Padding.Valid";
            string head;
            switch (operation)
            {
                case ConvolutionOperation c:
                    head = c.Kind switch
                    {
                        "Conv2D" => Invariant($"Conv2D({channels}, {c.Filters}, {c.KernelHeight}, {c.KernelWidth}, {padding}"),
                        "DepthwiseConv2D" => Invariant($"DepthwiseConv2D({channels}, {c.KernelHeight}, {c.KernelWidth}, {padding}"),
                        _ => Invariant($"SeparableConv({channels}, {c.Filters}, {c.KernelHeight}, {c.KernelWidth}, {padding}"),
                    };
                    if (c.Kind != "Conv2D")
                    {
                        Add("DepthMultiplier", c.DepthMultiplier, 1);
                    }

                    Add("StrideHeight", c.StrideHeight, 1);
                    Add("StrideWidth", c.StrideWidth, 1);
                    Add("DilationHeight", c.DilationHeight, 1);
                    Add("DilationWidth", c.DilationWidth, 1);
                    if (!useBias)
                    {
                        named.Add("UseBias = false");
                    }

                    break;
                case PoolingOperation p:
                    head = Invariant($"{(p.Max ? "MaxPooling2D" : "AveragePooling2D")}({channels}, {p.PoolHeight}, {p.PoolWidth}, {padding}");
                    Add("StrideHeight", p.StrideHeight, p.PoolHeight);
                    Add("StrideWidth", p.StrideWidth, p.PoolWidth);
                    break;
                case GlobalPoolingOperation g:
                    head = Invariant($"{(g.Max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D")}({channels}");
                    break;
                case DenseOperation d:
                    head = Invariant($"Dense({channels}, {d.Units}");
                    if (!useBias)
                    {
                        named.Add("UseBias = false");
                    }

                    break;
                default:
                    throw new System.ArgumentException($"{operation.GetType().Name} is not a generated layer.", nameof(operation));
            }

            if (channelsFirst)
            {
                named.Add("DataFormat = DataFormat.ChannelsFirst");
            }

            if (activation != "Linear")
            {
                named.Add($"Activation = Activation.{activation}");
            }

            if (operation is not DenseOperation)
            {
                named.Add(Invariant($"InputHeight = {height}"));
                named.Add(Invariant($"InputWidth = {width}"));
            }

            return "[" + head + (named.Count == 0 ? string.Empty : ", " + string.Join(", ", named)) + ")]";
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}

using System.Collections.Generic;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Writes the pointwise step of one output row: a 1x1 convolution from DepthwiseChannels to OutChannels
    /// as a register-blocked microkernel (PixelBlock pixels x FilterBlock filters of accumulators that start
    /// at the bias), with the activation applied as each result is stored.
    /// </summary>
    internal sealed class PointwiseEmitter
    {
        /// <summary>Filters per scalar register block.</summary>
        public const int FilterBlock = 4;

        /// <summary>Pixels per register block: 2 x 4 accumulators plus loads fit the scalar registers.</summary>
        public const int PixelBlock = 2;

        private readonly LayerSpec _spec;
        private readonly KernelNames _names;
        private readonly bool _channelsLast;

        public PointwiseEmitter(LayerSpec spec, KernelNames names)
        {
            _spec = spec;
            _names = names;
            _channelsLast = spec.Layout == LayoutKind.ChannelsLast;
        }

        private int FullFilterBlocks => _spec.OutChannels / FilterBlock;

        private int TailFilters => _spec.OutChannels % FilterBlock;

        public void Emit(SourceWriter writer)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Pointwise step for <paramref name=\"pixels\"/> output pixels from <paramref name=\"firstPixel\"/> on (whole rows):");
            writer.WriteLine($"/// DepthwiseChannels -> OutChannels over the depthwise <paramref name=\"row\"/> buffer, {Epilogue()}.");
            writer.WriteLine("/// </summary>");
            _names.EmitKernelAttribute(writer);
            writer.OpenBlock($"private void {_names.Pointwise}({_names.Param("row", writable: false)}, {_names.Param("result", writable: true)}{_names.PointwiseTileParameters}{_names.Parameter})");
            writer.WriteLine(_names.LetArray("weights", "_sepConvPointwise"));
            if (_spec.UseBias)
            {
                writer.WriteLine(_names.LetArray("bias", "_sepConvBias"));
            }

            EmitOutputStart(writer, _names, _channelsLast);
            writer.WriteLine("int ox = 0;");
            writer.OpenBlock("for (; ox + PixelBlock <= pixels; ox += PixelBlock)");
            EmitPixels(writer, PixelBlock);
            writer.CloseBlock();

            bool oddCountPossible = !_spec.IsFixed || _spec.Width.Output(_spec.Width.FixedInput) % PixelBlock != 0;
            if (oddCountPossible)
            {
                writer.WriteLine();
                writer.WriteLine("// The last pixel of an odd count.");
                writer.OpenBlock("if (ox < pixels)");
                EmitPixels(writer, 1);
                writer.CloseBlock();
            }

            writer.CloseBlock();
        }

        /// <summary>Declares <c>outputRow</c> (where the tile's first output pixel goes) and, for NCHW, <c>outputPlane</c>.</summary>
        public static void EmitOutputStart(SourceWriter writer, KernelNames names, bool channelsLast)
        {
            if (channelsLast)
            {
                writer.WriteLine(names.Let("outputRow", writable: true, "result", "firstPixel * OutChannels"));
            }
            else
            {
                writer.WriteLine(names.Let("outputRow", writable: true, "result", "firstPixel"));
                writer.WriteLine($"int outputPlane = {names.Size("OutputHeight")} * {names.Size("OutputWidth")};");
            }
        }

        private string Epilogue()
        {
            var parts = new List<string>();
            if (_spec.UseBias)
            {
                parts.Add("plus bias");
            }

            if (!Activations.For(_spec.Activation).IsLinear)
            {
                parts.Add(_spec.Activation.ToString().ToLowerInvariant());
            }

            return parts.Count == 0 ? "no bias, linear" : string.Join(", then ", parts);
        }

        /// <summary>All filters for <paramref name="pixels"/> pixels starting at <c>ox</c>.</summary>
        private void EmitPixels(SourceWriter writer, int pixels)
        {
            if (_channelsLast)
            {
                for (int p = 0; p < pixels; p++)
                {
                    string offset = p == 0 ? "ox * DepthwiseChannels" : $"(ox + {p}) * DepthwiseChannels";
                    writer.WriteLine(_names.Let($"x{p}", writable: false, "row", offset));
                }

                writer.WriteLine(_names.Let("y", writable: true, "outputRow", "ox * OutChannels"));
            }
            else
            {
                writer.WriteLine(_names.Let("x", writable: false, "row", "ox"));
                writer.WriteLine(_names.Let("y", writable: true, "outputRow", "ox"));
            }

            if (FullFilterBlocks > 0)
            {
                writer.OpenBlock("for (int fb = 0; fb < FullFilterBlocks; fb++)");
                writer.WriteLine("int f = fb * FilterBlock;");
                writer.WriteLine(_names.Let("w", writable: false, "weights", "f / PackBlock * PanelLength + f % PackBlock"));
                EmitBlock(writer, pixels, FilterBlock);
                writer.CloseBlock();
            }

            if (TailFilters > 0)
            {
                writer.OpenBlock();
                writer.WriteLine($"// The last {TailFilters} filter{(TailFilters == 1 ? string.Empty : "s")} (a partial block).");
                writer.WriteLine("const int f = FullFilterBlocks * FilterBlock;");
                writer.WriteLine(_names.Let("w", writable: false, "weights", "f / PackBlock * PanelLength + f % PackBlock"));
                EmitBlock(writer, pixels, TailFilters);
                writer.CloseBlock();
            }
        }

        /// <summary>One register block: pixels x filters accumulators over all depthwise channels.</summary>
        private void EmitBlock(SourceWriter writer, int pixels, int filters)
        {
            for (int p = 0; p < pixels; p++)
            {
                for (int k = 0; k < filters; k++)
                {
                    string start = _spec.UseBias ? _names.At("bias", Literal.Plus("f", k)) : "0f";
                    writer.WriteLine($"float acc{p}_{k} = {start};");
                }
            }

            writer.OpenBlock("for (int j = 0; j < DepthwiseChannels; j++)");
            if (_channelsLast)
            {
                for (int p = 0; p < pixels; p++)
                {
                    writer.WriteLine($"float a{p} = {_names.At($"x{p}", "j")};");
                }
            }
            else
            {
                writer.WriteLine(_names.Let("xj", writable: false, "x", "j * channelStride"));
                for (int p = 0; p < pixels; p++)
                {
                    writer.WriteLine($"float a{p} = {_names.At("xj", Literal.Int(p))};");
                }
            }

            writer.WriteLine(_names.Let("wj", writable: false, "w", "j * PackBlock"));
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"float w{k} = {_names.At("wj", Literal.Int(k))};");
            }

            for (int p = 0; p < pixels; p++)
            {
                for (int k = 0; k < filters; k++)
                {
                    writer.WriteLine($"acc{p}_{k} += a{p} * w{k};");
                }
            }

            writer.CloseBlock();
            writer.WriteLine();
            for (int p = 0; p < pixels; p++)
            {
                for (int k = 0; k < filters; k++)
                {
                    string target = _channelsLast
                        ? _names.At("y", Literal.Plus(p == 0 ? "f" : $"{p} * OutChannels + f", k))
                        : _names.At("y", $"{Literal.PlusTimes("f", k, "outputPlane")}{(p == 0 ? string.Empty : $" + {p}")}");
                    string value = Activations.For(_spec.Activation).InEpilogue ? $"Activate(acc{p}_{k})" : $"acc{p}_{k}";
                    writer.WriteLine($"{target} = {value};");
                }
            }
        }
    }
}

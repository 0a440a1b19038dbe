using System;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsLast
{
    /// <summary>
    /// The NHWC pointwise step: vectors along filters. A panel row of 32 filters is whole vectors, multiplied by
    /// broadcast pixels: 12 accumulators (6 pixels x 2 Vector512), with Vector512 also blocks of 7 and 8 pixels so
    /// that the blocks end exactly at the tile's end.
    /// </summary>
    internal sealed class ChannelsLastPointwiseEmitter : VectorPointwiseEmitter
    {
        public ChannelsLastPointwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
            : base(spec, names, plan)
        {
        }

        /// <summary>For each panel of 32 filters, blocks of pixels x whole filter vectors.</summary>
        protected override void EmitBlocks(SourceWriter writer, Isa isa, int lanes)
        {
            PointwisePath path = Plan.PointwiseFor(isa);
            if (path.FullPanel is PanelBlock full)
            {
                writer.OpenBlock("for (int panel = 0; panel < OutChannels / PackBlock; panel++)");
                writer.WriteLine("int f = panel * PackBlock;");
                writer.WriteLine(Names.Let("w", writable: false, "weights", "panel * PanelLength"));
                EmitChannelsLastPixels(writer, isa, lanes, full);
                writer.CloseBlock();
            }

            if (path.TailPanel is PanelBlock last)
            {
                int tail = Spec.OutChannels % LayerSpec.PackBlock(LayoutKind.ChannelsLast);
                writer.OpenBlock();
                writer.WriteLine($"// The last panel holds {tail} filter{(tail == 1 ? string.Empty : "s")}: {Count(last.Vectors, "vector")}, the zero padding is not computed.");
                writer.WriteLine("const int f = OutChannels / PackBlock * PackBlock;");
                writer.WriteLine(Names.Let("w", writable: false, "weights", "OutChannels / PackBlock * PanelLength"));
                EmitChannelsLastPixels(writer, isa, lanes, last);
                writer.CloseBlock();
            }
        }

        /// <summary>A panel's pixels in blocks (see <see cref="PanelBlock"/>); only the blocks the layer's tiles run are generated.</summary>
        private void EmitChannelsLastPixels(SourceWriter writer, Isa isa, int lanes, PanelBlock block)
        {
            (int vectors, int pixels, int lastLanes) = (block.Vectors, block.Pixels, block.LastLanes);
            PanelRuns runs = block.Runs;
            writer.WriteLine("int ox = 0;");
            if (block.ExactCover && (runs.Large || runs.Middle))
            {
                EmitChannelsLastExactCover(writer, isa, lanes, block);
            }

            if (pixels > 1 && runs.Small)
            {
                writer.OpenBlock($"for (; ox + {pixels} <= pixels; ox += {pixels})");
                EmitChannelsLastBlock(writer, isa, lanes, vectors, pixels, lastLanes);
                writer.CloseBlock();
            }

            if (pixels > 1 && runs.End)
            {
                writer.OpenBlock($"if (ox < pixels && pixels >= {pixels})");
                writer.WriteLine("// The last pixels as one block that ends the tile: it computes some pixels again (the same values),");
                writer.WriteLine("// which costs less than single pixels, whose few accumulators wait on each other.");
                writer.WriteLine($"ox = pixels - {pixels};");
                EmitChannelsLastBlock(writer, isa, lanes, vectors, pixels, lastLanes);
                writer.WriteLine("ox = pixels;");
                writer.CloseBlock();
            }

            if (runs.Single)
            {
                writer.OpenBlock("for (; ox < pixels; ox++)");
                EmitChannelsLastBlock(writer, isa, lanes, vectors, 1, lastLanes);
                writer.CloseBlock();
            }
        }

        /// <summary>
        /// Vector512 (32 registers) also has room for blocks of one and two pixels more. b = ceil(n / (p + 2)) blocks
        /// of p to p + 2 pixels cover any n from p * b to (p + 2) * b, i.e. every tile of 3p pixels or more: the blocks
        /// then end exactly at the tile's end and no pixel is computed twice (the last-block overlap costs up to 5 %).
        /// </summary>
        private void EmitChannelsLastExactCover(SourceWriter writer, Isa isa, int lanes, PanelBlock block)
        {
            (int vectors, int pixels, int lastLanes) = (block.Vectors, block.Pixels, block.LastLanes);
            string small = Literal.Int(pixels), middle = Literal.Int(pixels + 1), large = Literal.Int(pixels + 2);
            writer.WriteLine($"// Blocks of {small}, {middle} and {large} pixels ending exactly at the tile's end: ceil(pixels / {large}) blocks cover {small} to {large}");
            writer.WriteLine($"// pixels each, so the pixels above {small} per block ('extra') go to blocks of {large} and one of {middle}; blocks of {small} follow.");
            writer.WriteLine($"int extra = pixels - {small} * ((pixels + {middle}) / {large});");
            writer.OpenBlock("if (extra >= 0)");
            if (block.Runs.Large)
            {
                writer.OpenBlock($"for (; extra >= 2; extra -= 2, ox += {large})");
                EmitChannelsLastBlock(writer, isa, lanes, vectors, pixels + 2, lastLanes);
                writer.CloseBlock();
            }

            if (block.Runs.Middle)
            {
                writer.OpenBlock("if (extra == 1)");
                EmitChannelsLastBlock(writer, isa, lanes, vectors, pixels + 1, lastLanes);
                writer.WriteLine($"ox += {middle};");
                writer.CloseBlock();
            }

            writer.CloseBlock();
        }

        private void EmitChannelsLastBlock(SourceWriter writer, Isa isa, int lanes, int vectors, int pixels, int lastLanes)
        {
            string type = $"{isa.VectorType}<float>";
            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine(Names.Let($"x{p}", writable: false, "row", p == 0 ? "ox * DepthwiseChannels" : $"(ox + {p}) * DepthwiseChannels"));
            }

            for (int p = 0; p < pixels; p++)
            {
                for (int v = 0; v < vectors; v++)
                {
                    string start = Spec.UseBias ? Names.LoadVector(isa, "bias", Literal.Plus("f", v * lanes)) : $"{type}.Zero";
                    writer.WriteLine($"{type} acc{p}_{v} = {start};");
                }
            }

            writer.OpenBlock("for (int j = 0; j < DepthwiseChannels; j++)");
            writer.WriteLine(Names.Let("wj", writable: false, "w", "j * PackBlock"));
            for (int v = 0; v < vectors; v++)
            {
                writer.WriteLine($"{type} w{v} = {Names.LoadVector(isa, "wj", Literal.Int(v * lanes))};");
            }

            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine($"{type} a{p} = {isa.VectorType}.Create({Names.At($"x{p}", "j")});");
                for (int v = 0; v < vectors; v++)
                {
                    writer.WriteLine($"acc{p}_{v} = MultiplyAdd(a{p}, w{v}, acc{p}_{v});");
                }
            }

            writer.CloseBlock();
            writer.WriteLine();
            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine(Names.Let($"y{p}", writable: true, "outputRow", (p == 0 ? "ox" : $"(ox + {p})") + " * OutChannels + f"));
                for (int v = 0; v < vectors; v++)
                {
                    string value = Activated($"acc{p}_{v}");
                    if (v < vectors - 1 || lastLanes == lanes)
                    {
                        writer.WriteLine(Names.StoreVector(value, $"y{p}", Literal.Int(v * lanes)));
                        continue;
                    }

                    // A partial vector: store its valid lanes one by one, never past the row.
                    writer.WriteLine($"{type} last{p} = {value};");
                    for (int lane = 0; lane < lastLanes; lane++)
                    {
                        writer.WriteLine($"{Names.At($"y{p}", Literal.Int((v * lanes) + lane))} = last{p}.GetElement({lane});");
                    }
                }
            }
        }
    }
}

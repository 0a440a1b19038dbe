using System;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>
    /// Depthwise step for NCHW: each channel is its own plane, so the row is computed plane by plane and
    /// the row buffer holds DepthwiseChannels rows of OutputWidth values.
    /// </summary>
    internal sealed class ChannelsFirstDepthwiseEmitter : DepthwiseEmitter
    {
        public ChannelsFirstDepthwiseEmitter(LayerSpec spec, KernelNames names)
            : base(spec, names)
        {
        }

        protected override string ColumnStep => "DilationWidth";

        protected override string RowStep => $"DilationHeight * {Names.Size("InputWidth")}";

        protected override string RowLayout => "DepthwiseChannels rows of OutputWidth values, channelStride apart (NCHW)";

        /// <summary>Along the row: contiguous loads need stride 1 (any dilation, any multiplier).</summary>
        protected override bool CanVectorize => Spec.Width.Stride == 1;

        protected override void EmitRowBody(SourceWriter writer, int bits)
        {
            if (bits > 0 && Names.PadsRows)
            {
                EmitPaddedVectorRow(writer, bits);
                return;
            }

            string width = Names.Size("OutputWidth");
            writer.WriteLine($"int planeLength = {Names.Size("InputHeight")} * {Names.Size("InputWidth")};");
            if (bits > 0)
            {
                EmitRowClip(writer);
                EmitTapSteps(writer, rows: false);
            }
            else
            {
                if (Spec.Height.HasBorder)
                {
                    writer.WriteLine($"bool borderRow = oy < {Names.Size("InteriorTop")} || oy >= {Names.Size("InteriorBottom")};");
                }

                EmitTapSteps(writer);
            }

            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            writer.WriteLine(Names.Let("plane", false, "image", "c * planeLength"));
            writer.WriteLine(Names.Let("target", true, "row", "c * channelStride"));
            if (bits == 0 && Spec.Height.HasBorder)
            {
                writer.OpenBlock("if (borderRow)");
                writer.WriteLine("// Border row: some kernel rows fall into the zero padding.");
                EmitBorderLoop(writer, "0", width);
                writer.WriteLine("continue;");
                writer.CloseBlock();
                writer.WriteLine();
            }

            (string start, string end) = InteriorColumns;
            if (Spec.Width.HasBorder)
            {
                writer.WriteLine("// Left border: some kernel columns fall into the zero padding.");
                EmitBorderLoop(writer, "0", start);
                writer.WriteLine();
            }

            writer.WriteLine(Names.Let("w", false, "weights", "c"));
            if (bits > 0)
            {
                EmitVectorInterior(writer, bits, start, end);
            }
            else
            {
                writer.WriteLine("// Interior: every tap lands inside the image, at offsets fixed for the whole row.");
                writer.WriteLine(Names.Let("inputRow", false, "plane", $"iy * {Names.Size("InputWidth")}"));
                writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
                writer.WriteLine(Names.Let("x", false, "inputRow", Names.InputColumn));
                EmitWindow(writer, m => Names.At("target", m == "0" ? "ox" : "m * InChannels * channelStride + ox"));
                writer.CloseBlock();
            }

            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Right border.");
                EmitBorderLoop(writer, end, width);
            }

            writer.CloseBlock();
        }

        /// <summary>
        /// A vector row over zero-padded copies of its input rows: every column, border ones included, runs on
        /// vectors (4 independent accumulators, then 1, then one overlapping the end of the row).
        /// </summary>
        private void EmitPaddedVectorRow(SourceWriter writer, int bits)
        {
            string width = Names.Size("OutputWidth");
            string inputWidth = Names.Size("InputWidth");
            writer.WriteLine($"int planeLength = {Names.Size("InputHeight")} * {inputWidth};");
            writer.WriteLine($"{(Spec.IsFixed ? "const int" : "int")} paddedWidth = {width} + EffectiveKernelWidth - 1;");
            EmitRowClip(writer);
            EmitTapSteps(writer, rows: false);
            (string kyFrom, string kyTo) = VectorKernelRows;
            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            writer.WriteLine(Names.Let("plane", false, "image", "c * planeLength"));
            writer.WriteLine(Names.Let("target", true, "row", "c * channelStride"));
            writer.WriteLine(Names.Let("w", false, "weights", "c"));
            writer.WriteLine("// The input rows this output row reads, between their zero padding.");
            writer.OpenBlock($"for (int ky = {kyFrom}; ky < {kyTo}; ky++)");
            writer.WriteLine(Names.Copy("plane", $"{InputRowOf("ky")} * {inputWidth}", "pad", $"ky * paddedWidth + {Names.Size("PadLeft")}", inputWidth));
            writer.CloseBlock();
            writer.WriteLine();
            EmitVectorColumns(writer, bits, "0", width,
                ky => Names.Let("xr", false, "pad", ky == "0" ? "ox" : "ky * paddedWidth + ox"),
                "pad", "ky * paddedWidth + ox + kx * DilationWidth");
            writer.CloseBlock();
        }

        /// <summary>
        /// The interior columns with vectors along the row (4 independent accumulators, then 1, then one vector
        /// overlapping the end), the kernel rows clipped to the image for this output row.
        /// </summary>
        private void EmitVectorInterior(SourceWriter writer, int bits, string start, string end)
        {
            string inputWidth = Names.Size("InputWidth");
            writer.WriteLine("// Interior columns: every kernel column lands inside the image.");
            EmitVectorColumns(writer, bits, start, end,
                ky => Names.Let("xr", false, "plane", $"{InputRowOf(ky)} * {inputWidth} + {Names.InputColumn}"),
                "plane", $"(iy + ky * DilationHeight) * {inputWidth} + {Names.InputColumn} + kx * DilationWidth");
        }

        /// <summary>
        /// Columns [start, end) on vectors: 4 independent accumulators, then 1, then one vector overlapping the end;
        /// narrower ranges column by column. <paramref name="inputRow"/> declares <c>xr</c>, the input of kernel row
        /// ky at column <c>ox</c>; the scalar columns read <paramref name="scalarInput"/> at <paramref name="scalarIndex"/>.
        /// </summary>
        private void EmitVectorColumns(SourceWriter writer, int bits, string start, string end, Func<string, string> inputRow, string scalarInput, string scalarIndex)
        {
            int lanes = bits / 32;
            bool multiplier = Spec.DepthMultiplier > 1;
            writer.OpenBlock();
            writer.WriteLine($"int ox = {start};");
            void Block(int chains)
            {
                if (multiplier)
                {
                    writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
                }

                EmitVectorTaps(writer, bits, chains,
                    ky => new[]
                    {
                        inputRow(ky),
                        Names.Let("wr", false, "w", ky == "0" ? "0" : "ky * KernelWidth * DepthwiseChannels"),
                    },
                    (kx, q) => Names.LoadVector(bits, "xr", OrZero(Join(Column(kx, "TapColumnStep"), q == 0 ? null : $"{q * lanes}"))),
                    (kx, q) => $"Vector{bits}.Create({Names.At("wr", OrZero(Join(Column(kx, "DepthwiseChannels"), multiplier ? "m * InChannels" : null)))})",
                    q => Names.StoreVector($"acc{q}", "target", Join(multiplier ? MultiplierRows : null, Chain("ox", q, lanes))));
                if (multiplier)
                {
                    writer.CloseBlock();
                }
            }

            foreach (int chains in new[] { VectorChains, 1 })
            {
                writer.OpenBlock($"for (; ox + {chains * lanes} <= {end}; ox += {chains * lanes})");
                Block(chains);
                writer.CloseBlock();
            }

            string span = start == "0" ? end : $"{end} - {start}";
            writer.OpenBlock($"if (ox < {end} && {span} >= {lanes})");
            writer.WriteLine("// The last columns as one vector that overlaps columns already done (they get the same values again).");
            writer.WriteLine($"ox = {end} - {lanes};");
            Block(1);
            writer.WriteLine($"ox = {end};");
            writer.CloseBlock();
            writer.WriteLine("// Fewer columns than a vector: one by one.");
            writer.OpenBlock($"for (; ox < {end}; ox++)");
            if (multiplier)
            {
                writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
            }

            EmitScalarTapLoop(writer, scalarInput, scalarIndex,
                "w", "(ky * KernelWidth + kx) * DepthwiseChannels" + (multiplier ? " + m * InChannels" : string.Empty),
                Names.At("target", multiplier ? MultiplierRows + " + ox" : "ox"));
            if (multiplier)
            {
                writer.CloseBlock();
            }

            writer.CloseBlock();
            writer.CloseBlock();
        }

        private void EmitBorderLoop(SourceWriter writer, string start, string end)
        {
            writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
            writer.WriteLine($"DepthwiseBorderPixel({Names.ArgAt("target", "ox")}, {Names.Arg("plane")}, c, iy, {Names.InputColumn}, channelStride{Names.Argument});");
            writer.CloseBlock();
        }

        protected override void EmitBorderPixel(SourceWriter writer)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Depthwise step of channel <paramref name=\"c\"/> for one pixel whose window crosses the zero padding:");
            writer.WriteLine("/// only the taps inside the image contribute, added in the same tap order as the interior code.");
            writer.WriteLine("/// </summary>");
            writer.OpenBlock($"private void DepthwiseBorderPixel({Names.Param("target", true)}, {Names.Param("plane", false)}, int c, int iy, int ix, int channelStride{Names.Parameter})");
            EmitClippedTapRange(writer);
            writer.WriteLine(Names.LetArray("weights", "_sepConvDepthwise", "c"));
            bool multiplier = Spec.DepthMultiplier > 1;
            if (multiplier)
            {
                writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
            }

            writer.WriteLine("float acc = 0f;");
            writer.OpenBlock($"for (int ky = {KyStart}; ky < {KyEnd}; ky++)");
            writer.OpenBlock($"for (int kx = {KxStart}; kx < {KxEnd}; kx++)");
            writer.WriteLine($"acc += {Names.At("plane", $"(iy + ky * DilationHeight) * {Names.Size("InputWidth")} + ix + kx * DilationWidth")}");
            writer.WriteLine($"    * {Names.At("weights", $"(ky * KernelWidth + kx) * DepthwiseChannels{(multiplier ? " + m * InChannels" : string.Empty)}")};");
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine($"{Names.At("target", multiplier ? MultiplierRows : "0")} = acc;");
            if (multiplier)
            {
                writer.CloseBlock();
            }

            writer.CloseBlock();
        }
    }
}

using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>
    /// Depthwise step for NCHW: each channel is its own plane, so the row is computed plane by plane and
    /// the row buffer holds DepthwiseChannels rows of OutputWidth values.
    /// </summary>
    internal sealed class ChannelsFirstDepthwiseEmitter : DepthwiseEmitter
    {
        public ChannelsFirstDepthwiseEmitter(LayerSpec spec)
            : base(spec)
        {
        }

        protected override string ColumnStep => "DilationWidth";

        protected override string RowStep => $"DilationHeight * {Names.Size("InputWidth")}";

        protected override string RowLayout => "DepthwiseChannels rows of OutputWidth values (NCHW)";

        protected override void EmitRowBody(SourceWriter writer)
        {
            string width = Names.Size("OutputWidth");
            writer.WriteLine($"int planeLength = {Names.Size("InputHeight")} * {Names.Size("InputWidth")};");
            if (Spec.Height.HasBorder)
            {
                writer.WriteLine($"bool borderRow = oy < {Names.Size("InteriorTop")} || oy >= {Names.Size("InteriorBottom")};");
            }

            EmitTapSteps(writer);
            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            writer.WriteLine("ref float plane = ref Unsafe.Add(ref image, c * planeLength);");
            writer.WriteLine($"ref float target = ref Unsafe.Add(ref row, {FirstChannelOf("c")} * {width});");
            if (Spec.Height.HasBorder)
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

            writer.WriteLine("// Interior: every tap lands inside the image, at offsets fixed for the whole row.");
            writer.WriteLine($"ref float w = ref Unsafe.Add(ref weights, {FirstChannelOf("c")});");
            writer.WriteLine($"ref float inputRow = ref Unsafe.Add(ref plane, iy * {Names.Size("InputWidth")});");
            writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
            writer.WriteLine($"ref float x = ref Unsafe.Add(ref inputRow, {Names.InputColumn});");
            EmitWindow(writer, m => m == "0" ? "Unsafe.Add(ref target, ox)" : $"Unsafe.Add(ref target, m * {width} + ox)");
            writer.CloseBlock();

            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Right border.");
                EmitBorderLoop(writer, end, width);
            }

            writer.CloseBlock();
        }

        private void EmitBorderLoop(SourceWriter writer, string start, string end)
        {
            writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
            writer.WriteLine($"DepthwiseBorderPixel(ref Unsafe.Add(ref target, ox), ref plane, c, iy, {Names.InputColumn}{Names.Argument});");
            writer.CloseBlock();
        }

        protected override void EmitBorderPixel(SourceWriter writer)
        {
            string width = Names.Size("OutputWidth");
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Depthwise step of channel <paramref name=\"c\"/> for one pixel whose window crosses the zero padding:");
            writer.WriteLine("/// only the taps inside the image contribute, added in the same tap order as the interior code.");
            writer.WriteLine("/// </summary>");
            writer.OpenBlock($"private void DepthwiseBorderPixel(ref float target, ref float plane, int c, int iy, int ix{Names.Parameter})");
            EmitClippedTapRange(writer);
            writer.WriteLine($"ref float weights = ref Unsafe.Add(ref _sepConvDepthwise[0], {FirstChannelOf("c")});");
            bool multiplier = Spec.DepthMultiplier > 1;
            if (multiplier)
            {
                writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
            }

            writer.WriteLine("float acc = 0f;");
            writer.OpenBlock($"for (int ky = {KyStart}; ky < {KyEnd}; ky++)");
            writer.OpenBlock($"for (int kx = {KxStart}; kx < {KxEnd}; kx++)");
            writer.WriteLine($"acc += Unsafe.Add(ref plane, (iy + ky * DilationHeight) * {Names.Size("InputWidth")} + ix + kx * DilationWidth)");
            writer.WriteLine($"    * Unsafe.Add(ref weights, (ky * KernelWidth + kx) * DepthwiseChannels{(multiplier ? " + m" : string.Empty)});");
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine(multiplier ? $"Unsafe.Add(ref target, m * {width}) = acc;" : "target = acc;");
            if (multiplier)
            {
                writer.CloseBlock();
            }

            writer.CloseBlock();
        }
    }
}

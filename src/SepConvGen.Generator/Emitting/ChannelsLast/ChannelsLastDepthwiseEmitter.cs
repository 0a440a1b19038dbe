using System.Collections.Generic;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsLast
{
    /// <summary>
    /// Depthwise step for NHWC: a pixel's channels are contiguous, so each window walks all channels with
    /// the same tap offsets, and the row buffer holds OutputWidth x DepthwiseChannels values.
    /// </summary>
    internal sealed class ChannelsLastDepthwiseEmitter : DepthwiseEmitter
    {
        public ChannelsLastDepthwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
            : base(spec, names, plan)
        {
        }

        protected override string ColumnStep => "DilationWidth * InChannels";

        protected override string RowStep => $"DilationHeight * {Names.Size("InputWidth")} * InChannels";

        protected override string RowLayout => "OutputWidth pixels x DepthwiseChannels values (NHWC)";

        protected override void EmitRowBody(SourceWriter writer, Isa isa)
        {
            if (!isa.IsScalar)
            {
                EmitVectorRowBody(writer, isa);
                return;
            }

            string width = Names.Size("OutputWidth");
            if (Spec.Height.HasBorder)
            {
                writer.WriteLine();
                writer.OpenBlock($"if (oy < {Names.Size("InteriorTop")} || oy >= {Names.Size("InteriorBottom")})");
                writer.WriteLine("// Border row: some kernel rows fall into the zero padding.");
                EmitBorderLoop(writer, "0", width, Isa.Scalar);
                writer.WriteLine("return;");
                writer.CloseBlock();
            }

            (string start, string end) = InteriorColumns;
            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Left border: some kernel columns fall into the zero padding.");
                EmitBorderLoop(writer, "0", start, Isa.Scalar);
            }

            writer.WriteLine();
            writer.WriteLine("// Interior: every tap lands inside the image, at offsets fixed for the whole row.");
            EmitTapSteps(writer);
            writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
            writer.WriteLine(Names.Let("window", writable: false, "image", $"(iy * {Names.Size("InputWidth")} + {Names.InputColumn}) * InChannels"));
            writer.WriteLine(Names.Let("target", writable: true, "row", "ox * DepthwiseChannels"));
            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            writer.WriteLine(Names.Let("x", writable: false, "window", "c"));
            writer.WriteLine(Names.Let("w", writable: false, "weights", "c"));
            EmitWindow(writer, m => Names.At("target", Intermediate("c", m)));
            writer.CloseBlock();
            writer.CloseBlock();

            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Right border.");
                EmitBorderLoop(writer, end, width, Isa.Scalar);
            }
        }

        /// <summary>
        /// The vector row: channels in vectors (4 independent accumulators, then 1), the kernel rows clipped to the
        /// image for this output row, border columns through the vector border pixel.
        /// </summary>
        private void EmitVectorRowBody(SourceWriter writer, Isa isa)
        {
            int lanes = isa.Lanes;
            string width = Names.Size("OutputWidth");
            EmitRowClip(writer);
            (string start, string end) = InteriorColumns;
            DepthwisePath path = Plan.DepthwiseFor(isa);
            bool strips = path.Strips;
            Applies edges = path.EdgeStrips;
            if (edges == Applies.Checked)
            {
                writer.WriteLine($"bool edgeStrips = {Names.Size("OutputWidth")} >= EffectiveKernelWidth - 1;");
            }

            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Left border: some kernel columns fall into the zero padding.");
                EmitBorder(writer, isa, edges, left: true, "0", start);
            }

            writer.WriteLine();
            writer.WriteLine("// Interior columns: every kernel column lands inside the image.");
            bool chunked = path.ChunkedChannels;
            Channels channels = chunked ? new Channels("c0", "cEnd") : new Channels("0", "InChannels");
            if (chunked)
            {
                writer.WriteLine("// Channels in chunks: a chunk's input columns stay in L1 while the row's pixels reread them.");
                writer.WriteLine($"const int ChannelChunk = {Literal.Int(KernelPlanner.NhwcChannelChunk)};");
                writer.OpenBlock("for (int c0 = 0; c0 < InChannels; c0 += ChannelChunk)");
                writer.WriteLine("int cEnd = Math.Min(c0 + ChannelChunk, InChannels);");
            }

            if (strips)
            {
                if (!chunked)
                {
                    // (A block for ox alone: the chunk loop scopes it otherwise.)
                    writer.OpenBlock();
                }

                writer.WriteLine($"int ox = {start};");
                EmitPixelStrips(writer, isa, end, channels);
            }

            if (path.SinglePixels)
            {
                EmitSinglePixels(writer, isa, strips ? $"for (; ox < {end}; ox++)" : $"for (int ox = {start}; ox < {end}; ox++)", channels);
            }

            if (strips || chunked)
            {
                writer.CloseBlock();
            }

            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Right border.");
                EmitBorder(writer, isa, edges, left: false, end, width);
            }
        }

        /// <summary>The interior pixels one by one, in <paramref name="loop"/>, over <paramref name="channels"/>.</summary>
        private void EmitSinglePixels(SourceWriter writer, Isa isa, string loop, Channels channels)
        {
            int lanes = isa.Lanes;
            string inputWidth = Names.Size("InputWidth");
            if (!ScalarChannels(isa))
            {
                // (The vector blocks' tap offsets; channels fewer than a vector run the scalar tap loop.)
                EmitTapSteps(writer, rows: false);
            }

            writer.OpenBlock(loop);
            writer.WriteLine(Names.Let("target", writable: true, "row", "ox * DepthwiseChannels"));
            writer.WriteLine($"int c = {channels.Start};");
            foreach (int chains in Plan.DepthwiseFor(isa).InteriorChannelBlocks)
            {
                OpenChannelLoop(writer, isa, chains, channels.End);
                bool multiplier = OpenMultiplierLoop(writer);
                EmitVectorTaps(writer, isa, chains,
                    ky => new[]
                    {
                        Names.Let("xr", writable: false, "image", $"({InputRowOf(ky)} * {inputWidth} + {Names.InputColumn}) * InChannels"),
                        Names.Let("wr", writable: false, "weights", OrZero(Join(ky == "0" ? null : "ky * KernelWidth * DepthwiseChannels", multiplier ? "m * InChannels" : null))),
                    },
                    (kx, q) => Names.LoadVector(isa, "xr", Join(Column(kx, "TapColumnStep"), Chain("c", q, lanes))),
                    (kx, q) => Names.LoadVector(isa, "wr", Join(Column(kx, "DepthwiseChannels"), Chain("c", q, lanes))),
                    weightPerChain: true,
                    q => Names.StoreVector($"acc{q}", "target", Intermediate(Chain("c", q, lanes), multiplier ? "m" : "0")));
                if (multiplier)
                {
                    writer.CloseBlock();
                }

                writer.CloseBlock();
            }

            if (ScalarChannels(isa))
            {
                writer.WriteLine("// The channels, fewer than a vector.");
                writer.OpenBlock("for (; c < InChannels; c++)");
                bool channelMultiplier = OpenMultiplierLoop(writer);
                EmitScalarTapLoop(writer,
                    "image", $"((iy + ky * DilationHeight) * {inputWidth} + {Names.InputColumn} + kx * DilationWidth) * InChannels + c",
                    "weights", "(ky * KernelWidth + kx) * DepthwiseChannels + " + Intermediate("c", channelMultiplier ? "m" : "0"),
                    Names.At("target", Intermediate("c", channelMultiplier ? "m" : "0")));
                if (channelMultiplier)
                {
                    writer.CloseBlock();
                }

                writer.CloseBlock();
            }

            writer.CloseBlock();
        }

        /// <summary>Stride 1 (TensorFlow SAME): the columns padded left, the same for every width.</summary>
        private int PadLeft => (Spec.Width.EffectiveKernel - 1) / 2;

        /// <summary>Stride 1 (TensorFlow SAME): the columns padded right (the odd one goes here).</summary>
        private int PadRight => Spec.Width.EffectiveKernel - 1 - PadLeft;

        private void EmitBorder(SourceWriter writer, Isa isa, Applies edges, bool left, string start, string end)
        {
            int before = PadLeft, after = PadRight;
            if (edges == Applies.Never || (left ? before : after) == 0)
            {
                EmitBorderLoop(writer, start, end, isa);
                return;
            }

            writer.OpenBlock(edges == Applies.Checked ? "if (edgeStrips)" : null);
            int pixels = left ? before : after;
            writer.WriteLine($"// The {(pixels == 1 ? "border pixel" : $"{Literal.Int(pixels)} border pixels")} as one strip, the taps in the padding left out.");
            int dilation = Spec.Width.Dilation;
            if (left)
            {
                // Pixel p (from 0) reads input column p - before + kx * DilationWidth: taps left of column 0 are padding.
                writer.WriteLine("const int ox = 0;");
                EmitStrip(writer, isa, before, "0", (p, kx) => p + (kx * dilation) >= before ? p + (kx * dilation) - before : null, AllChannels);
            }
            else
            {
                // Pixel p (from the width - after) reads input column width - (before + after) + p + kx * DilationWidth.
                writer.WriteLine($"int ox = {Names.Size("OutputWidth")} - {Literal.Int(after)};");
                EmitStrip(writer, isa, after, $"{Names.Size("InputWidth")} - {Literal.Int(before + after)}",
                    (p, kx) => p + (kx * dilation) < before + after ? p + (kx * dilation) : null, AllChannels);
            }

            writer.CloseBlock();
            if (edges == Applies.Checked)
            {
                writer.OpenBlock("else");
                EmitBorderLoop(writer, start, end, isa);
                writer.CloseBlock();
            }
        }

        /// <summary>
        /// Strips of <see cref="DepthwisePath.StripPixels"/> output pixels: per kernel row, each input column the strip reads is
        /// loaded once and multiplied into every pixel's accumulators that use it, so a k-wide kernel costs about
        /// (pixels + k) loads for pixels x k multiply-adds instead of two loads per multiply-add.
        /// </summary>
        private void EmitPixelStrips(SourceWriter writer, Isa isa, string end, Channels channels)
        {
            (string start, _) = InteriorColumns;
            int pixels = Plan.DepthwiseFor(isa).StripPixels;
            writer.WriteLine($"// Strips of {pixels} output pixels share the input columns they read; the last one ends the interior");
            writer.WriteLine("// and may compute pixels again (the same values), which costs less than single pixels.");
            writer.OpenBlock($"for (; ox < {end} && {(start == "0" ? end : $"{end} - {start}")} >= {pixels}; ox += {pixels})");
            writer.WriteLine($"ox = Math.Min(ox, {end} - {pixels});");
            EmitStrip(writer, isa, pixels, Names.InputColumn, (p, kx) => (p * Spec.Width.Stride) + (kx * Spec.Width.Dilation), channels);
            writer.CloseBlock();
        }

        /// <summary>
        /// One strip of <paramref name="pixels"/> output pixels from <c>ox</c> on: tap (p, kx) reads input column
        /// <paramref name="inputColumn"/> + <paramref name="tapColumn"/>(p, kx), or nothing where that is null (padding).
        /// </summary>
        private void EmitStrip(SourceWriter writer, Isa isa, int pixels, string inputColumn, System.Func<int, int, int?> tapColumn, Channels channels)
        {
            int lanes = isa.Lanes;
            string type = $"{isa.VectorType}<float>";
            string inputWidth = Names.Size("InputWidth");
            (string kyFrom, string kyTo) = VectorKernelRows;
            writer.WriteLine($"int c = {channels.Start};");
            OpenChannelLoop(writer, isa, 1, channels.End);
            bool multiplier = OpenMultiplierLoop(writer);
            // Each pixel sums its even and odd kernel columns apart: 8 independent chains instead of 4.
            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine($"{type} acc{p} = {type}.Zero, odd{p} = {type}.Zero;");
            }

            bool rowLoop = Spec.Height.Kernel > 1;
            if (rowLoop)
            {
                writer.OpenBlock($"for (int ky = {kyFrom}; ky < {kyTo}; ky++)");
            }

            string ky = rowLoop ? "ky" : "0";
            writer.WriteLine(Names.Let("xr", writable: false, "image", inputColumn == "0"
                ? $"{InputRowOf(ky)} * {inputWidth} * InChannels"
                : $"({InputRowOf(ky)} * {inputWidth} + {inputColumn}) * InChannels"));
            writer.WriteLine(Names.Let("wr", writable: false, "weights", OrZero(Join(rowLoop ? "ky * KernelWidth * DepthwiseChannels" : null, multiplier ? "m * InChannels" : null))));
            var loaded = new HashSet<int>();
            for (int kx = 0; kx < Spec.Width.Kernel; kx++)
            {
                var column = TapColumn.At(kx);
                bool used = false;
                for (int p = 0; p < pixels; p++)
                {
                    // Input column u (in pixels from the strip's first input column) serves pixel p at kernel column kx.
                    if (!(tapColumn(p, kx) is int u))
                    {
                        continue;
                    }

                    if (!used)
                    {
                        writer.WriteLine($"{type} weight{column} = {Names.LoadVector(isa, "wr", Join(Column(column, "DepthwiseChannels"), "c"))};");
                        used = true;
                    }

                    string name = $"input{u}";
                    if (loaded.Add(u))
                    {
                        writer.WriteLine($"{type} {name} = {Names.LoadVector(isa, "xr", Join(u == 0 ? null : $"{u} * InChannels", "c"))};");
                    }

                    string acc = kx % 2 == 0 ? $"acc{p}" : $"odd{p}";
                    writer.WriteLine($"{acc} = MultiplyAdd({name}, weight{column}, {acc});");
                }
            }

            if (rowLoop)
            {
                writer.CloseBlock();
            }

            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine(Names.StoreVector($"(acc{p} + odd{p})", "row", $"{(p == 0 ? "ox" : $"(ox + {p})")} * DepthwiseChannels + {Intermediate("c", multiplier ? "m" : "0")}"));
            }

            if (multiplier)
            {
                writer.CloseBlock();
            }

            writer.CloseBlock();
        }

        /// <summary>The channels [Start, End) a vector block walks: all of them, or one chunk.</summary>
        private readonly record struct Channels(string Start, string End);

        private static readonly Channels AllChannels = new Channels("0", "InChannels");

        /// <summary>Whether channels run scalar: only where there are fewer than a vector.</summary>
        private bool ScalarChannels(Isa isa) => Plan.DepthwiseFor(isa).ScalarChannels;

        /// <summary>
        /// Opens the loop over channel blocks of <paramref name="chains"/> vectors up to <paramref name="end"/>. The
        /// single-vector loop also takes the last channels, fewer than a vector: its last block moves back to end at
        /// InChannels and computes some channels again, with the same values (cheaper than a scalar tail).
        /// </summary>
        private void OpenChannelLoop(SourceWriter writer, Isa isa, int chains, string end)
        {
            int lanes = isa.Lanes;
            if (chains > 1 || Spec.InChannels % lanes == 0 || ScalarChannels(isa))
            {
                writer.OpenBlock($"for (; c + {chains * lanes} <= {end}; c += {chains * lanes})");
                return;
            }

            writer.OpenBlock($"for (; c < {end}; c += {lanes})");
            writer.WriteLine($"c = Math.Min(c, InChannels - {Literal.Int(lanes)});");
        }

        private void EmitBorderLoop(SourceWriter writer, string start, string end, Isa isa)
        {
            // The scalar border pixel has no suffix: every row method shares it.
            string method = isa.IsScalar ? "DepthwiseBorderPixel" : "DepthwiseBorderPixel" + Names.IsaSuffix(isa.Name);
            writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
            writer.WriteLine($"{method}({Names.ArgAt("row", "ox * DepthwiseChannels")}, {Names.Arg("image")}, iy, {Names.InputColumn}{Names.Argument});");
            writer.CloseBlock();
        }

        protected override void EmitBorderPixel(SourceWriter writer)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Depthwise step for one pixel whose window crosses the zero padding: only the taps inside the image");
            writer.WriteLine("/// contribute, added in the same tap order as the interior code.");
            writer.WriteLine("/// </summary>");
            Names.EmitKernelAttribute(writer);
            writer.OpenBlock($"private void DepthwiseBorderPixel({Names.Param("target", writable: true)}, {Names.Param("image", writable: false)}, int iy, int ix{Names.Parameter})");
            EmitClippedTapRange(writer);
            writer.WriteLine(Names.LetArray("weights", "_sepConvDepthwise"));
            writer.OpenBlock("for (int j = 0; j < DepthwiseChannels; j++)");
            writer.WriteLine($"{Names.At("target", "j")} = 0f;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.OpenBlock($"for (int ky = {KyStart}; ky < {KyEnd}; ky++)");
            writer.OpenBlock($"for (int kx = {KxStart}; kx < {KxEnd}; kx++)");
            writer.WriteLine(Names.Let("x", writable: false, "image", $"((iy + ky * DilationHeight) * {Names.Size("InputWidth")} + ix + kx * DilationWidth) * InChannels"));
            writer.WriteLine(Names.Let("w", writable: false, "weights", "(ky * KernelWidth + kx) * DepthwiseChannels"));
            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            if (Spec.DepthMultiplier == 1)
            {
                writer.WriteLine($"{Names.At("target", "c")} += {Names.At("x", "c")} * {Names.At("w", "c")};");
            }
            else
            {
                writer.WriteLine($"float value = {Names.At("x", "c")};");
                writer.OpenBlock("for (int j = c; j < DepthwiseChannels; j += InChannels)");
                writer.WriteLine($"{Names.At("target", "j")} += value * {Names.At("w", "j")};");
                writer.CloseBlock();
            }

            writer.CloseBlock();
            writer.CloseBlock();
            writer.CloseBlock();
            writer.CloseBlock();
        }

        protected override void EmitVectorBorderPixel(SourceWriter writer, Isa isa)
        {
            int lanes = isa.Lanes;
            string type = $"{isa.VectorType}<float>";
            writer.WriteLine();
            writer.WriteLine($"/// <summary>The border pixel with {isa.VectorType} along the channels.</summary>");
            Names.EmitKernelAttribute(writer, isa);
            writer.OpenBlock($"private void DepthwiseBorderPixel{Names.IsaSuffix(isa.Name)}({Names.Param("target", writable: true)}, {Names.Param("image", writable: false)}, int iy, int ix{Names.Parameter})");
            EmitClippedTapRange(writer);
            writer.WriteLine(Names.LetArray("weights", "_sepConvDepthwise"));
            writer.WriteLine("int c = 0;");
            // Several channel vectors at a time: independent accumulators instead of one chain of multiply-adds.
            foreach (int chains in Plan.DepthwiseFor(isa).BorderChannelBlocks)
            {
                OpenChannelLoop(writer, isa, chains, "InChannels");
                bool multiplier = OpenMultiplierLoop(writer);
                for (int q = 0; q < chains; q++)
                {
                    writer.WriteLine($"{type} acc{q} = {type}.Zero;");
                }

                writer.OpenBlock($"for (int ky = {KyStart}; ky < {KyEnd}; ky++)");
                writer.OpenBlock($"for (int kx = {KxStart}; kx < {KxEnd}; kx++)");
                writer.WriteLine($"int pixel = ((iy + ky * DilationHeight) * {Names.Size("InputWidth")} + ix + kx * DilationWidth) * InChannels;");
                writer.WriteLine("int tap = (ky * KernelWidth + kx) * DepthwiseChannels;");
                for (int q = 0; q < chains; q++)
                {
                    string channel = Chain("c", q, lanes);
                    writer.WriteLine($"acc{q} = MultiplyAdd({Names.LoadVector(isa, "image", $"pixel + {channel}")}, {Names.LoadVector(isa, "weights", "tap + " + Intermediate(channel, multiplier ? "m" : "0"))}, acc{q});");
                }

                writer.CloseBlock();
                writer.CloseBlock();
                for (int q = 0; q < chains; q++)
                {
                    writer.WriteLine(Names.StoreVector($"acc{q}", "target", Intermediate(Chain("c", q, lanes), multiplier ? "m" : "0")));
                }

                if (multiplier)
                {
                    writer.CloseBlock();
                }

                writer.CloseBlock();
            }

            if (!ScalarChannels(isa))
            {
                writer.CloseBlock();
                return;
            }

            writer.OpenBlock("for (; c < InChannels; c++)");
            bool tailMultiplier = OpenMultiplierLoop(writer);
            string j = Intermediate("c", tailMultiplier ? "m" : "0");
            writer.WriteLine("float sum = 0f;");
            writer.OpenBlock($"for (int ky = {KyStart}; ky < {KyEnd}; ky++)");
            writer.OpenBlock($"for (int kx = {KxStart}; kx < {KxEnd}; kx++)");
            writer.WriteLine($"sum += {Names.At("image", $"((iy + ky * DilationHeight) * {Names.Size("InputWidth")} + ix + kx * DilationWidth) * InChannels + c")} * {Names.At("weights", "(ky * KernelWidth + kx) * DepthwiseChannels + " + j)};");
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine($"{Names.At("target", j)} = sum;");
            if (tailMultiplier)
            {
                writer.CloseBlock();
            }

            writer.CloseBlock();
            writer.CloseBlock();
        }
    }
}

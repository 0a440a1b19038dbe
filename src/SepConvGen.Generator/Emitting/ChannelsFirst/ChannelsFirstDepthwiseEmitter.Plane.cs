using System;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>Vector rows read from the input plane: blocks laid out at generation time, edge vectors shuffled with zeros.</summary>
    internal sealed partial class ChannelsFirstDepthwiseEmitter
    {
        /// <summary>
        /// The tile's rows read from the input plane (see <see cref="ReadsPlane"/>), with the kernel rows outside the
        /// image left out: in pairs where <see cref="PairsRows"/>, else one by one. An odd last row runs as a pair too,
        /// its lower row written to the slab buffer (unused at this width), so that there is one body of code per block.
        /// </summary>
        private void EmitPlaneRows(SourceWriter writer, Isa isa)
        {
            string width = Names.Size("OutputWidth");
            string inputWidth = Names.Size("InputWidth");
            string inputHeight = Names.Size("InputHeight");
            bool clip = Spec.Height.HasBorder;
            if (PairsRows(isa))
            {
                writer.WriteLine("// Output rows in pairs: input row top + t is kernel row t of the upper row and t - 1 of the lower one, so");
                writer.WriteLine("// each input row is loaded and slid once for both.");
                writer.OpenBlock("for (int r = 0; r < rows; r += 2)");
                writer.WriteLine(Names.Let("target", writable: true, "row", $"c * channelStride + r * {width}"));
                writer.WriteLine("// An odd last row's partner goes to the slab buffer.");
                EmitLowerTarget(writer, $"c * channelStride + (r + 1) * {width}", null);
                writer.WriteLine("int top = iy + r;");
                if (clip)
                {
                    writer.WriteLine("// The input rows of the pair inside the image.");
                    writer.WriteLine($"int tStart = Math.Max(0, -top), tEnd = Math.Min(KernelHeight + 1, {inputHeight} - top);");
                }

                EmitVectorColumns(writer, isa, "0", width, t => $"int xr = (top + {t}) * {inputWidth} - PadLeft;", kx => null, string.Empty, string.Empty,
                    pairedRows: true, kernelRows: clip ? ("tStart", "tEnd") : ("0", "KernelHeight + 1"), plane: true);
                writer.CloseBlock();
                return;
            }

            writer.OpenBlock("for (int r = 0; r < rows; r++)");
            writer.WriteLine(Names.Let("target", writable: true, "row", $"c * channelStride + r * {width}"));
            writer.WriteLine("int top = iy + r * StrideHeight;");
            EmitRowClip(writer, "top");
            EmitVectorColumns(writer, isa, "0", width, ky => $"int xr = {InputRowOf(ky, "top")} * {inputWidth} - PadLeft;",
                kx => null, string.Empty, string.Empty, kernelRows: (KyStart, KyEnd), plane: true);
            writer.CloseBlock();
        }

        /// <summary>
        /// The input vector of the row at <c>xr</c> (the plane index of its padded column 0) from padded column
        /// ox + <paramref name="offset"/>: a load where it lies inside the row (always, where ox is a loop variable:
        /// <paramref name="fixedOx"/> null), else lanes of the row's first or last vector and zeros for the padding.
        /// </summary>
        private string PlaneVector(Isa isa, int? fixedOx, int offset)
        {
            if (PlaneLoads(isa, fixedOx, offset))
            {
                return Names.LoadVector(isa, "plane", fixedOx is int at ? $"xr + {Literal.Int(at + offset)}"
                    : offset == 0 ? "xr + ox" : $"xr + ox + {Literal.Int(offset)}");
            }

            int ox = (int)fixedOx!, lanes = isa.Lanes, width = Spec.Width.FixedInput, padLeft = Spec.Width.PadBefore(width);
            int first = ox + offset - padLeft; // input column of lane 0
            if (first >= width)
            {
                return $"{isa.VectorType}<float>.Zero";
            }

            // Lane i takes input column first + i from the row's first (or last) vector; -1 selects zero.
            int from = first < 0 ? 0 : width - lanes;
            var indices = new System.Text.StringBuilder();
            for (int lane = 0; lane < lanes; lane++)
            {
                int index = first + lane - from;
                indices.Append(lane == 0 ? string.Empty : ", ").Append(Literal.Int(index >= 0 && index < lanes && first + lane < width ? index : -1));
            }

            return $"{isa.VectorType}.Shuffle({Names.LoadVector(isa, "plane", $"xr + {Literal.Int(padLeft + from)}")}, {isa.VectorType}.Create({indices}))";
        }

        /// <summary>
        /// The blocks of a row read from the plane (see <see cref="ReadsPlane"/>), in the order and sizes of the loops
        /// of <see cref="EmitVectorColumns"/>: each at its column, except runs of whole blocks inside the row, which
        /// stay a loop (so the code grows with the edges, not with the width).
        /// </summary>
        private void EmitPlaneBlocks(SourceWriter writer, int lanes, bool pairedRows, Action<int, bool, int?, int> block)
        {
            int width = Spec.Width.FixedInput, end = Spec.Width.Output(width), padLeft = Spec.Width.PadBefore(width);

            // Blocks of whole vectors from column ox to before limit whose loads (their vectors and the next one) lie
            // inside the row: one loop where there are two or more. Returns the column after them.
            int Loop(int ox, int vectors, int limit)
            {
                int step = vectors * lanes, run = ox;
                while (run < limit && run - padLeft >= 0 && run + step + lanes - padLeft <= width)
                {
                    run += step;
                }

                if (run - ox < 2 * step)
                {
                    return ox;
                }

                writer.OpenBlock($"for (int ox = {Literal.Int(ox)}; ox < {Literal.Int(run)}; ox += {Literal.Int(step)})");
                block(vectors, vectors == 2, null, lanes);
                writer.CloseBlock();
                return run;
            }

            int at = 0;
            int blockStep = BlockVectors * lanes;
            while (!pairedRows && at + blockStep <= end)
            {
                int after = Loop(at, BlockVectors, end - blockStep + 1);
                if (after == at)
                {
                    EmitFixedBlock(writer, at, () => block(BlockVectors, false, at, 0));
                    after = at + blockStep;
                }

                at = after;
            }

            while (end - at > lanes)
            {
                int after = Loop(at, 2, end - (2 * lanes) + 1);
                if (after == at)
                {
                    int second = Math.Min(lanes, end - lanes - at);
                    EmitFixedBlock(writer, at, () => block(2, true, at, second));
                    after = at + lanes + second;
                }

                at = after;
            }

            if (at < end)
            {
                EmitFixedBlock(writer, end - lanes, () => block(1, false, end - lanes, 0));
            }
        }

        private static void EmitFixedBlock(SourceWriter writer, int ox, Action block)
        {
            writer.OpenBlock();
            writer.WriteLine($"const int ox = {Literal.Int(ox)};");
            block();
            writer.CloseBlock();
        }

        /// <summary>Whether <see cref="PlaneVector"/> at this offset is a plain load (not zeros or an edge shuffle).</summary>
        private bool PlaneLoads(Isa isa, int? fixedOx, int offset)
        {
            if (!(fixedOx is int ox))
            {
                return true;
            }

            int width = Spec.Width.FixedInput, first = ox + offset - Spec.Width.PadBefore(width);
            return first >= 0 && first + (isa.Lanes) <= width;
        }
    }
}

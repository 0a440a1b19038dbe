using System;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>Vector rows over the zero-padded slab: the copies of the tile's input rows (phases for strides), rows one by one or in pairs.</summary>
    internal sealed partial class ChannelsFirstDepthwiseEmitter
    {
        /// <summary>
        /// A vector row over zero-padded copies of its input rows: every column, border ones included, runs on
        /// vectors (see <see cref="EmitVectorColumns"/>).
        /// </summary>
        private void EmitPaddedVectorRow(SourceWriter writer, Isa isa)
        {
            if (Plan.FlatTiles)
            {
                _flat.EmitTile(writer, isa);
                return;
            }

            if (Slides(isa))
            {
                // Vector512 implies AVX-512F and Vector256 AVX2 wherever .NET accelerates them today; should a platform
                // accelerate them without, the next narrower row does the work.
                writer.OpenBlock($"if (!{isa.X86Class}.IsSupported)");
                writer.WriteLine($"{Names.DepthwiseBase}{Names.IsaSuffix(isa.Narrower.Name)}({Names.Arg("image")}, {Names.Arg("row")}, oy{Names.DepthwiseTileArgument}{Names.Argument});");
                writer.WriteLine("return;");
                writer.CloseBlock();
                writer.WriteLine();
            }

            string width = Names.Size("OutputWidth");
            string inputWidth = Names.Size("InputWidth");
            writer.WriteLine($"int planeLength = {Names.Size("InputHeight")} * {inputWidth};");
            if (ReadsPlane(isa))
            {
                writer.WriteLine("// Rows are read from the input plane: the few vectors that reach into the padding are the row's first or");
                writer.WriteLine("// last vector shuffled with zeros, so this width leaves the padded slab unused.");
                writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
                writer.WriteLine(Names.Let("plane", writable: false, "image", "c * planeLength"));
                writer.WriteLine(Names.Let("w", writable: false, "weights", "c"));
                EmitPlaneRows(writer, isa);
                writer.CloseBlock();
                return;
            }

            string constant = Spec.IsFixed ? "const int" : "int";
            bool strided = Spec.Width.Stride > 1;
            if (strided)
            {
                writer.WriteLine("// Each padded row holds StrideWidth phases: padded column p at p % StrideWidth * phaseLength + p / StrideWidth.");
                writer.WriteLine($"{constant} phaseLength = {width} + (KernelWidth - 1) * DilationWidth / StrideWidth;");
                writer.WriteLine($"{constant} paddedWidth = StrideWidth * phaseLength;");
            }
            else
            {
                writer.WriteLine($"{constant} paddedWidth = {width} + EffectiveKernelWidth - 1;");
            }

            string padLeft = Spec.Width.HasBorder ? Names.Size("PadLeft") : "0";
            if (!strided && !Slides(isa))
            {
                EmitTapSteps(writer, rows: false);
            }

            writer.WriteLine("// Slab row t holds input row iy + t; rows outside the image stay zero, so every kernel row runs.");
            writer.WriteLine("int slabRows = (rows - 1) * StrideHeight + (KernelHeight - 1) * DilationHeight + 1;");
            writer.WriteLine("int firstInside = Math.Max(0, -iy);");
            writer.WriteLine($"int endInside = Math.Min(slabRows, {Names.Size("InputHeight")} - iy);");
            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            writer.WriteLine(Names.Let("plane", writable: false, "image", "c * planeLength"));
            writer.WriteLine(Names.Let("w", writable: false, "weights", "c"));
            writer.WriteLine("// The tile's input rows, each copied once between its zero padding.");
            if (!strided)
            {
                EmitRowCopies(writer, isa, padLeft);
            }
            else
            {
                writer.OpenBlock("for (int t = firstInside; t < endInside; t++)");
                if (SplitsPairs(isa))
                {
                    EmitPairSplit(writer, isa, padLeft);
                }
                else
                {
                    writer.WriteLine($"int inputRow = (iy + t) * {inputWidth};");
                    writer.WriteLine("// Columns past the last window's reach are never read.");
                    writer.WriteLine($"int count = Math.Min({inputWidth}, paddedWidth - {padLeft});");
                    writer.OpenBlock("for (int phase = 0; phase < StrideWidth; phase++)");
                    writer.WriteLine($"// Input columns i whose padded column {padLeft} + i is in this phase, at consecutive places.");
                    writer.WriteLine($"int i = ((phase - {padLeft}) % StrideWidth + StrideWidth) % StrideWidth;");
                    writer.WriteLine($"int at = t * paddedWidth + phase * phaseLength + ({padLeft} + i) / StrideWidth;");
                    writer.OpenBlock("for (; i < count; i += StrideWidth, at++)");
                    writer.WriteLine($"{Names.At("pad", "at")} = {Names.At("plane", "inputRow + i")};");
                    writer.CloseBlock();
                    writer.CloseBlock();
                }

                writer.CloseBlock();
            }

            writer.WriteLine();
            string InputRow(string ky) => Names.Let("xr", writable: false, "slab", ky == "0" ? "ox" : $"{ky} * DilationHeight * paddedWidth + ox");
            Func<TapColumn, string?> columnOffset = strided ? PhaseColumn : kx => Column(kx, "TapColumnStep");
            writer.WriteLine("int r = 0;");
            int lanes = isa.Lanes;
            Applies slabPairs = Plan.DepthwiseFor(isa).SlabPairs;
            if (slabPairs != Applies.Never)
            {
                string wide = slabPairs == Applies.Checked ? $" && {width} >= {Literal.Int(lanes)}" : string.Empty;
                writer.WriteLine("// Output rows in pairs: slab row t is kernel row t of the upper row and t - 1 of the lower one, so each");
                writer.WriteLine("// slab row is loaded and slid once for both (rows at least a vector wide). An odd last row runs as a pair");
                writer.WriteLine("// too, its partner reading the zero row under the slab and written to the row after that: a row's sums then");
                writer.WriteLine("// add up in the same order whatever tile it is in (ForwardParallel's tiles give Forward's bits).");
                writer.OpenBlock($"for (; r < rows{wide}; r += 2)");
                writer.WriteLine(Names.Let("target", writable: true, "row", $"c * channelStride + r * {width}"));
                EmitLowerTarget(writer, $"c * channelStride + (r + 1) * {width}", "(slabRows + 1) * paddedWidth");
                writer.WriteLine(Names.Let("slab", writable: false, "pad", "r * paddedWidth"));
                bool clip = Spec.Height.HasBorder;
                if (clip)
                {
                    // Slab rows outside the image are zero: left out, as rows read from the plane leave them out (S4 NCHW's
                    // depthwise step at run-time size 0.062 -> 0.059 ms).
                    writer.WriteLine($"int tStart = Math.Max(0, -(iy + r)), tEnd = Math.Min(KernelHeight + 1, {Names.Size("InputHeight")} - (iy + r));");
                }

                EmitVectorColumns(writer, isa, "0", width, InputRow, columnOffset, string.Empty, string.Empty, pairedRows: true,
                    kernelRows: clip ? ("tStart", "tEnd") : null);
                writer.CloseBlock();
                writer.WriteLine();
            }

            writer.OpenBlock("for (; r < rows; r++)");
            writer.WriteLine(Names.Let("target", writable: true, "row", $"c * channelStride + r * {width}"));
            writer.WriteLine(Names.Let("slab", writable: false, "pad", "r * StrideHeight * paddedWidth"));
            EmitVectorColumns(writer, isa, "0", width, InputRow, columnOffset,
                "slab", strided ? "ky * DilationHeight * paddedWidth + kx % StrideWidth * phaseLength + ox + kx / StrideWidth" : "ky * DilationHeight * paddedWidth + ox + kx * DilationWidth");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>
        /// The lower row of a pair: the tile's row at <paramref name="lower"/>, or for an odd last row the slab buffer at
        /// <paramref name="sink"/> (its start where null), which then takes every multiplier's row (<c>lowerRows</c> 0).
        /// </summary>
        private void EmitLowerTarget(SourceWriter writer, string lower, string? sink)
        {
            writer.WriteLine(Names.IsChecked
                ? $"Span<float> lowerTarget = r + 1 < rows ? row.Slice({lower}) : {(sink is null ? "pad" : $"pad.Slice({sink})")};"
                : $"ref float lowerTarget = ref (r + 1 < rows ? ref Unsafe.Add(ref row, {lower}) : ref {(sink is null ? "pad" : $"Unsafe.Add(ref pad, {sink})")});");
            if (Spec.DepthMultiplier > 1)
            {
                writer.WriteLine("int lowerRows = r + 1 < rows ? InChannels * channelStride : 0;");
            }
        }

        /// <summary>Vector rows over a padded slab run every kernel row (the slab's rows outside the image are zero).</summary>
        protected override (string From, string To) VectorKernelRows => Names.PadsRows ? ("0", "KernelHeight") : base.VectorKernelRows;

        private void EmitPairSplit(SourceWriter writer, Isa isa, string padLeft)
        {
            int lanes = isa.Lanes;
            string inputWidth = Names.Size("InputWidth");
            writer.WriteLine($"int inputRow = (iy + t) * {inputWidth};");
            writer.WriteLine("// Columns past the last window's reach are never read.");
            writer.WriteLine($"int count = Math.Min({inputWidth}, paddedWidth - {padLeft});");
            writer.WriteLine($"// Input column i is padded column p = {padLeft} + i: phase p % 2, place p / 2.");
            writer.WriteLine($"int evens = t * paddedWidth + {padLeft} % 2 * phaseLength + {padLeft} / 2;");
            writer.WriteLine($"int odds = t * paddedWidth + ({padLeft} + 1) % 2 * phaseLength + ({padLeft} + 1) / 2;");
            writer.WriteLine("int i = 0;");
            writer.OpenBlock($"for (; i + {2 * lanes} <= count; i += {2 * lanes})");
            writer.WriteLine($"{isa.VectorType}<float> low = {Names.LoadVector(isa, "plane", "inputRow + i")};");
            writer.WriteLine($"{isa.VectorType}<float> high = {Names.LoadVector(isa, "plane", $"inputRow + i + {lanes}")};");
            writer.WriteLine(Names.StoreVector("EvenLanes(low, high)", "pad", "evens + i / 2"));
            writer.WriteLine(Names.StoreVector("OddLanes(low, high)", "pad", "odds + i / 2"));
            writer.CloseBlock();
            writer.OpenBlock("for (; i < count; i++)");
            writer.WriteLine($"{Names.At("pad", "(i % 2 == 0 ? evens : odds) + i / 2")} = {Names.At("plane", "inputRow + i")};");
            writer.CloseBlock();
        }

        /// <summary>
        /// The loop copying the tile's input rows into the padded rows: rows of one or two vectors (the second one ending
        /// the row) without a loop per row, where the plan's <see cref="DepthwisePath.ShortRowCopies"/> says so.
        /// </summary>
        private void EmitRowCopies(SourceWriter writer, Isa isa, string padLeft)
        {
            int lanes = isa.Lanes;
            string inputWidth = Names.Size("InputWidth");
            Applies shortRowCopies = Plan.DepthwiseFor(isa).ShortRowCopies;
            bool shortRows = shortRowCopies == Applies.Always;
            bool checkWidth = shortRowCopies == Applies.Checked;
            if (checkWidth)
            {
                writer.OpenBlock($"if ({inputWidth} >= {Literal.Int(lanes)} && {inputWidth} <= {Literal.Int(2 * lanes)})");
            }

            if (checkWidth || shortRows)
            {
                writer.WriteLine($"int tail = {inputWidth} - {Literal.Int(lanes)};");
                writer.OpenBlock("for (int t = firstInside; t < endInside; t++)");
                writer.WriteLine($"int source = (iy + t) * {inputWidth}, destination = t * paddedWidth + {padLeft};");
                writer.WriteLine(Names.StoreVector(Names.LoadVector(isa, "plane", "source"), "pad", "destination"));
                writer.WriteLine(Names.StoreVector(Names.LoadVector(isa, "plane", "source + tail"), "pad", "destination + tail"));
                writer.CloseBlock();
            }

            if (checkWidth)
            {
                writer.CloseBlock();
                writer.OpenBlock("else");
            }

            if (checkWidth || !shortRows)
            {
                writer.OpenBlock("for (int t = firstInside; t < endInside; t++)");
                EmitVectorCopy(writer, isa, $"(iy + t) * {inputWidth}", $"t * paddedWidth + {padLeft}", inputWidth);
                writer.CloseBlock();
            }

            if (checkWidth)
            {
                writer.CloseBlock();
            }
        }

        /// <summary>
        /// Copies <paramref name="count"/> floats of the plane into the padded rows with vectors, the last one
        /// overlapping (rows are short: a call to a general copy costs more than the copy itself).
        /// </summary>
        private void EmitVectorCopy(SourceWriter writer, Isa isa, string from, string to, string count)
        {
            int lanes = isa.Lanes;
            writer.WriteLine($"int source = {from}, destination = {to};");
            writer.WriteLine("int i = 0;");
            writer.OpenBlock($"for (; i + {lanes} <= {count}; i += {lanes})");
            writer.WriteLine(Names.StoreVector(Names.LoadVector(isa, "plane", "source + i"), "pad", "destination + i"));
            writer.CloseBlock();
            writer.OpenBlock($"if (i < {count} && {count} >= {lanes})");
            writer.WriteLine($"i = {count} - {lanes};");
            writer.WriteLine(Names.StoreVector(Names.LoadVector(isa, "plane", "source + i"), "pad", "destination + i"));
            writer.CloseBlock();
            writer.OpenBlock("else");
            writer.OpenBlock($"for (; i < {count}; i++)");
            writer.WriteLine($"{Names.At("pad", "destination + i")} = {Names.At("plane", "source + i")};");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>
        /// Where kernel column kx of output column ox is in a phase-split padded row, relative to ox: phase
        /// kx % StrideWidth, shifted by kx / StrideWidth (strided layers have no dilation).
        /// </summary>
        private string? PhaseColumn(TapColumn kx)
        {
            if (!(kx.Index is int column))
            {
                return $"{kx} % StrideWidth * phaseLength + {kx} / StrideWidth";
            }

            int phase = column % Spec.Width.Stride, shift = column / Spec.Width.Stride;
            return Join(phase == 0 ? null : $"{phase} * phaseLength", shift == 0 ? null : Literal.Int(shift));
        }
    }
}

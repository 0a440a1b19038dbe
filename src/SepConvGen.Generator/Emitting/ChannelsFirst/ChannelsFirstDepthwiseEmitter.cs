using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>
    /// Depthwise step for NCHW: each channel is its own plane, so the row is computed plane by plane and
    /// the row buffer holds DepthwiseChannels rows of OutputWidth values.
    /// </summary>
    internal sealed class ChannelsFirstDepthwiseEmitter : DepthwiseEmitter
    {
        private readonly FlatTileEmitter _flat;

        public ChannelsFirstDepthwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
            : base(spec, names, plan)
        {
            _flat = new FlatTileEmitter(spec, names);
        }

        protected override string ColumnStep => "DilationWidth";

        protected override string RowStep => $"DilationHeight * {Names.Size("InputWidth")}";

        protected override string RowLayout => "DepthwiseChannels rows of OutputWidth values, channelStride apart (NCHW)";

        private bool Slides(Isa isa) => Plan.DepthwiseFor(isa).Slides;

        private bool ReadsPlane(Isa isa) => Plan.DepthwiseFor(isa).ReadsPlane;

        private bool PairsRows(Isa isa) => Plan.DepthwiseFor(isa).PairsRows;

        private bool SplitsPairs(Isa isa) => Plan.DepthwiseFor(isa).SplitsPairs;

        /// <summary>Whether the window <paramref name="shift"/> lanes into low then high is loaded instead of slid.</summary>
        private bool LoadsWindow(Isa isa, int shift) => Plan.DepthwiseFor(isa).LoadsEveryThirdWindow && shift % 3 == 0;

        protected override void EmitRowBody(SourceWriter writer, Isa isa)
        {
            if (!isa.IsScalar && Names.PadsRows)
            {
                EmitPaddedVectorRow(writer, isa);
                return;
            }

            string width = Names.Size("OutputWidth");
            writer.WriteLine($"int planeLength = {Names.Size("InputHeight")} * {Names.Size("InputWidth")};");
            if (!isa.IsScalar)
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
            if (isa.IsScalar && Spec.Height.HasBorder)
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
            if (!isa.IsScalar)
            {
                EmitVectorInterior(writer, isa, start, end);
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
                writer.WriteLine(Names.Let("plane", false, "image", "c * planeLength"));
                writer.WriteLine(Names.Let("w", false, "weights", "c"));
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
            writer.WriteLine(Names.Let("plane", false, "image", "c * planeLength"));
            writer.WriteLine(Names.Let("w", false, "weights", "c"));
            writer.WriteLine("// The tile's input rows, each copied once between its zero padding.");
            writer.OpenBlock("for (int t = firstInside; t < endInside; t++)");
            if (strided && SplitsPairs(isa))
            {
                EmitPairSplit(writer, isa, padLeft);
            }
            else if (strided)
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
            else
            {
                EmitVectorCopy(writer, isa, $"(iy + t) * {inputWidth}", $"t * paddedWidth + {padLeft}", inputWidth);
            }

            writer.CloseBlock();
            writer.WriteLine();
            string InputRow(string ky) => Names.Let("xr", false, "slab", ky == "0" ? "ox" : $"{ky} * DilationHeight * paddedWidth + ox");
            Func<string, string?> columnOffset = strided ? PhaseColumn : kx => Column(kx, "TapColumnStep");
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
                writer.WriteLine(Names.Let("target", true, "row", $"c * channelStride + r * {width}"));
                EmitLowerTarget(writer, $"c * channelStride + (r + 1) * {width}", "(slabRows + 1) * paddedWidth");
                writer.WriteLine(Names.Let("slab", false, "pad", "r * paddedWidth"));
                EmitVectorColumns(writer, isa, "0", width, InputRow, columnOffset, string.Empty, string.Empty, pairedRows: true);
                writer.CloseBlock();
                writer.WriteLine();
            }

            writer.OpenBlock("for (; r < rows; r++)");
            writer.WriteLine(Names.Let("target", true, "row", $"c * channelStride + r * {width}"));
            writer.WriteLine(Names.Let("slab", false, "pad", "r * StrideHeight * paddedWidth"));
            EmitVectorColumns(writer, isa, "0", width, InputRow, columnOffset,
                "slab", strided ? "ky * DilationHeight * paddedWidth + kx % StrideWidth * phaseLength + ox + kx / StrideWidth" : "ky * DilationHeight * paddedWidth + ox + kx * DilationWidth");
            writer.CloseBlock();
            writer.CloseBlock();
        }

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
                writer.WriteLine(Names.Let("target", true, "row", $"c * channelStride + r * {width}"));
                writer.WriteLine("// An odd last row's partner goes to the slab buffer.");
                EmitLowerTarget(writer, $"c * channelStride + (r + 1) * {width}", null);
                writer.WriteLine("int top = iy + r;");
                if (clip)
                {
                    writer.WriteLine("// The input rows of the pair inside the image.");
                    writer.WriteLine($"int tStart = Math.Max(0, -top), tEnd = Math.Min(KernelHeight + 1, {inputHeight} - top);");
                }

                EmitVectorColumns(writer, isa, "0", width, t => $"int xr = (top + {t}) * {inputWidth} - PadLeft;", kx => null, string.Empty, string.Empty,
                    pairedRows: true, kernelRows: clip ? ("tStart", "tEnd") : ("0", "KernelHeight + 1"));
                writer.CloseBlock();
                return;
            }

            writer.OpenBlock("for (int r = 0; r < rows; r++)");
            writer.WriteLine(Names.Let("target", true, "row", $"c * channelStride + r * {width}"));
            writer.WriteLine("int top = iy + r * StrideHeight;");
            EmitRowClip(writer, "top");
            EmitVectorColumns(writer, isa, "0", width, ky => $"int xr = {InputRowOf(ky, "top")} * {inputWidth} - PadLeft;",
                kx => null, string.Empty, string.Empty, kernelRows: (KyStart, KyEnd));
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

        /// <summary>The column masks of flat tiles (see <see cref="FlatTileEmitter"/>).</summary>
        protected override void EmitSharedVectorHelpers(SourceWriter writer)
        {
            if (Plan.FlatTiles)
            {
                _flat.EmitColumnMasks(writer);
            }
        }

        /// <summary>The lane pickers <see cref="EmitPairSplit"/> calls (and the clipped loads of flat tiles), for one vector width.</summary>
        protected override void EmitVectorHelpers(SourceWriter writer, Isa isa)
        {
            if (Plan.FlatTiles)
            {
                _flat.EmitClippedVector(writer, isa);
            }

            if (!Names.PadsRows || !SplitsPairs(isa))
            {
                return;
            }

            int lanes = isa.Lanes;
            string type = $"{isa.VectorType}<float>";
            string half = $"{isa.Narrower.VectorType}<float>";
            foreach ((string name, int first) in new[] { ("EvenLanes", 0), ("OddLanes", 1) })
            {
                var indices = new System.Text.StringBuilder();
                for (int lane = 0; lane < lanes; lane++)
                {
                    int index = lane < lanes / 2 ? (2 * lane) + first : 0;
                    indices.Append(lane == 0 ? string.Empty : ", ").Append(Literal.Int(index));
                }

                writer.WriteLine();
                writer.WriteLine($"/// <summary>The {(first == 0 ? "even" : "odd")} lanes of <paramref name=\"low\"/> then of <paramref name=\"high\"/>.</summary>");
                writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                writer.OpenBlock($"private static {type} {name}({type} low, {type} high)");
                writer.WriteLine($"{isa.VectorType}<int> pick = {isa.VectorType}.Create({indices});");
                writer.WriteLine($"{half} fromLow = {isa.VectorType}.Shuffle(low, pick).GetLower();");
                writer.WriteLine($"{half} fromHigh = {isa.VectorType}.Shuffle(high, pick).GetLower();");
                writer.WriteLine($"return {isa.VectorType}.Create(fromLow, fromHigh);");
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
        private string? PhaseColumn(string kx)
        {
            if (!int.TryParse(kx, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int column))
            {
                return $"{kx} % StrideWidth * phaseLength + {kx} / StrideWidth";
            }

            int phase = column % Spec.Width.Stride, shift = column / Spec.Width.Stride;
            return Join(phase == 0 ? null : $"{phase} * phaseLength", shift == 0 ? null : Literal.Int(shift));
        }

        /// <summary>
        /// The interior columns with vectors along the row (see <see cref="EmitVectorColumns"/>), the kernel rows
        /// clipped to the image for this output row.
        /// </summary>
        private void EmitVectorInterior(SourceWriter writer, Isa isa, string start, string end)
        {
            string inputWidth = Names.Size("InputWidth");
            writer.WriteLine("// Interior columns: every kernel column lands inside the image.");
            EmitVectorColumns(writer, isa, start, end,
                ky => Names.Let("xr", false, "plane", $"{InputRowOf(ky)} * {inputWidth} + {Names.InputColumn}"),
                kx => Column(kx, "TapColumnStep"),
                "plane", $"(iy + ky * DilationHeight) * {inputWidth} + {Names.InputColumn} + kx * DilationWidth");
        }

        /// <summary>
        /// Columns [start, end) on vectors: blocks of 4 vectors, then pairs, the last pair's second vector ending at
        /// <paramref name="end"/> (it may compute columns already done again), then at most one vector ending there;
        /// narrower ranges column by column.
        /// Blocks of few vectors split their sums (see <see cref="DepthwiseEmitter.EmitVectorTaps"/>) so that
        /// about <see cref="IndependentSums"/> multiply-adds are in flight. <paramref name="inputRow"/> declares
        /// <c>xr</c>, the input of kernel row ky at column <c>ox</c>; the scalar columns read
        /// <paramref name="scalarInput"/> at <paramref name="scalarIndex"/>. Rows read from the plane
        /// (<paramref name="kernelRows"/> set, see <see cref="ReadsPlane"/>) run the same blocks, laid out when the code
        /// is generated; <c>xr</c> is then the plane index of the row's padded column 0 and the kernel rows are clipped.
        /// </summary>
        private void EmitVectorColumns(SourceWriter writer, Isa isa, string start, string end, Func<string, string> inputRow,
                                       Func<string, string?> columnOffset, string scalarInput, string scalarIndex, bool pairedRows = false,
                                       (string From, string To)? kernelRows = null)
        {
            int lanes = isa.Lanes;
            bool multiplier = Spec.DepthMultiplier > 1;
            bool plane = kernelRows.HasValue;

            // A block of vectors at column ox, or at the column fixedOx where the code lays the row out; a pair's second
            // vector starts "second" after ox (pairTail).
            void Block(int chains, bool pairTail, int? fixedOx = null, int second = 0)
            {
                // Vector q starts q vectors after ox; the second of a pair "second" after it.
                string? Offset(int q) => pairTail && q == 1 ? (plane ? Literal.Int(second) : "second") : q == 0 ? null : $"{q * lanes}";
                int At(int q) => pairTail && q == 1 ? second : q * lanes;
                if (multiplier)
                {
                    writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
                }

                string Load(string kx, int q) => Names.LoadVector(isa, "xr", OrZero(Join(columnOffset(kx), Offset(q))));

                // The row's vector starting `offset` lanes after vector q: from the plane, or a load from the padded row.
                string RowVector(int q, int offset) => plane
                    ? PlaneVector(isa, fixedOx, At(q) + offset)
                    : Names.LoadVector(isa, "xr", OrZero(Join(Offset(q), offset == 0 ? null : Literal.Int(offset))));
                bool slide = Slides(isa);
                List<string> InputSetup(string ky)
                {
                    var setup = new List<string> { inputRow(ky) };
                    for (int q = 0; slide && q < chains; q++)
                    {
                        setup.Add($"{isa.VectorType}<float> low{q} = {RowVector(q, 0)};");
                    }

                    for (int q = 0; slide && q < chains; q++)
                    {
                        // Where the next vector starts right after this one, its low half is this one's high.
                        bool next = q + 1 < chains && Offset(q + 1) == Literal.Int((q + 1) * lanes);
                        setup.Add($"{isa.VectorType}<float> high{q} = {(next ? $"low{q + 1}" : RowVector(q, lanes))};");
                        if (!isa.HasAlignRight32)
                        {
                            // The middle vector: the upper half of low, the lower half of high.
                            setup.Add($"Vector256<float> middle{q} = Avx.Permute2x128(low{q}, high{q}, 0x21);");
                        }
                    }

                    return setup;
                }

                string Window(string kx, int q)
                {
                    if (!slide)
                    {
                        return Load(kx, q);
                    }

                    int shift = int.Parse(kx, System.Globalization.CultureInfo.InvariantCulture) * Spec.Width.Dilation;
                    if (shift == 0)
                    {
                        return $"low{q}";
                    }

                    // Some windows as loads (see LoadsWindow), where low and high are loads themselves: at a row's edges
                    // the window's vector would be shuffled out of the row's first or last vector again.
                    bool loads = LoadsWindow(isa, shift) && (!plane || (PlaneLoads(isa, fixedOx, At(q)) && PlaneLoads(isa, fixedOx, At(q) + lanes)));
                    return loads ? RowVector(q, shift) : SlideAt(isa, q, shift);
                }

                string Weight(string weights, string kx) =>
                    $"{isa.VectorType}.Create({Names.At(weights, OrZero(Join(Column(kx, "DepthwiseChannels"), multiplier ? "m * InChannels" : null)))})";
                // (An odd last row's partner writes every multiplier's row to the slab buffer.)
                string Rows(string target) => pairedRows && target == "lowerTarget" ? "m * lowerRows" : MultiplierRows;
                string Store(string value, string target, int q) =>
                    Names.StoreVector(value, target, Join(multiplier ? Rows(target) : null, Join("ox", Offset(q))));
                if (pairedRows)
                {
                    EmitPairedTaps(writer, isa, chains, InputSetup, Window, Weight, Store, kernelRows);
                }
                else
                {
                    EmitVectorTaps(writer, isa, chains,
                        ky =>
                        {
                            List<string> setup = InputSetup(ky);
                            setup.Add(Names.Let("wr", false, "w", ky == "0" ? "0" : "ky * KernelWidth * DepthwiseChannels"));
                            return setup;
                        },
                        Window, (kx, q) => Weight("wr", kx), q => Store($"acc{q}", "target", q), splits: IndependentSums / chains,
                        kernelRows: kernelRows);
                }

                if (multiplier)
                {
                    writer.CloseBlock();
                }
            }

            if (plane)
            {
                EmitPlaneBlocks(writer, lanes, pairedRows, Block);
                return;
            }

            writer.OpenBlock();
            writer.WriteLine($"int ox = {start};");
            if (!pairedRows)
            {
                // (Paired rows start at pairs of vectors: they already are 4 chains, and the code stays smaller.)
                writer.OpenBlock($"for (; ox + {BlockVectors * lanes} <= {end}; ox += {BlockVectors * lanes})");
                Block(BlockVectors, pairTail: false);
                writer.CloseBlock();
            }

            writer.WriteLine("// Pairs of vectors; the second one of the last pair ends the row and may redo columns already done.");
            writer.OpenBlock($"while ({end} - ox > {lanes})");
            writer.WriteLine($"int second = Math.Min({lanes}, {end} - {lanes} - ox);");
            Block(2, pairTail: true);
            writer.WriteLine($"ox += {lanes} + second;");
            writer.CloseBlock();
            string span = start == "0" ? end : $"{end} - {start}";
            writer.OpenBlock(pairedRows ? $"if (ox < {end})" : $"if (ox < {end} && {span} >= {lanes})");
            writer.WriteLine("// One vector left, ending the row.");
            writer.WriteLine($"ox = {end} - {lanes};");
            Block(1, pairTail: false);
            writer.WriteLine($"ox = {end};");
            writer.CloseBlock();
            if (pairedRows)
            {
                // Paired rows are a vector wide at least: no column is left.
                writer.CloseBlock();
                return;
            }

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

        /// <summary>
        /// The taps of <paramref name="chains"/> vectors of two output rows (see <see cref="PairsRows"/>): accumulators
        /// <c>acc</c> for the upper row and <c>lower</c> for the lower one, each split so that about
        /// <see cref="IndependentSums"/> multiply-adds are in flight; the first and last slab rows feed one row each.
        /// <paramref name="inputRows"/> names the range of t where rows read from the plane clip it (else all rows run).
        /// </summary>
        private void EmitPairedTaps(SourceWriter writer, Isa isa, int chains, Func<string, List<string>> inputSetup,
                                    Func<string, int, string> window, Func<string, string, string> weight, Func<string, string, int, string> store,
                                    (string From, string To)? inputRows)
        {
            string rows = inputRows is (string from, string to) ? $"int t = {from}; t < {to}; t++" : "int t = 0; t <= KernelHeight; t++";
            string type = $"{isa.VectorType}<float>";
            int splits = Math.Max(1, Math.Min(IndependentSums / (2 * chains), Spec.Width.Kernel));
            DeclareAccumulators(writer, type, "acc", chains, splits);
            DeclareAccumulators(writer, type, "lower", chains, splits);

            // One loop body for all slab rows keeps the code half the size of peeling the first and last; their
            // branches go the same way for a whole slab row.
            writer.OpenBlock($"for ({rows})");
            foreach (string line in inputSetup("t"))
            {
                writer.WriteLine(line);
            }

            writer.WriteLine("bool upper = t < KernelHeight, lower = t > 0;");
            writer.WriteLine(Names.Let("upperWeights", false, "w", "Math.Min(t, KernelHeight - 1) * KernelWidth * DepthwiseChannels"));
            writer.WriteLine(Names.Let("lowerWeights", false, "w", "Math.Max(t - 1, 0) * KernelWidth * DepthwiseChannels"));
            for (int kx = 0; kx < Spec.Width.Kernel; kx++)
            {
                string column = Literal.Int(kx);
                var windows = new string[chains];
                for (int q = 0; q < chains; q++)
                {
                    windows[q] = window(column, q);
                    if (kx > 0)
                    {
                        // Slid once, used by both rows.
                        writer.WriteLine($"{type} window{column}_{q} = {windows[q]};");
                        windows[q] = $"window{column}_{q}";
                    }
                }

                foreach ((string sums, string weights) in new[] { ("acc", "upperWeights"), ("lower", "lowerWeights") })
                {
                    writer.OpenBlock($"if ({(sums == "acc" ? "upper" : "lower")})");
                    string name = $"{weights}{column}";
                    writer.WriteLine($"{type} {name} = {weight(weights, column)};");
                    for (int q = 0; q < chains; q++)
                    {
                        string sum = Accumulator(sums, q, kx % splits);
                        writer.WriteLine($"{sum} = MultiplyAdd({windows[q]}, {name}, {sum});");
                    }

                    writer.CloseBlock();
                }
            }

            writer.CloseBlock();
            foreach ((string row, string target) in new[] { ("acc", "target"), ("lower", "lowerTarget") })
            {
                for (int q = 0; q < chains; q++)
                {
                    EmitFoldSplits(writer, row, q, splits);
                    writer.WriteLine(store(Accumulator(row, q, 0), target, q));
                }
            }
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

        /// <summary>
        /// The vector <paramref name="shift"/> lanes into low then high: valignd with AVX-512; with AVX2 a byte shift
        /// within 128-bit lanes (vpalignr) of low or high against the middle vector.
        /// </summary>
        private static string SlideAt(Isa isa, int q, int shift) =>
            isa.HasAlignRight32 ? $"Avx512F.AlignRight32(high{q}.AsInt32(), low{q}.AsInt32(), {Literal.Int(shift)}).AsSingle()"
            : shift == 4 ? $"middle{q}"
            : shift < 4 ? $"Avx2.AlignRight(middle{q}.AsByte(), low{q}.AsByte(), {Literal.Int(4 * shift)}).AsSingle()"
            : $"Avx2.AlignRight(high{q}.AsByte(), middle{q}.AsByte(), {Literal.Int(4 * (shift - 4))}).AsSingle()";

        /// <summary>Vectors of a full column block.</summary>
        private const int BlockVectors = 4;

        /// <summary>Independent multiply-add chains a column block aims for: 2 multiply-add units x 4 cycles latency.</summary>
        private const int IndependentSums = 8;

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

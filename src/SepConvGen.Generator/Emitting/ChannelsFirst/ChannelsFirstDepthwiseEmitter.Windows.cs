using System;
using System.Collections.Generic;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>The vector columns of a row: kernel windows loaded or slid out of two vectors, for one row or two.</summary>
    internal sealed partial class ChannelsFirstDepthwiseEmitter
    {
        /// <summary>
        /// Columns [start, end) on vectors: blocks of 4 vectors, then pairs, the last pair's second vector ending at
        /// <paramref name="end"/> (it may compute columns already done again), then at most one vector ending there;
        /// narrower ranges column by column.
        /// Blocks of few vectors split their sums (see <see cref="DepthwiseEmitter.EmitVectorTaps"/>) so that
        /// about <see cref="IndependentSums"/> multiply-adds are in flight. <paramref name="inputRow"/> declares
        /// <c>xr</c>, the input of kernel row ky at column <c>ox</c>; the scalar columns read
        /// <paramref name="scalarInput"/> at <paramref name="scalarIndex"/>. Rows read from the plane
        /// (<paramref name="plane"/>, see <see cref="ReadsPlane"/>) run the same blocks, laid out when the code is
        /// generated; <c>xr</c> is then the plane index of the row's padded column 0. <paramref name="kernelRows"/> clips
        /// the kernel rows to those inside the image.
        /// </summary>
        private void EmitVectorColumns(SourceWriter writer, Isa isa, string start, string end, Func<string, string> inputRow,
                                       Func<TapColumn, string?> columnOffset, string scalarInput, string scalarIndex, bool pairedRows = false,
                                       (string From, string To)? kernelRows = null, bool plane = false)
        {
            int lanes = isa.Lanes;
            bool multiplier = Spec.DepthMultiplier > 1;

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

                string Load(TapColumn kx, int q) => Names.LoadVector(isa, "xr", OrZero(Join(columnOffset(kx), Offset(q))));

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

                string Window(TapColumn kx, int q)
                {
                    if (!slide)
                    {
                        return Load(kx, q);
                    }

                    // Windows slide only where the columns are unrolled.
                    int shift = kx.Index!.Value * Spec.Width.Dilation;
                    if (shift == 0)
                    {
                        return $"low{q}";
                    }

                    // Some windows as loads (see LoadsWindow), where low and high are loads themselves: at a row's edges
                    // the window's vector would be shuffled out of the row's first or last vector again.
                    bool loads = LoadsWindow(isa, shift, pairedRows) && (!plane || (PlaneLoads(isa, fixedOx, At(q)) && PlaneLoads(isa, fixedOx, At(q) + lanes)));
                    return loads ? RowVector(q, shift) : SlideAt(isa, q, shift);
                }

                string Weight(string weights, TapColumn kx) =>
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
                            setup.Add(Names.Let("wr", writable: false, "w", ky == "0" ? "0" : "ky * KernelWidth * DepthwiseChannels"));
                            return setup;
                        },
                        Window, (kx, q) => Weight("wr", kx), weightPerChain: false, q => Store($"acc{q}", "target", q), splits: IndependentSums / chains,
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
        /// The taps of <paramref name="chains"/> vectors of two output rows (see <see cref="PairsRows"/>): accumulators
        /// <c>acc</c> for the upper row and <c>lower</c> for the lower one, each split so that about
        /// <see cref="IndependentSums"/> multiply-adds are in flight; the first and last slab rows feed one row each.
        /// <paramref name="inputRows"/> names the range of t where rows read from the plane clip it (else all rows run).
        /// </summary>
        private void EmitPairedTaps(SourceWriter writer, Isa isa, int chains, Func<string, List<string>> inputSetup,
                                    Func<TapColumn, int, string> window, Func<string, TapColumn, string> weight, Func<string, string, int, string> store,
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
            writer.WriteLine(Names.Let("upperWeights", writable: false, "w", "Math.Min(t, KernelHeight - 1) * KernelWidth * DepthwiseChannels"));
            writer.WriteLine(Names.Let("lowerWeights", writable: false, "w", "Math.Max(t - 1, 0) * KernelWidth * DepthwiseChannels"));
            for (int kx = 0; kx < Spec.Width.Kernel; kx++)
            {
                var column = TapColumn.At(kx);
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
    }
}

using System;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>
    /// The NCHW pointwise step: vectors along pixels. Vectors of a row's pixels are multiplied by 4 broadcast
    /// filters (12 accumulators; with Vector512 4 x 4, and pairs of groups, 8 x 3, where the tile outgrows L1).
    /// </summary>
    internal sealed class ChannelsFirstPointwiseEmitter : VectorPointwiseEmitter
    {
        public ChannelsFirstPointwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
            : base(spec, names, plan)
        {
        }

        /// <summary>
        /// The scalar multiply-add of the pixels a tile leaves over after its vectors, fused exactly where the
        /// vector MultiplyAdd is, so that a pixel gets the same bits whether a vector lane or this computes it (tiles
        /// of other sizes, as ForwardParallel makes them, move pixels between the two).
        /// </summary>
        public override void EmitScalarHelper(SourceWriter writer)
        {
            writer.WriteLine();
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.WriteLine("private static float MultiplyAdd(float a, float b, float c) => Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;");
        }

        /// <summary>
        /// For each group of 4 filters, vectors of pixels along the row; the last pixels one by one. With
        /// Vector512, tiles that outgrow L1 run two groups at a time instead (see <see cref="PairsFor"/>).
        /// </summary>
        protected override void EmitBlocks(SourceWriter writer, Isa isa, int lanes)
        {
            int groups = Spec.OutChannels / PointwiseEmitter.FilterBlock;
            int tail = Spec.OutChannels % PointwiseEmitter.FilterBlock;
            bool chunked = Chunked(isa);
            if (chunked)
            {
                EmitBiasFill(writer);
                writer.WriteLine($"// Channels in chunks of {Literal.Int(KernelPlanner.NchwChannelChunk)}: a chunk's rows of the tile stay in L1 while every group of filters");
                writer.WriteLine("// reads them (all channels at once would stream the tile from L2 for each group); the sums wait in the output.");
                writer.OpenBlock($"for (int k0 = 0; k0 < DepthwiseChannels; k0 += {Literal.Int(KernelPlanner.NchwChannelChunk)})");
                writer.WriteLine($"int k1 = Math.Min(k0 + {Literal.Int(KernelPlanner.NchwChannelChunk)}, DepthwiseChannels);");
            }

            Applies pairing = Plan.PointwiseFor(isa).GroupPairs;
            if (groups > 0)
            {
                writer.WriteLine("int fb = 0;");
            }

            if (pairing != Applies.Never)
            {
                if (pairing == Applies.Checked)
                {
                    writer.WriteLine($"const int L1Floats = {Literal.Int(KernelPlanner.PairFloats)}; // 48 KB");
                    writer.OpenBlock($"if (pixels > {lanes} && pixels * DepthwiseChannels > L1Floats)");
                }

                writer.WriteLine($"// The tile outgrows L1: two groups at a time ({Literal.Int(PairFilters)} filters x up to {Literal.Int(KernelPlanner.PairVectors)} pixel vectors) read it from L2.");
                writer.OpenBlock("for (; fb + 1 < FullFilterBlocks; fb += 2)");
                EmitGroupStart(writer, "int f = fb * FilterBlock;", "fb * PanelLength");
                EmitPairPixels(writer, isa, lanes);
                writer.CloseBlock();
                if (pairing == Applies.Checked)
                {
                    writer.CloseBlock();
                }

                writer.WriteLine();
            }

            if (groups > 0 && (pairing != Applies.Always || groups % 2 == 1))
            {
                if (pairing != Applies.Never)
                {
                    writer.WriteLine(pairing == Applies.Always ? "// The last of an odd number of groups." : "// Each group on its own: those the pairs left, or all of them.");
                }

                writer.OpenBlock("for (; fb < FullFilterBlocks; fb++)");
                EmitGroupStart(writer, "int f = fb * FilterBlock;", "fb * PanelLength");
                EmitChannelsFirstPixels(writer, isa, lanes, PointwiseEmitter.FilterBlock);
                writer.CloseBlock();
            }

            if (tail > 0)
            {
                writer.OpenBlock();
                writer.WriteLine($"// The last {Count(tail, "filter")} (a partial group).");
                EmitGroupStart(writer, "const int f = FullFilterBlocks * FilterBlock;", "FullFilterBlocks * PanelLength");
                EmitChannelsFirstPixels(writer, isa, lanes, tail);
                writer.CloseBlock();
            }

            if (chunked)
            {
                writer.CloseBlock();
                EmitActivationPass(writer, isa, lanes);
            }
        }

        /// <summary>A group's first filter and its panel of packed weights.</summary>
        private void EmitGroupStart(SourceWriter writer, string first, string panel)
        {
            writer.WriteLine(first);
            writer.WriteLine(Names.Let("w", writable: false, "weights", panel));
        }

        /// <summary>Filters of a pair of groups.</summary>
        private const int PairFilters = 2 * PointwiseEmitter.FilterBlock;

        /// <summary>Chunked channels: every output of the tile starts at its filter's bias (or zero), then each chunk adds to it.</summary>
        private void EmitBiasFill(SourceWriter writer)
        {
            writer.WriteLine("// Every output of the tile starts at its filter's bias; each chunk of channels below adds to it.");
            writer.OpenBlock("for (int f = 0; f < OutChannels; f++)");
            string value = Spec.UseBias ? Names.At("bias", "f") : "0f";
            writer.WriteLine(Names.IsChecked
                ? $"outputRow.Slice(f * outputPlane, pixels).Fill({value});"
                : $"MemoryMarshal.CreateSpan(ref Unsafe.Add(ref outputRow, f * outputPlane), pixels).Fill({value});");
            writer.CloseBlock();
            writer.WriteLine();
        }

        /// <summary>Chunked channels: the activation over the tile's outputs once every chunk is in.</summary>
        private void EmitActivationPass(SourceWriter writer, Isa isa, int lanes)
        {
            if (!Activations.For(Spec.Activation).InEpilogue)
            {
                return;
            }

            writer.WriteLine();
            writer.WriteLine("// The activation, once every chunk is in.");
            writer.OpenBlock("for (int f = 0; f < OutChannels; f++)");
            writer.WriteLine(Names.Let("plane", writable: true, "outputRow", "f * outputPlane"));
            writer.WriteLine("int p = 0;");
            writer.OpenBlock($"for (; p + {lanes} <= pixels; p += {lanes})");
            writer.WriteLine(Names.StoreVector($"Activate({Names.LoadVector(isa, "plane", "p")})", "plane", "p"));
            writer.CloseBlock();
            writer.OpenBlock("for (; p < pixels; p++)");
            writer.WriteLine($"{Names.At("plane", "p")} = Activate({Names.At("plane", "p")});");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        private bool Chunked(Isa isa) => Plan.PointwiseFor(isa).ChunkedChannels;

        /// <summary>The channel loop of one pass: all channels, or the pass's chunk.</summary>
        private string ChannelLoop(Isa isa) => Chunked(isa) ? "for (int j = k0; j < k1; j++)" : "for (int j = 0; j < DepthwiseChannels; j++)";

        /// <summary>
        /// Where an accumulator starts: the bias (or zero), or with chunked channels the sum so far in the output at
        /// <paramref name="output"/>.
        /// </summary>
        private string StartValue(Isa isa, string bias, string output) => Chunked(isa) ? output : bias;

        /// <summary>The value to store: activated, unless chunked channels leave that to the pass after the chunks.</summary>
        private string Finished(Isa isa, string value) => Chunked(isa) ? value : Activated(value);

        /// <summary>
        /// A pair's pixels (a tile of more than one vector): blocks of 3 vectors, then one block of 2 or 3 whose last
        /// vector ends the tile. With a single vector left, the block of 2 starts a vector early and redoes it: the
        /// same sums, added in the same order. Only the blocks the layer's tiles run are generated.
        /// </summary>
        private void EmitPairPixels(SourceWriter writer, Isa isa, int lanes)
        {
            GroupRuns runs = Plan.PointwiseFor(isa).PairRuns!;
            int block = KernelPlanner.PairVectors;
            writer.WriteLine("int ox = 0;");
            if (runs.Loop)
            {
                writer.OpenBlock($"for (; pixels - ox > {Literal.Int(block * lanes)}; ox += {Literal.Int(block * lanes)})");
                EmitChannelsFirstBlock(writer, isa, lanes, PairFilters, block, tail: false);
                writer.CloseBlock();
            }

            writer.WriteLine("// 1 to 3 vectors left: one block whose last vector ends the tile.");
            writer.WriteLine($"int last = pixels - {lanes} - ox;");
            EmitTailChain(writer, runs.Tails, vectors => vectors == block ? $"last > {Literal.Int(PixelRuns.PairTailAbove(lanes))}" : null, vectors =>
            {
                if (vectors < block)
                {
                    writer.OpenBlock("if (last <= 0)");
                    writer.WriteLine("// One vector left: the block of two starts a vector early and redoes it, with the same sums.");
                    writer.WriteLine($"ox -= {lanes};");
                    writer.WriteLine($"last += {lanes};");
                    writer.CloseBlock();
                    writer.WriteLine();
                }

                EmitChannelsFirstBlock(writer, isa, lanes, PairFilters, vectors, tail: true);
            });
        }

        /// <summary>
        /// One group's pixels: blocks of vectors, then the rest in one or two blocks whose last vector ends the tile.
        /// Blocks never overlap one another (with chunked channels each adds its chunk to the output); only a block's
        /// last vector may overlap the one before it, both starting from the same sums. Only the blocks the layer's
        /// tiles run are generated.
        /// </summary>
        private void EmitChannelsFirstPixels(SourceWriter writer, Isa isa, int lanes, int filters)
        {
            PointwisePath path = Plan.PointwiseFor(isa);
            GroupRuns runs = path.GroupRuns!;
            int block = path.GroupVectors;
            int front = (block + 2) / 2, back = block + 1 - front;
            writer.WriteLine("int ox = 0;");
            if (runs.Loop)
            {
                writer.WriteLine($"// Whole blocks while more than {Literal.Int(block + 1)} vectors of pixels are left: the rest then never is a single vector");
                writer.WriteLine("// after a block (its few accumulators would wait on each other), but 2 or more.");
                writer.OpenBlock($"for (; pixels - ox > {Literal.Int((block + 1) * lanes)}; ox += {Literal.Int(block * lanes)})");
                EmitChannelsFirstBlock(writer, isa, lanes, filters, block, tail: false);
                writer.CloseBlock();
            }

            if (!runs.Tails.IsEmpty)
            {
                writer.OpenBlock($"if (ox < pixels && pixels >= {lanes})");
                writer.WriteLine("// The pixels left as vectors; the last one ends the tile and may redo pixels already done.");
                writer.WriteLine($"int last = pixels - {lanes} - ox;");
                EmitTailChain(writer, runs.Tails, vectors => PixelRuns.GroupTailAbove(vectors, block, lanes) is int above ? $"last > {Literal.Int(above)}" : null, vectors =>
                {
                    if (vectors == block + 1 && path.WholeLastBlock)
                    {
                        writer.WriteLine($"// {Literal.Int(block + 1)} vectors in one block: {Literal.Int(filters * (block + 1))} accumulators still fit the 32 registers.");
                        EmitChannelsFirstBlock(writer, isa, lanes, filters, block + 1, tail: true);
                    }
                    else if (vectors == block + 1)
                    {
                        writer.WriteLine($"// {Literal.Int(block + 1)} vectors: {Literal.Int(front)} and {Literal.Int(back)}.");
                        writer.OpenBlock();
                        EmitChannelsFirstBlock(writer, isa, lanes, filters, front, tail: false);
                        writer.CloseBlock();
                        writer.WriteLine($"ox += {Literal.Int(front * lanes)};");
                        writer.WriteLine($"last -= {Literal.Int(front * lanes)};");
                        writer.OpenBlock();
                        EmitChannelsFirstBlock(writer, isa, lanes, filters, back, tail: true);
                        writer.CloseBlock();
                    }
                    else
                    {
                        if (vectors == 1)
                        {
                            writer.WriteLine("// One vector: no block ran before (it leaves 2 or more), so this is the whole tile.");
                        }

                        EmitChannelsFirstBlock(writer, isa, lanes, filters, vectors, tail: vectors > 1);
                    }
                });
                writer.WriteLine("ox = pixels;");
                writer.CloseBlock();
            }

            if (runs.Single)
            {
                EmitChannelsFirstScalarPixels(writer, isa, filters);
            }
        }

        /// <summary>
        /// The tail blocks that run, widest first, as <c>if (condition) ... else if ... else</c>: each is taken where its
        /// <paramref name="condition"/> holds (of the full chain), the last one otherwise, and a lone one always.
        /// </summary>
        private static void EmitTailChain(SourceWriter writer, EquatableArray<int> tails, Func<int, string?> condition, Action<int> block)
        {
            for (int i = 0; i < tails.Count; i++)
            {
                bool lastBranch = i == tails.Count - 1;
                string? test = lastBranch ? null : condition(tails[i]);
                writer.OpenBlock(tails.Count == 1 ? null : i == 0 ? $"if ({test})" : lastBranch ? "else" : $"else if ({test})");
                block(tails[i]);
                writer.CloseBlock();
            }
        }

        /// <summary>Tiles of fewer pixels than a vector, pixel by pixel.</summary>
        private void EmitChannelsFirstScalarPixels(SourceWriter writer, Isa isa, int filters)
        {
            writer.WriteLine("// Fewer pixels than a vector: one by one.");
            writer.OpenBlock("for (; ox < pixels; ox++)");
            for (int k = 0; k < filters; k++)
            {
                string output = Names.At("outputRow", $"{Literal.PlusTimes("f", k, "outputPlane")} + ox");
                writer.WriteLine($"float sum{k} = {StartValue(isa, Spec.UseBias ? Names.At("bias", Literal.Plus("f", k)) : "0f", output)};");
            }

            writer.OpenBlock(ChannelLoop(isa));
            writer.WriteLine($"float a = {Names.At("row", "j * channelStride + ox")};");
            writer.WriteLine(Names.Let("wj", writable: false, "w", "j * PackBlock"));
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"sum{k} = MultiplyAdd(a, {Names.At("wj", WeightIndex(k))}, sum{k});");
            }

            writer.CloseBlock();
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"{Names.At("outputRow", $"{Literal.PlusTimes("f", k, "outputPlane")} + ox")} = {Finished(isa, $"sum{k}")};");
            }

            writer.CloseBlock();
        }

        /// <summary>Filter k of a block: in the panel at <c>w</c>, or for k of 4 and more in the next panel.</summary>
        private static string WeightIndex(int k) =>
            k < PointwiseEmitter.FilterBlock ? Literal.Int(k) : $"PanelLength + {Literal.Int(k - PointwiseEmitter.FilterBlock)}";

        /// <summary>
        /// <paramref name="filters"/> x <paramref name="vectors"/> accumulators over the channels of the pass. Vector v
        /// starts v vectors after <c>ox</c>; in a <paramref name="tail"/> block the last one starts at <c>last</c>.
        /// </summary>
        private void EmitChannelsFirstBlock(SourceWriter writer, Isa isa, int lanes, int filters, int vectors, bool tail)
        {
            string Offset(int v) => tail && v == vectors - 1 ? "last" : Literal.Int(v * lanes);
            string OutputOffset(int k, int v) => $"{Literal.PlusTimes("f", k, "outputPlane")} + ox{(Offset(v) == "0" ? string.Empty : " + " + Offset(v))}";
            string type = $"{isa.VectorType}<float>";
            for (int k = 0; k < filters; k++)
            {
                for (int v = 0; v < vectors; v++)
                {
                    string bias = Spec.UseBias ? $"{isa.VectorType}.Create({Names.At("bias", Literal.Plus("f", k))})" : $"{type}.Zero";
                    writer.WriteLine($"{type} acc{k}_{v} = {StartValue(isa, bias, Names.LoadVector(isa, "outputRow", OutputOffset(k, v)))};");
                }
            }

            writer.OpenBlock(ChannelLoop(isa));
            writer.WriteLine(Names.Let("xj", writable: false, "row", "j * channelStride + ox"));
            for (int v = 0; v < vectors; v++)
            {
                writer.WriteLine($"{type} x{v} = {Names.LoadVector(isa, "xj", Offset(v))};");
            }

            writer.WriteLine(Names.Let("wj", writable: false, "w", "j * PackBlock"));
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"{type} b{k} = {isa.VectorType}.Create({Names.At("wj", WeightIndex(k))});");
                for (int v = 0; v < vectors; v++)
                {
                    writer.WriteLine($"acc{k}_{v} = MultiplyAdd(b{k}, x{v}, acc{k}_{v});");
                }
            }

            writer.CloseBlock();
            writer.WriteLine();
            for (int k = 0; k < filters; k++)
            {
                for (int v = 0; v < vectors; v++)
                {
                    writer.WriteLine(Names.StoreVector(Finished(isa, $"acc{k}_{v}"), "outputRow", OutputOffset(k, v)));
                }
            }
        }
    }
}

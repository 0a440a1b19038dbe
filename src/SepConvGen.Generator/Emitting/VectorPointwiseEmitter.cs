using System;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Writes the pointwise step with vectors of one width (Vector512, Vector256 or Vector128 of float), plus the
    /// dispatcher that picks the widest the hardware accelerates (the checks are JIT-time constants, so only one
    /// path survives). NHWC vectorizes along filters: a panel row of 32 filters is whole vectors, multiplied by
    /// broadcast pixels. NCHW vectorizes along pixels: vectors of a row's pixels, multiplied by 4 broadcast
    /// filters (8 with Vector512 where the tile outgrows L1). Both keep 12 accumulators in registers (with
    /// Vector512 16 to 24, and NHWC blocks of 6 to 8 pixels that end exactly at the tile's end), start them at the
    /// bias, and fuse the activation into the store.
    /// </summary>
    internal sealed class VectorPointwiseEmitter
    {
        /// <summary>Accumulator vectors per register block: enough to hide FMA latency, few enough not to spill.</summary>
        private const int Accumulators = 12;

        /// <summary>Accumulator vectors a Vector512 block may hold: 16 of the 32 registers leave room for its operands.</summary>
        private const int WideAccumulators = 16;

        /// <summary>NCHW: pixel vectors per register block (one group below Vector512: 12 accumulators; a Vector512 pair: 24).</summary>
        private const int PixelVectors = 3;

        private readonly LayerSpec _spec;
        private readonly KernelNames _names;

        public VectorPointwiseEmitter(LayerSpec spec, KernelNames names)
        {
            _spec = spec;
            _names = names;
        }

        /// <summary>The dispatcher: the widest accelerated vector kernel, else the scalar one.</summary>
        public void EmitDispatcher(SourceWriter writer, int[] widths) =>
            Dispatcher.Emit(writer, "Pointwise step",
                $"private void {_names.PointwiseBase}({_names.Param("row", false)}, {_names.Param("result", true)}{_names.PointwiseTileParameters}{_names.Parameter})",
                _names.PointwiseBase, $"{_names.Arg("row")}, {_names.Arg("result")}{_names.PointwiseTileArguments}{_names.Argument}", _names, widths);

        public void Emit(SourceWriter writer, int bits)
        {
            int lanes = bits / 32;
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// Pointwise step with Vector{bits} for <paramref name=\"pixels\"/> output pixels from <paramref name=\"firstPixel\"/> on:");
            writer.WriteLine("/// DepthwiseChannels -> OutChannels, bias and activation fused.");
            writer.WriteLine("/// </summary>");
            writer.OpenBlock($"private void {Name(bits)}({_names.Param("row", false)}, {_names.Param("result", true)}{_names.PointwiseTileParameters}{_names.Parameter})");
            writer.WriteLine(_names.LetArray("weights", "_sepConvPointwise"));
            if (_spec.UseBias)
            {
                writer.WriteLine(_names.LetArray("bias", "_sepConvBias"));
            }

            PointwiseEmitter.EmitOutputStart(writer, _names, _spec.Layout == LayoutKind.ChannelsLast);
            if (_spec.Layout == LayoutKind.ChannelsLast)
            {
                EmitChannelsLast(writer, bits, lanes);
            }
            else
            {
                EmitChannelsFirst(writer, bits, lanes);
            }

            writer.CloseBlock();
        }

        /// <summary>The multiply-add and activation helpers for one width.</summary>
        public void EmitHelpers(SourceWriter writer, int bits)
        {
            string type = $"Vector{bits}<float>";
            string fma = bits switch
            {
                512 => "Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c",
                256 => "Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c",
                _ => "Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(c, a, b) : a * b + c",
            };
            writer.WriteLine($"/// <summary>a * b + c, fused where the hardware has FMA.</summary>");
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.WriteLine($"private static {type} MultiplyAdd({type} a, {type} b, {type} c) => {fma};");
            if (_spec.Activation == ActivationKind.Linear)
            {
                return;
            }

            writer.WriteLine();
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.OpenBlock($"private static {type} Activate({type} value)");
            writer.WriteLine("// Selects instead of Max/Min, which would turn NaN into 0 on x86: NaN stays NaN, as in the scalar code.");
            writer.WriteLine($"value = Vector{bits}.ConditionalSelect(Vector{bits}.LessThan(value, {type}.Zero), {type}.Zero, value);");
            if (_spec.Activation == ActivationKind.Relu6)
            {
                writer.WriteLine($"{type} six = Vector{bits}.Create(6f);");
                writer.WriteLine($"value = Vector{bits}.ConditionalSelect(Vector{bits}.GreaterThan(value, six), six, value);");
            }

            writer.WriteLine("return value;");
            writer.CloseBlock();
        }

        /// <summary>
        /// NCHW: the scalar multiply-add of the pixels a tile leaves over after its vectors, fused exactly where the
        /// vector MultiplyAdd is, so that a pixel gets the same bits whether a vector lane or this computes it (tiles
        /// of other sizes, as ForwardParallel makes them, move pixels between the two).
        /// </summary>
        public void EmitScalarHelper(SourceWriter writer)
        {
            if (_spec.Layout != LayoutKind.ChannelsFirst)
            {
                return;
            }

            writer.WriteLine();
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.WriteLine("private static float MultiplyAdd(float a, float b, float c) => Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;");
        }

        private string Name(int bits) => _names.PointwiseBase + _names.IsaSuffix($"Vec{bits}");

        /// <summary>NHWC: for each panel of 32 filters, blocks of pixels x whole filter vectors.</summary>
        private void EmitChannelsLast(SourceWriter writer, int bits, int lanes)
        {
            int pack = LayerSpec.PackBlock(LayoutKind.ChannelsLast);
            int vectors = pack / lanes;
            int pixels = Math.Max(1, Accumulators / vectors);
            int fullPanels = _spec.OutChannels / pack;
            int tail = _spec.OutChannels % pack;
            if (fullPanels > 0)
            {
                writer.OpenBlock("for (int panel = 0; panel < OutChannels / PackBlock; panel++)");
                writer.WriteLine("int f = panel * PackBlock;");
                writer.WriteLine(_names.Let("w", false, "weights", "panel * PanelLength"));
                EmitChannelsLastPixels(writer, bits, lanes, vectors, pixels, lanes);
                writer.CloseBlock();
            }

            if (tail > 0)
            {
                writer.OpenBlock();
                writer.WriteLine($"// The last panel holds {tail} filter{(tail == 1 ? string.Empty : "s")}: {Count((tail + lanes - 1) / lanes, "vector")}, the zero padding is not computed.");
                writer.WriteLine("const int f = OutChannels / PackBlock * PackBlock;");
                writer.WriteLine(_names.Let("w", false, "weights", "OutChannels / PackBlock * PanelLength"));
                int tailVectors = (tail + lanes - 1) / lanes;
                EmitChannelsLastPixels(writer, bits, lanes, tailVectors, Math.Max(1, Accumulators / tailVectors), tail - ((tailVectors - 1) * lanes));
                writer.CloseBlock();
            }
        }

        private void EmitChannelsLastPixels(SourceWriter writer, int bits, int lanes, int vectors, int pixels, int lastLanes)
        {
            writer.WriteLine("int ox = 0;");
            if (pixels > 1 && bits == 512 && (pixels + 2) * vectors <= WideAccumulators)
            {
                EmitChannelsLastExactCover(writer, bits, lanes, vectors, pixels, lastLanes);
            }

            if (pixels > 1)
            {
                writer.OpenBlock($"for (; ox + {pixels} <= pixels; ox += {pixels})");
                EmitChannelsLastBlock(writer, bits, lanes, vectors, pixels, lastLanes);
                writer.CloseBlock();
                writer.OpenBlock($"if (ox < pixels && pixels >= {pixels})");
                writer.WriteLine("// The last pixels as one block that ends the tile: it computes some pixels again (the same values),");
                writer.WriteLine("// which costs less than single pixels, whose few accumulators wait on each other.");
                writer.WriteLine($"ox = pixels - {pixels};");
                EmitChannelsLastBlock(writer, bits, lanes, vectors, pixels, lastLanes);
                writer.WriteLine("ox = pixels;");
                writer.CloseBlock();
            }

            writer.OpenBlock("for (; ox < pixels; ox++)");
            EmitChannelsLastBlock(writer, bits, lanes, vectors, 1, lastLanes);
            writer.CloseBlock();
        }

        /// <summary>
        /// Vector512 (32 registers) also has room for blocks of one and two pixels more. b = ceil(n / (p + 2)) blocks
        /// of p to p + 2 pixels cover any n from p * b to (p + 2) * b, i.e. every tile of 3p pixels or more: the blocks
        /// then end exactly at the tile's end and no pixel is computed twice (the last-block overlap costs up to 5 %).
        /// </summary>
        private void EmitChannelsLastExactCover(SourceWriter writer, int bits, int lanes, int vectors, int pixels, int lastLanes)
        {
            string small = Literal.Int(pixels), middle = Literal.Int(pixels + 1), large = Literal.Int(pixels + 2);
            writer.WriteLine($"// Blocks of {small}, {middle} and {large} pixels ending exactly at the tile's end: ceil(pixels / {large}) blocks cover {small} to {large}");
            writer.WriteLine($"// pixels each, so the pixels above {small} per block ('extra') go to blocks of {large} and one of {middle}; blocks of {small} follow.");
            writer.WriteLine($"int extra = pixels - {small} * ((pixels + {middle}) / {large});");
            writer.OpenBlock("if (extra >= 0)");
            writer.OpenBlock($"for (; extra >= 2; extra -= 2, ox += {large})");
            EmitChannelsLastBlock(writer, bits, lanes, vectors, pixels + 2, lastLanes);
            writer.CloseBlock();
            writer.OpenBlock("if (extra == 1)");
            EmitChannelsLastBlock(writer, bits, lanes, vectors, pixels + 1, lastLanes);
            writer.WriteLine($"ox += {middle};");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        private void EmitChannelsLastBlock(SourceWriter writer, int bits, int lanes, int vectors, int pixels, int lastLanes)
        {
            string type = $"Vector{bits}<float>";
            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine(_names.Let($"x{p}", false, "row", p == 0 ? "ox * DepthwiseChannels" : $"(ox + {p}) * DepthwiseChannels"));
            }

            for (int p = 0; p < pixels; p++)
            {
                for (int v = 0; v < vectors; v++)
                {
                    string start = _spec.UseBias ? _names.LoadVector(bits, "bias", Plus("f", v * lanes)) : $"{type}.Zero";
                    writer.WriteLine($"{type} acc{p}_{v} = {start};");
                }
            }

            writer.OpenBlock("for (int j = 0; j < DepthwiseChannels; j++)");
            writer.WriteLine(_names.Let("wj", false, "w", "j * PackBlock"));
            for (int v = 0; v < vectors; v++)
            {
                writer.WriteLine($"{type} w{v} = {_names.LoadVector(bits, "wj", Literal.Int(v * lanes))};");
            }

            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine($"{type} a{p} = Vector{bits}.Create({_names.At($"x{p}", "j")});");
                for (int v = 0; v < vectors; v++)
                {
                    writer.WriteLine($"acc{p}_{v} = MultiplyAdd(a{p}, w{v}, acc{p}_{v});");
                }
            }

            writer.CloseBlock();
            writer.WriteLine();
            for (int p = 0; p < pixels; p++)
            {
                writer.WriteLine(_names.Let($"y{p}", true, "outputRow", (p == 0 ? "ox" : $"(ox + {p})") + " * OutChannels + f"));
                for (int v = 0; v < vectors; v++)
                {
                    string value = Activated($"acc{p}_{v}");
                    if (v < vectors - 1 || lastLanes == lanes)
                    {
                        writer.WriteLine(_names.StoreVector(value, $"y{p}", Literal.Int(v * lanes)));
                        continue;
                    }

                    // A partial vector: store its valid lanes one by one, never past the row.
                    writer.WriteLine($"{type} last{p} = {value};");
                    for (int lane = 0; lane < lastLanes; lane++)
                    {
                        writer.WriteLine($"{_names.At($"y{p}", Literal.Int((v * lanes) + lane))} = last{p}.GetElement({lane});");
                    }
                }
            }
        }

        /// <summary>
        /// NCHW: for each group of 4 filters, vectors of pixels along the row; the last pixels one by one. With
        /// Vector512, tiles that outgrow L1 run two groups at a time instead (see <see cref="PairsFor"/>).
        /// </summary>
        private void EmitChannelsFirst(SourceWriter writer, int bits, int lanes)
        {
            int groups = _spec.OutChannels / PointwiseEmitter.FilterBlock;
            int tail = _spec.OutChannels % PointwiseEmitter.FilterBlock;
            bool chunked = Chunked(bits);
            if (chunked)
            {
                EmitBiasFill(writer);
                writer.WriteLine($"// Channels in chunks of {Literal.Int(ChannelChunk)}: a chunk's rows of the tile stay in L1 while every group of filters");
                writer.WriteLine("// reads them (all channels at once would stream the tile from L2 for each group); the sums wait in the output.");
                writer.OpenBlock($"for (int k0 = 0; k0 < DepthwiseChannels; k0 += {Literal.Int(ChannelChunk)})");
                writer.WriteLine($"int k1 = Math.Min(k0 + {Literal.Int(ChannelChunk)}, DepthwiseChannels);");
            }

            Pairing pairing = bits == 512 && groups >= 2 ? PairsFor(lanes) : Pairing.Never;
            if (groups > 0)
            {
                writer.WriteLine("int fb = 0;");
            }

            if (pairing != Pairing.Never)
            {
                if (pairing == Pairing.Checked)
                {
                    writer.WriteLine($"const int L1Floats = {Literal.Int(PairFloats)}; // 48 KB");
                    writer.OpenBlock($"if (pixels > {lanes} && pixels * DepthwiseChannels > L1Floats)");
                }

                writer.WriteLine($"// The tile outgrows L1: two groups at a time ({Literal.Int(PairFilters)} filters x up to {Literal.Int(PixelVectors)} pixel vectors) read it from L2.");
                writer.OpenBlock("for (; fb + 1 < FullFilterBlocks; fb += 2)");
                EmitGroupStart(writer, "int f = fb * FilterBlock;", "fb * PanelLength");
                EmitPairPixels(writer, bits, lanes);
                writer.CloseBlock();
                if (pairing == Pairing.Checked)
                {
                    writer.CloseBlock();
                }

                writer.WriteLine();
            }

            if (groups > 0 && (pairing != Pairing.Always || groups % 2 == 1))
            {
                if (pairing != Pairing.Never)
                {
                    writer.WriteLine(pairing == Pairing.Always ? "// The last of an odd number of groups." : "// Each group on its own: those the pairs left, or all of them.");
                }

                writer.OpenBlock("for (; fb < FullFilterBlocks; fb++)");
                EmitGroupStart(writer, "int f = fb * FilterBlock;", "fb * PanelLength");
                EmitChannelsFirstPixels(writer, bits, lanes, PointwiseEmitter.FilterBlock);
                writer.CloseBlock();
            }

            if (tail > 0)
            {
                writer.OpenBlock();
                writer.WriteLine($"// The last {Count(tail, "filter")} (a partial group).");
                EmitGroupStart(writer, "const int f = FullFilterBlocks * FilterBlock;", "FullFilterBlocks * PanelLength");
                EmitChannelsFirstPixels(writer, bits, lanes, tail);
                writer.CloseBlock();
            }

            if (chunked)
            {
                writer.CloseBlock();
                EmitActivationPass(writer, bits, lanes);
            }
        }

        /// <summary>A group's first filter and its panel of packed weights.</summary>
        private void EmitGroupStart(SourceWriter writer, string first, string panel)
        {
            writer.WriteLine(first);
            writer.WriteLine(_names.Let("w", false, "weights", panel));
        }

        /// <summary>Whether the Vector512 kernel runs filter groups in pairs: on every tile, on none, or as each tile's size decides.</summary>
        private enum Pairing
        {
            Never,
            Always,
            Checked,
        }

        /// <summary>Filters of a pair of groups.</summary>
        private const int PairFilters = 2 * PointwiseEmitter.FilterBlock;

        /// <summary>
        /// NCHW tiles of more floats than this (48 KB, the L1 of Zen 4/5) run two filter groups at a time. Their
        /// blocks (8 filters x 3 vectors) reuse each vector of the tile 8 times, which reads the tile straight from
        /// L2 at full speed: S3 NCHW's pointwise step 1.56-1.61 ms with one group's blocks and channel chunks, 1.50
        /// ms with pairs. Within L1 one group's blocks of 4 vectors measured 2 % faster (S2 and S4 NCHW).
        /// </summary>
        private const int PairFloats = 12288;

        /// <summary>
        /// Pairs for a fixed size where every tile it can run agrees (more than a vector and past L1, or not), else a
        /// check per tile. ForwardParallel's tiles may have any height from one row to RowTile rows.
        /// </summary>
        private Pairing PairsFor(int lanes)
        {
            if (!_spec.IsFixed)
            {
                return Pairing.Checked;
            }

            int outputHeight = _spec.Height.Output(_spec.Height.FixedInput), outputWidth = _spec.Width.Output(_spec.Width.FixedInput);
            bool Paired(int rows) => rows * outputWidth > lanes && (long)rows * outputWidth * _spec.DepthwiseChannels > PairFloats;
            return Paired(1) ? Pairing.Always : Paired(_spec.RowTile(outputHeight, outputWidth)) ? Pairing.Checked : Pairing.Never;
        }

        /// <summary>Chunked channels: every output of the tile starts at its filter's bias (or zero), then each chunk adds to it.</summary>
        private void EmitBiasFill(SourceWriter writer)
        {
            writer.WriteLine("// Every output of the tile starts at its filter's bias; each chunk of channels below adds to it.");
            writer.OpenBlock("for (int f = 0; f < OutChannels; f++)");
            string value = _spec.UseBias ? _names.At("bias", "f") : "0f";
            writer.WriteLine(_names.IsChecked
                ? $"outputRow.Slice(f * outputPlane, pixels).Fill({value});"
                : $"MemoryMarshal.CreateSpan(ref Unsafe.Add(ref outputRow, f * outputPlane), pixels).Fill({value});");
            writer.CloseBlock();
            writer.WriteLine();
        }

        /// <summary>Chunked channels: the activation over the tile's outputs once every chunk is in.</summary>
        private void EmitActivationPass(SourceWriter writer, int bits, int lanes)
        {
            if (_spec.Activation == ActivationKind.Linear)
            {
                return;
            }

            writer.WriteLine();
            writer.WriteLine("// The activation, once every chunk is in.");
            writer.OpenBlock("for (int f = 0; f < OutChannels; f++)");
            writer.WriteLine(_names.Let("plane", true, "outputRow", "f * outputPlane"));
            writer.WriteLine("int p = 0;");
            writer.OpenBlock($"for (; p + {lanes} <= pixels; p += {lanes})");
            writer.WriteLine(_names.StoreVector($"Activate({_names.LoadVector(bits, "plane", "p")})", "plane", "p"));
            writer.CloseBlock();
            writer.OpenBlock("for (; p < pixels; p++)");
            writer.WriteLine($"{_names.At("plane", "p")} = Activate({_names.At("plane", "p")});");
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>NCHW: channels per pass over the tile when there are more (see <see cref="EmitChannelsFirst"/>).</summary>
        private const int ChannelChunk = 96;

        /// <summary>
        /// NCHW layers of more channels than a chunk run in chunks below Vector512, whose blocks of one group reuse a
        /// loaded vector 4 times; the Vector512 pairs read the whole tile from L2 faster than chunks would re-add their
        /// sums in the output (S3 NCHW: chunked 1.56-1.61 ms, not 1.50; with Vector256 chunks measured 1-2 % faster).
        /// </summary>
        private bool Chunked(int bits) => _spec.Layout == LayoutKind.ChannelsFirst && _spec.DepthwiseChannels > ChannelChunk && bits != 512;

        /// <summary>The channel loop of one pass: all channels, or the pass's chunk.</summary>
        private string ChannelLoop(int bits) => Chunked(bits) ? "for (int j = k0; j < k1; j++)" : "for (int j = 0; j < DepthwiseChannels; j++)";

        /// <summary>
        /// Where an accumulator starts: the bias (or zero), or with chunked channels the sum so far in the output at
        /// <paramref name="output"/>.
        /// </summary>
        private string StartValue(int bits, string bias, string output) => Chunked(bits) ? output : bias;

        /// <summary>The value to store: activated, unless chunked channels leave that to the pass after the chunks.</summary>
        private string Finished(int bits, string value) => Chunked(bits) ? value : Activated(value);

        /// <summary>
        /// A pair's pixels (a tile of more than one vector): blocks of 3 vectors, then one block of 2 or 3 whose last
        /// vector ends the tile. With a single vector left, the block of 2 starts a vector early and redoes it: the
        /// same sums, added in the same order.
        /// </summary>
        private void EmitPairPixels(SourceWriter writer, int bits, int lanes)
        {
            writer.WriteLine("int ox = 0;");
            writer.OpenBlock($"for (; pixels - ox > {Literal.Int(PixelVectors * lanes)}; ox += {Literal.Int(PixelVectors * lanes)})");
            EmitChannelsFirstBlock(writer, bits, lanes, PairFilters, PixelVectors, tail: false);
            writer.CloseBlock();
            writer.WriteLine("// 1 to 3 vectors left: one block whose last vector ends the tile.");
            writer.WriteLine($"int last = pixels - {lanes} - ox;");
            writer.OpenBlock($"if (last > {lanes})");
            EmitChannelsFirstBlock(writer, bits, lanes, PairFilters, PixelVectors, tail: true);
            writer.CloseBlock();
            writer.OpenBlock("else");
            writer.OpenBlock("if (last <= 0)");
            writer.WriteLine("// One vector left: the block of two starts a vector early and redoes it, with the same sums.");
            writer.WriteLine($"ox -= {lanes};");
            writer.WriteLine($"last += {lanes};");
            writer.CloseBlock();
            writer.WriteLine();
            EmitChannelsFirstBlock(writer, bits, lanes, PairFilters, PixelVectors - 1, tail: true);
            writer.CloseBlock();
        }

        /// <summary>
        /// One group's pixels: blocks of vectors, then the rest in one or two blocks whose last vector ends the tile.
        /// Blocks never overlap one another (with chunked channels each adds its chunk to the output); only a block's
        /// last vector may overlap the one before it, both starting from the same sums.
        /// </summary>
        private void EmitChannelsFirstPixels(SourceWriter writer, int bits, int lanes, int filters)
        {
            int block = GroupVectors(bits);
            int front = (block + 2) / 2, back = block + 1 - front;
            writer.WriteLine("int ox = 0;");
            writer.WriteLine($"// Whole blocks while more than {Literal.Int(block + 1)} vectors of pixels are left: the rest then never is a single vector");
            writer.WriteLine("// after a block (its few accumulators would wait on each other), but 2 or more.");
            writer.OpenBlock($"for (; pixels - ox > {Literal.Int((block + 1) * lanes)}; ox += {Literal.Int(block * lanes)})");
            EmitChannelsFirstBlock(writer, bits, lanes, filters, block, tail: false);
            writer.CloseBlock();
            writer.OpenBlock($"if (ox < pixels && pixels >= {lanes})");
            writer.WriteLine("// The pixels left as vectors; the last one ends the tile and may redo pixels already done.");
            writer.WriteLine($"int last = pixels - {lanes} - ox;");
            writer.OpenBlock($"if (last > {Literal.Int((block - 1) * lanes)})");
            if (bits == 512)
            {
                writer.WriteLine($"// {Literal.Int(block + 1)} vectors in one block: {Literal.Int(filters * (block + 1))} accumulators still fit the 32 registers.");
                EmitChannelsFirstBlock(writer, bits, lanes, filters, block + 1, tail: true);
            }
            else
            {
                writer.WriteLine($"// {Literal.Int(block + 1)} vectors: {Literal.Int(front)} and {Literal.Int(back)}.");
                writer.OpenBlock();
                EmitChannelsFirstBlock(writer, bits, lanes, filters, front, tail: false);
                writer.CloseBlock();
                writer.WriteLine($"ox += {Literal.Int(front * lanes)};");
                writer.WriteLine($"last -= {Literal.Int(front * lanes)};");
                writer.OpenBlock();
                EmitChannelsFirstBlock(writer, bits, lanes, filters, back, tail: true);
                writer.CloseBlock();
            }

            writer.CloseBlock();
            for (int vectors = block; vectors >= 1; vectors--)
            {
                writer.OpenBlock(vectors == 1 ? "else" : $"else if (last > {Literal.Int((vectors - 2) * lanes)})");
                if (vectors == 1)
                {
                    writer.WriteLine("// One vector: no block ran before (it leaves 2 or more), so this is the whole tile.");
                }

                EmitChannelsFirstBlock(writer, bits, lanes, filters, vectors, tail: vectors > 1);
                writer.CloseBlock();
            }

            writer.WriteLine("ox = pixels;");
            writer.CloseBlock();
            EmitChannelsFirstScalarPixels(writer, bits, filters);
        }

        /// <summary>Tiles of fewer pixels than a vector, pixel by pixel.</summary>
        private void EmitChannelsFirstScalarPixels(SourceWriter writer, int bits, int filters)
        {
            writer.WriteLine("// Fewer pixels than a vector: one by one.");
            writer.OpenBlock("for (; ox < pixels; ox++)");
            for (int k = 0; k < filters; k++)
            {
                string output = _names.At("outputRow", $"{Times(Plus("f", k), "outputPlane")} + ox");
                writer.WriteLine($"float sum{k} = {StartValue(bits, _spec.UseBias ? _names.At("bias", Plus("f", k)) : "0f", output)};");
            }

            writer.OpenBlock(ChannelLoop(bits));
            writer.WriteLine($"float a = {_names.At("row", "j * channelStride + ox")};");
            writer.WriteLine(_names.Let("wj", false, "w", "j * PackBlock"));
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"sum{k} = MultiplyAdd(a, {_names.At("wj", WeightIndex(k))}, sum{k});");
            }

            writer.CloseBlock();
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"{_names.At("outputRow", $"{Times(Plus("f", k), "outputPlane")} + ox")} = {Finished(bits, $"sum{k}")};");
            }

            writer.CloseBlock();
        }

        /// <summary>
        /// NCHW pixel vectors per register block of one group: 4 with Vector512 (x86 and Arm have 32 vector registers
        /// there), else 3 (AVX2 has 16).
        /// </summary>
        private static int GroupVectors(int bits) => bits == 512 ? 4 : PixelVectors;

        /// <summary>Filter k of a block: in the panel at <c>w</c>, or for k of 4 and more in the next panel.</summary>
        private static string WeightIndex(int k) =>
            k < PointwiseEmitter.FilterBlock ? Literal.Int(k) : $"PanelLength + {Literal.Int(k - PointwiseEmitter.FilterBlock)}";

        /// <summary>
        /// <paramref name="filters"/> x <paramref name="vectors"/> accumulators over the channels of the pass. Vector v
        /// starts v vectors after <c>ox</c>; in a <paramref name="tail"/> block the last one starts at <c>last</c>.
        /// </summary>
        private void EmitChannelsFirstBlock(SourceWriter writer, int bits, int lanes, int filters, int vectors, bool tail)
        {
            string Offset(int v) => tail && v == vectors - 1 ? "last" : Literal.Int(v * lanes);
            string OutputOffset(int k, int v) => $"{Times(Plus("f", k), "outputPlane")} + ox{(Offset(v) == "0" ? string.Empty : " + " + Offset(v))}";
            string type = $"Vector{bits}<float>";
            for (int k = 0; k < filters; k++)
            {
                for (int v = 0; v < vectors; v++)
                {
                    string bias = _spec.UseBias ? $"Vector{bits}.Create({_names.At("bias", Plus("f", k))})" : $"{type}.Zero";
                    writer.WriteLine($"{type} acc{k}_{v} = {StartValue(bits, bias, _names.LoadVector(bits, "outputRow", OutputOffset(k, v)))};");
                }
            }

            writer.OpenBlock(ChannelLoop(bits));
            writer.WriteLine(_names.Let("xj", false, "row", "j * channelStride + ox"));
            for (int v = 0; v < vectors; v++)
            {
                writer.WriteLine($"{type} x{v} = {_names.LoadVector(bits, "xj", Offset(v))};");
            }

            writer.WriteLine(_names.Let("wj", false, "w", "j * PackBlock"));
            for (int k = 0; k < filters; k++)
            {
                writer.WriteLine($"{type} b{k} = Vector{bits}.Create({_names.At("wj", WeightIndex(k))});");
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
                    writer.WriteLine(_names.StoreVector(Finished(bits, $"acc{k}_{v}"), "outputRow", OutputOffset(k, v)));
                }
            }
        }

        private string Activated(string value) => _spec.Activation == ActivationKind.Linear ? value : $"Activate({value})";

        private static string Plus(string name, int k) => k == 0 ? name : $"{name} + {Literal.Int(k)}";

        private static string Times(string sum, string factor) => sum.Contains("+") ? $"({sum}) * {factor}" : $"{sum} * {factor}";

        private static string Count(int n, string noun) => $"{Literal.Int(n)} {noun}{(n == 1 ? string.Empty : "s")}";
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Planning
{
    /// <summary>
    /// Decides every kernel path of a layer before anything is printed. Each rule says why, with what was measured
    /// (speed is ONNX Runtime's time over ours on one core; S1-S5 are the benchmark shapes of docs/benchmarks.md).
    /// </summary>
    internal static class KernelPlanner
    {
        /// <summary>The widest stride whose NCHW rows are split into phases; wider strides keep scalar rows.</summary>
        public const int MaxPhasedStride = 4;

        /// <summary>Kernel columns unrolled in vector code; wider kernels loop over their columns.</summary>
        public const int MaxUnrolledColumns = 16;

        /// <summary>The widest kernel of more than one row whose rows are read from the plane.</summary>
        private const int MaxPlaneColumns = 8;

        /// <summary>The most taps of a flat tile: their weights stay in registers (16 with AVX2).</summary>
        private const int MaxFlatTaps = 9;

        /// <summary>NHWC strips need the kernel's columns unrolled.</summary>
        private const int MaxStripColumns = 16;

        /// <summary>The widest dilated window NHWC strips handle (its input columns are named by offset).</summary>
        private const int MaxStripWindow = 64;

        /// <summary>The most border pixels per side that run as one NHWC edge strip.</summary>
        private const int MaxEdgePixels = 4;

        /// <summary>NHWC channels per chunk of a wide row's interior (best of 32-256 measured on 728 channels).</summary>
        public const int NhwcChannelChunk = 128;

        /// <summary>NCHW pointwise channels per pass over the tile, below Vector512.</summary>
        public const int NchwChannelChunk = 96;

        /// <summary>Floats of an NCHW tile past which filter groups run in pairs: 48 KB, the L1 of Zen 4/5.</summary>
        public const int PairFloats = 12288;

        /// <summary>NHWC pointwise accumulator vectors per register block: enough to hide FMA latency, few enough not to spill.</summary>
        public const int Accumulators = 12;

        /// <summary>NCHW pairs of filter groups: pixel vectors per register block (8 filters x 3 vectors).</summary>
        public const int PairVectors = 3;

        /// <summary>Accumulator vectors a Vector512 block may hold: 16 of the 32 registers leave room for its operands.</summary>
        private const int WideAccumulators = 16;

        public static KernelPlan Plan(LayerSpec spec, KernelOptions options)
        {
            Isa[] isas = options.VectorWidths;
            bool padsRows = PadsRows(spec, isas.Length > 0);
            DepthwisePath[] depthwise = VectorizesDepthwise(spec)
                ? isas.Select(isa => spec.Layout == LayoutKind.ChannelsFirst ? ChannelsFirstDepthwise(spec, isa, padsRows) : ChannelsLastDepthwise(spec, isa)).ToArray()
                : Array.Empty<DepthwisePath>();

            // NHWC channels fewer than a wide vector but filling a narrower one: the narrower vectors beat the wide
            // width's scalar tap loop, so the dispatcher is not offered the wide one (mini-Xception's 8 -> 16 channels
            // at 60x60 on Zen 5: 0.153 -> 0.015 ms).
            if (depthwise.Any(p => !p.ScalarChannels))
            {
                depthwise = depthwise.Where(p => !p.ScalarChannels).ToArray();
            }

            int rowTile = spec.IsFixed ? spec.RowTile(spec.Height.Output(spec.Height.FixedInput), spec.Width.Output(spec.Width.FixedInput)) : 0;
            int[]? tiles = PixelRuns.TilePixels(spec, rowTile);
            PointwisePath[] pointwise = isas.Select(isa => spec.Layout == LayoutKind.ChannelsFirst ? ChannelsFirstPointwise(spec, isa, tiles) : ChannelsLastPointwise(spec, isa, tiles)).ToArray();
            return new KernelPlan(
                RowTile: rowTile,
                AlignsScratch: isas.Length > 0,
                PadsRows: padsRows,
                // The slab of rows in pairs has two rows more: the zero row an odd last row's partner reads, and the row it writes.
                PairsSlabRows: depthwise.Any(p => p.PairsRows && !p.ReadsPlane),
                FlatTiles: padsRows && FlatTiles(spec),
                // Tier-0 code and on-stack replacement made calls 2-50 of a fresh process 11-35x slower than steady (S2
                // NHWC, S1 NCHW): the kernels are compiled fully optimized on their first call (AggressiveOptimization,
                // .NET Core 3.0+, so only where the vector kernels are; it gives up dynamic PGO, which these loops do not use).
                OptimizesFirstCall: isas.Length > 0,
                // Precompiled code runs from the first call (S2 NHWC published ReadyToRun for x86-64-v4: first call 18.5 ->
                // 11.4 ms, the first 100 calls 165 -> 145 steady calls, Zen 5); AggressiveOptimization would leave it to the JIT.
                PrecompiledVectorBits: options.PrecompiledVectorBits,
                Depthwise: new EquatableArray<DepthwisePath>(depthwise),
                Pointwise: new EquatableArray<PointwisePath>(pointwise));
        }

        /// <summary>
        /// NCHW vector rows copy a tile's input rows into a zero-padded slab (once per channel), so that border rows and
        /// columns run on vectors too, split into StrideWidth phases so that strided columns are contiguous. Layers whose
        /// width can pad, or that stride, pass the slab to the depthwise methods, which then take the tile's rows at once.
        /// </summary>
        private static bool PadsRows(LayerSpec spec, bool hasVectors) => hasVectors && spec.Layout == LayoutKind.ChannelsFirst &&
            (spec.Width.Stride == 1 ? spec.Width.HasBorder : spec.Width.Stride <= MaxPhasedStride);

        /// <summary>NHWC vectorizes along channels (any stride or dilation); NCHW along the row, up to the phased strides.</summary>
        private static bool VectorizesDepthwise(LayerSpec spec) => spec.Layout == LayoutKind.ChannelsLast || spec.Width.Stride <= MaxPhasedStride;

        private static DepthwisePath ChannelsFirstDepthwise(LayerSpec spec, Isa isa, bool padsRows)
        {
            AxisPlan width = spec.Width, height = spec.Height;

            // Vector512 and Vector256 rows over a padded slab (stride 1, a window under a vector wide) load two vectors per
            // output vector and slide the window's columns out of them, instead of one load per kernel column that mostly
            // straddles two cache lines. Vector128 (Arm) loads the columns.
            bool slides = isa.HasX86Shuffles && padsRows && width.Stride == 1 && width.Kernel > 1 &&
                          width.Kernel <= MaxUnrolledColumns && (width.Kernel - 1) * width.Dilation < isa.Lanes;

            // Fixed-width rows of at least a vector read the input plane instead of a padded copy: the vectors reaching
            // into the padding are the row's first or last shuffled with zeros (the copies took a third of S2 NCHW's
            // depthwise step). Windows over MaxPlaneColumns wide and more than a row tall keep the slab: their edge
            // blocks would take the generated file past its size bound.
            bool readsPlane = slides && width.IsFixed && width.Output(width.FixedInput) >= isa.Lanes &&
                              (width.Kernel <= MaxPlaneColumns || height.Kernel == 1);

            // Two output rows per pass where kernel rows follow input rows one to one: each row's loads and slid windows
            // serve both (a 7x7 row of 2 vectors: 84 shuffles for 98 multiply-adds alone, 48 in pairs; S4 NCHW 0.052 -> 0.048 ms).
            bool pairsRows = slides && height.Kernel > 1 && height.Stride == 1 && height.Dilation == 1;

            // Over the slab, pairs need rows at least a vector wide: known for a fixed width, checked per call otherwise.
            Applies slabPairs = !pairsRows ? Applies.Never
                : !width.IsFixed ? Applies.Checked
                : width.Output(width.FixedInput) >= isa.Lanes ? Applies.Always
                : Applies.Never;

            return new DepthwisePath(isa)
            {
                Slides = slides,
                ReadsPlane = readsPlane,
                PairsRows = pairsRows,
                SlabPairs = slabPairs,
                // A loop per copied row cost S4 NCHW at run-time size 1-2 % (0.1170-0.1193 -> 0.1154-0.1166 ms, Zen 5):
                // rows of one or two vectors (the second one ending the row) are copied without one.
                ShortRowCopies = !padsRows || width.Stride != 1 ? Applies.Never
                    : !width.IsFixed ? Applies.Checked
                    : width.FixedInput >= isa.Lanes && width.FixedInput <= 2 * isa.Lanes ? Applies.Always
                    : Applies.Never,
                // Stride 2 on x86: the even and odd columns are split from two loaded vectors at a time, not column by column.
                SplitsPairs = width.Stride == 2 && isa.HasX86Shuffles,
                // Shuffles set the pace of wide windows (S1's 1x16: 15 a vector) while the load ports idle: every third
                // window loaded instead, S1 NCHW's depthwise step 0.0029 -> 0.0026 ms (4 to 6 of 15 loaded measured alike).
                // Rows in pairs slide every window: each serves four multiply-adds there, and the loads mostly straddle
                // two lines (S4 NCHW's depthwise step at run-time size 0.059 -> 0.056 ms).
                LoadsEveryThirdWindow = isa.HasAlignRight32,
            };
        }

        /// <summary>
        /// Fixed-size NCHW tiles whose rows fill vectors badly run flat: stride 1, the output the input's size on both
        /// axes, at most MaxFlatTaps taps, a plane of at least a Vector512, and at most 3/4 of the 16-float vectors per
        /// tile that rows take one by one. Every tap is a load of its own where rows slide windows over shared loads:
        /// S3 NCHW (19-pixel rows) 0.095 -> 0.061 ms flat, while S2 (7 vectors a tile for 8) and S4 (7x7) measured slower.
        /// </summary>
        private static bool FlatTiles(LayerSpec spec)
        {
            if (!spec.IsFixed || spec.Height.Stride != 1 || spec.Width.Stride != 1)
            {
                return false;
            }

            int height = spec.Height.FixedInput, width = spec.Width.FixedInput;
            int rowTile = spec.RowTile(height, width);
            static int Vectors(int pixels) => (pixels + 15) / 16;
            return spec.Height.Output(height) == height && spec.Width.Output(width) == width &&
                   spec.Height.Kernel * spec.Width.Kernel <= MaxFlatTaps && width * height >= 16 &&
                   Vectors(rowTile * width) * 4 <= rowTile * Vectors(width) * 3;
        }

        private static DepthwisePath ChannelsLastDepthwise(LayerSpec spec, Isa isa)
        {
            AxisPlan width = spec.Width;
            bool scalarChannels = spec.InChannels < isa.Lanes;

            // Strips pay off where neighbouring windows overlap (stride below the window) and the window is small; their
            // channels run on vectors only.
            bool strips = !scalarChannels && width.Kernel > 1 && width.Kernel <= MaxStripColumns &&
                          width.Stride < width.EffectiveKernel && width.EffectiveKernel <= MaxStripWindow;

            // Stride 1 (TensorFlow SAME): the pads are the same for every width, so which taps of a border pixel fall
            // into the padding is known here. Each border window must be clipped on one side only: rows at least
            // EffectiveKernelWidth - 1 wide (checked per call for run-time widths), at most MaxEdgePixels per side.
            int padRight = width.EffectiveKernel - 1 - ((width.EffectiveKernel - 1) / 2);
            Applies edges = !strips || !width.HasBorder || width.Stride != 1 || padRight > MaxEdgePixels ? Applies.Never
                : !width.IsFixed ? Applies.Checked
                : width.Output(width.FixedInput) >= width.EffectiveKernel - 1 ? Applies.Always
                : Applies.Never;

            // Vector512's 32 registers hold 6 pixels' 12 accumulators beside the loaded columns and weights (S2 NHWC
            // 0.037 -> 0.030 ms; 8 pixels measured the same); AVX2's 16 registers keep 4.
            int stripPixels = isa.HasWideRegisterFile ? 6 : 4;

            // The last strip ends the interior, so a fixed interior as wide as a strip leaves no single pixel, and a
            // narrower one runs no strip: only the loop that runs is generated (less code to compile on the first call).
            int interior = width.IsFixed ? width.InteriorEnd(width.FixedInput) - width.InteriorStart(width.FixedInput) : -1;
            bool chunked = spec.InChannels > NhwcChannelChunk;
            int[] interiorChannels = chunked ? new[] { NhwcChannelChunk, spec.InChannels % NhwcChannelChunk } : new[] { spec.InChannels };
            return new DepthwisePath(isa)
            {
                ScalarChannels = scalarChannels,
                // A chunk's input columns stay in L1 while the row's pixels reread them (S3 NHWC 0.087 -> 0.055 ms).
                ChunkedChannels = chunked,
                Strips = strips && (!width.IsFixed || interior >= stripPixels),
                SinglePixels = !strips || !width.IsFixed || interior < stripPixels,
                // At a run-time width every block that fits stays: without the single-vector loop that 96 channels never
                // run, the JIT compiled S4 NHWC's strips 5 % slower (0.117-0.125 -> 0.122-0.134 ms, Zen 5), a matter of
                // its code layout, not of the loop.
                InteriorChannelBlocks = width.IsFixed ? ChannelBlocks(spec, isa, scalarChannels, interiorChannels) : FittingBlocks(spec, isa),
                BorderChannelBlocks = ChannelBlocks(spec, isa, scalarChannels, spec.InChannels),
                StripPixels = stripPixels,
                EdgeStrips = edges,
            };
        }

        /// <summary>
        /// NHWC independent accumulator chains per channel block, widest first: 4 hide the multiply-add latency, 2 and 1
        /// take what is left.
        /// </summary>
        private static readonly int[] ChainSteps = { 4, 2, 1 };

        /// <summary>The NHWC channel blocks (vectors each, widest first) that fit the channels, whether they run or not.</summary>
        private static EquatableArray<int> FittingBlocks(LayerSpec spec, Isa isa) =>
            new EquatableArray<int>(ChainSteps.Where(chains => chains * isa.Lanes <= spec.InChannels));

        /// <summary>
        /// The NHWC channel blocks (vectors each, widest first) whose loop runs for one of the channel
        /// <paramref name="counts"/>: a loop of whole blocks while they fit, except that the single-vector loop of a
        /// channel count that is no multiple of a vector also takes the rest (its last vector ends at InChannels). The
        /// loops a count leaves nothing to would be compiled for nothing.
        /// </summary>
        private static EquatableArray<int> ChannelBlocks(LayerSpec spec, Isa isa, bool scalarChannels, params int[] counts)
        {
            var blocks = new List<int>();
            int[] left = (int[])counts.Clone();
            foreach (int chains in ChainSteps)
            {
                int block = chains * isa.Lanes;
                if (block > spec.InChannels)
                {
                    continue;
                }

                bool takesRest = chains == 1 && spec.InChannels % isa.Lanes != 0 && !scalarChannels;
                bool runs = false;
                for (int i = 0; i < left.Length; i++)
                {
                    runs |= takesRest ? left[i] > 0 : left[i] >= block;
                    left[i] = takesRest ? 0 : left[i] % block;
                }

                if (runs)
                {
                    blocks.Add(chains);
                }
            }

            return new EquatableArray<int>(blocks);
        }

        private static PointwisePath ChannelsFirstPointwise(LayerSpec spec, Isa isa, int[]? tiles)
        {
            int groups = spec.OutChannels / Emitting.PointwiseEmitter.FilterBlock;
            int groupVectors = isa.HasWideRegisterFile ? 4 : 3;
            Applies pairs = isa.HasWideRegisterFile && groups >= 2 ? GroupPairs(spec, isa.Lanes) : Applies.Never;
            return new PointwisePath(isa)
            {
                // Below Vector512, a chunk's rows of the tile stay in L1 while every group of 4 filters reads them (chunks
                // measured 1-2 % faster with Vector256); the Vector512 pairs read the whole tile from L2 faster than
                // chunks re-add their sums in the output (S3 NCHW: 1.56-1.61 ms chunked, 1.50 in pairs).
                ChunkedChannels = spec.DepthwiseChannels > NchwChannelChunk && !isa.HasWideRegisterFile,
                // Vector512 tiles past L1 run two groups at a time (8 filters x 3 vectors, each vector of the tile reused 8
                // times); within L1 one group's blocks measured 2 % faster (S2, S4 NCHW).
                GroupPairs = pairs,
                // A group's blocks: 4 vectors x 4 filters with 32 registers, and a last block of 5 (20 accumulators still
                // fit); 3 with AVX2's 16, whose last 4 vectors run as blocks of 2 and 2.
                GroupVectors = groupVectors,
                WholeLastBlock = isa.HasWideRegisterFile,
                GroupRuns = PixelRuns.Group(isa.Lanes, groupVectors, tiles),
                PairRuns = pairs == Applies.Never ? null : PixelRuns.Pairs(isa.Lanes, PairVectors, tiles),
            };
        }

        /// <summary>
        /// Pairs for a fixed size where every tile it can run agrees (more than a vector and past L1, or not), else a
        /// check per tile: ForwardParallel's tiles may have any height from one row to RowTile rows.
        /// </summary>
        private static Applies GroupPairs(LayerSpec spec, int lanes)
        {
            if (!spec.IsFixed)
            {
                return Applies.Checked;
            }

            int outputHeight = spec.Height.Output(spec.Height.FixedInput), outputWidth = spec.Width.Output(spec.Width.FixedInput);
            bool Paired(int rows) => rows * outputWidth > lanes && (long)rows * outputWidth * spec.DepthwiseChannels > PairFloats;
            return Paired(1) ? Applies.Always : Paired(spec.RowTile(outputHeight, outputWidth)) ? Applies.Checked : Applies.Never;
        }

        private static PointwisePath ChannelsLastPointwise(LayerSpec spec, Isa isa, int[]? tiles)
        {
            int pack = LayerSpec.PackBlock(LayoutKind.ChannelsLast);
            int tail = spec.OutChannels % pack;
            int tailVectors = (tail + isa.Lanes - 1) / isa.Lanes;
            return new PointwisePath(isa)
            {
                FullPanel = spec.OutChannels >= pack ? Block(isa, pack / isa.Lanes, isa.Lanes, tiles) : null,
                TailPanel = tail > 0 ? Block(isa, tailVectors, tail - ((tailVectors - 1) * isa.Lanes), tiles) : null,
            };
        }

        /// <summary>
        /// Pixels x filter vectors of accumulators. Vector512 (32 registers) also has room for blocks of one and two
        /// pixels more: ceil(n / (p + 2)) blocks of p to p + 2 pixels end exactly at the tile's end (the last-block
        /// overlap otherwise costs up to 5 %; S3 NHWC 1.52 -> 1.46 ms).
        /// </summary>
        private static PanelBlock Block(Isa isa, int vectors, int lastLanes, int[]? tiles)
        {
            int pixels = Math.Max(1, Accumulators / vectors);
            bool exactCover = pixels > 1 && isa.HasWideRegisterFile && (pixels + 2) * vectors <= WideAccumulators;
            return new PanelBlock(vectors, pixels, lastLanes, exactCover, PixelRuns.Panel(pixels, exactCover, tiles));
        }
    }
}

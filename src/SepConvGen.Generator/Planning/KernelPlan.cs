using System.Collections.Generic;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Planning
{
    /// <summary>Where a block of code runs for every size, for none, or only where a run-time check says so.</summary>
    internal enum Applies
    {
        Never,
        Always,
        Checked,
    }

    /// <summary>
    /// The depthwise path of one vector instruction set: how a row (NCHW) or a pixel's channels (NHWC) run on vectors.
    /// Members of the other layout keep their defaults.
    /// </summary>
    internal sealed record DepthwisePath(Isa Isa)
    {
        /// <summary>NCHW: each kernel row's window columns are slid out of two loaded vectors (x86 shuffles).</summary>
        public bool Slides { get; init; }

        /// <summary>NCHW: rows are read from the input plane instead of a zero-padded slab.</summary>
        public bool ReadsPlane { get; init; }

        /// <summary>NCHW: output rows run in pairs that share their slab or plane rows.</summary>
        public bool PairsRows { get; init; }

        /// <summary>NCHW: where rows over the slab run in pairs (rows at least a vector wide).</summary>
        public Applies SlabPairs { get; init; }

        /// <summary>NCHW stride 1 over the slab: where rows of one or two vectors are copied without a loop per row.</summary>
        public Applies ShortRowCopies { get; init; }

        /// <summary>NCHW stride 2: the two phases are split from pairs of loaded vectors.</summary>
        public bool SplitsPairs { get; init; }

        /// <summary>NCHW rows one by one: every third slid window is a load instead (<c>shift % 3 == 0</c>).</summary>
        public bool LoadsEveryThirdWindow { get; init; }

        /// <summary>NHWC: channels fewer than a vector run the scalar tap loop.</summary>
        public bool ScalarChannels { get; init; }

        /// <summary>NHWC: the interior runs chunk of channels by chunk.</summary>
        public bool ChunkedChannels { get; init; }

        /// <summary>NHWC: interior pixels run in strips that share the input columns they read.</summary>
        public bool Strips { get; init; }

        /// <summary>NHWC: interior pixels run one by one (those the strips leave, or all of them without strips).</summary>
        public bool SinglePixels { get; init; }

        /// <summary>NHWC: the channel blocks (vectors each, widest first) that single interior pixels run.</summary>
        public EquatableArray<int> InteriorChannelBlocks { get; init; }

        /// <summary>NHWC: the channel blocks (vectors each, widest first) that a vector border pixel runs.</summary>
        public EquatableArray<int> BorderChannelBlocks { get; init; }

        /// <summary>NHWC: output pixels per strip.</summary>
        public int StripPixels { get; init; }

        /// <summary>NHWC: where the border pixels of each side run as one strip with the padded taps left out.</summary>
        public Applies EdgeStrips { get; init; }
    }

    /// <summary>A register block of the NHWC pointwise step: pixels x filter vectors, whether blocks of one and two pixels more end tiles exactly, and which blocks the layer's tiles run.</summary>
    internal sealed record PanelBlock(int Vectors, int Pixels, int LastLanes, bool ExactCover, PanelRuns Runs);

    /// <summary>The pointwise path of one vector instruction set.</summary>
    internal sealed record PointwisePath(Isa Isa)
    {
        /// <summary>NCHW: channels in chunks whose rows of the tile stay in L1 (the sums wait in the output).</summary>
        public bool ChunkedChannels { get; init; }

        /// <summary>NCHW: where filter groups run in pairs over the whole tile (tiles past L1).</summary>
        public Applies GroupPairs { get; init; }

        /// <summary>NCHW: pixel vectors per register block of one filter group.</summary>
        public int GroupVectors { get; init; }

        /// <summary>NCHW: the last GroupVectors + 1 vectors of a group run as one block (else as two).</summary>
        public bool WholeLastBlock { get; init; }

        /// <summary>NCHW: the blocks of a group's pixels that the layer's tiles run.</summary>
        public GroupRuns? GroupRuns { get; init; }

        /// <summary>NCHW: the blocks of a pair's pixels that the layer's tiles run (where groups run in pairs).</summary>
        public GroupRuns? PairRuns { get; init; }

        /// <summary>NHWC: the block of a full panel of filters, or null without one.</summary>
        public PanelBlock? FullPanel { get; init; }

        /// <summary>NHWC: the block of the last, partial panel, or null without one.</summary>
        public PanelBlock? TailPanel { get; init; }
    }

    /// <summary>
    /// Every choice of kernel for one layer and one set of kernel options, made before anything is printed: the
    /// tiling, the scratch, and for each vector instruction set its depthwise and pointwise path. Emitters print it.
    /// </summary>
    /// <param name="RowTile">Output rows per tile of a fixed-size layer; 0 where the size, and so the tile, is chosen per call.</param>
    /// <param name="AlignsScratch">The scratch is used from its first 64-byte line (vector kernels).</param>
    /// <param name="PadsRows">NCHW vector rows read zero-padded copies of their input rows (a slab) after the tile buffer.</param>
    /// <param name="PairsSlabRows">Some width pairs rows over the slab, which then has two rows more.</param>
    /// <param name="FlatTiles">NCHW vector tiles run as one run of pixels per channel, taps at constant plane offsets.</param>
    /// <param name="OptimizesFirstCall">Kernels are compiled optimized on their first call instead of through tiered compilation.</param>
    /// <param name="PrecompiledVectorBits">The widest vector kernels a ReadyToRun publish precompiles (0: none); those, and the
    /// methods of no instruction set, then leave their first call to the precompiled code.</param>
    /// <param name="Depthwise">The vectorized depthwise paths, widest first (none where rows stay scalar).</param>
    /// <param name="Pointwise">The vector pointwise paths, widest first.</param>
    internal sealed record KernelPlan(
        int RowTile,
        bool AlignsScratch,
        bool PadsRows,
        bool PairsSlabRows,
        bool FlatTiles,
        bool OptimizesFirstCall,
        int PrecompiledVectorBits,
        EquatableArray<DepthwisePath> Depthwise,
        EquatableArray<PointwisePath> Pointwise)
    {
        /// <summary>
        /// Whether the kernel method for <paramref name="isa"/> (null: a method of no instruction set) carries
        /// AggressiveOptimization: where the JIT compiles it, so that it never runs as tier-0 code, but not where a
        /// ReadyToRun publish precompiles it, since the attribute would leave it to the JIT.
        /// </summary>
        public bool OptimizesFirstCallOf(Isa? isa) =>
            OptimizesFirstCall && !(PrecompiledVectorBits > 0 && (isa is not Isa { IsScalar: false } vector || vector.Bits <= PrecompiledVectorBits));

        /// <summary>The vector instruction sets whose depthwise rows are vectorized (empty where none is).</summary>
        public IEnumerable<Isa> DepthwiseIsas
        {
            get
            {
                foreach (DepthwisePath path in Depthwise)
                {
                    yield return path.Isa;
                }
            }
        }

        public bool VectorizesDepthwise => Depthwise.Count > 0;

        /// <summary>
        /// The plan of one vector instruction set in a line, for the generated file's header, e.g.
        /// <c>depthwise plane rows, sliding windows (every third loaded), rows in pairs; pointwise 8x3 pairs past L1</c>.
        /// </summary>
        public string Describe(Isa isa)
        {
            var depthwise = new List<string>();
            bool vectorized = false;
            foreach (DepthwisePath path in Depthwise)
            {
                vectorized |= path.Isa == isa;
            }

            DepthwisePath d = DepthwiseFor(isa);
            if (!vectorized)
            {
                depthwise.Add("scalar rows");
            }
            else if (PadsRows || d.Slides || d.ReadsPlane)
            {
                depthwise.Add(FlatTiles ? "flat tiles" : d.ReadsPlane ? "plane rows" : "slab rows");
                if (d.Slides && !FlatTiles)
                {
                    depthwise.Add(d.LoadsEveryThirdWindow ? "sliding windows (every third loaded)" : "sliding windows");
                }

                if (d.PairsRows && !FlatTiles && (d.ReadsPlane || d.SlabPairs != Applies.Never))
                {
                    depthwise.Add(d.ReadsPlane || d.SlabPairs == Applies.Always ? "rows in pairs" : "rows in pairs where a vector wide");
                }

                if (d.SplitsPairs)
                {
                    depthwise.Add("stride-2 phases split in pairs");
                }
            }
            else if (d.StripPixels > 0)
            {
                depthwise.Add(d.ScalarChannels ? "scalar channels" : "channel vectors");
                if (d.Strips)
                {
                    depthwise.Add($"strips of {d.StripPixels} pixels");
                }

                if (d.EdgeStrips != Applies.Never)
                {
                    depthwise.Add(d.EdgeStrips == Applies.Always ? "edge strips" : "edge strips on wide rows");
                }

                if (d.ChunkedChannels)
                {
                    depthwise.Add("channel chunks");
                }
            }
            else
            {
                depthwise.Add("row vectors");
            }

            PointwisePath p = PointwiseFor(isa);
            var pointwise = new List<string>();
            if (p.FullPanel is not null || p.TailPanel is not null)
            {
                PanelBlock block = p.FullPanel ?? p.TailPanel!;
                pointwise.Add($"{Count(block.Pixels, "pixel")} x {Count(block.Vectors, "filter vector")}{(block.ExactCover ? $" (and {block.Pixels + 1}, {block.Pixels + 2} to end tiles)" : string.Empty)}");
            }
            else
            {
                pointwise.Add(p.GroupPairs == Applies.Always ? "8x3 pairs" : p.GroupPairs == Applies.Checked ? "8x3 pairs past L1, else 4 filters x pixel vectors" : "4 filters x pixel vectors");
                if (p.ChunkedChannels)
                {
                    pointwise.Add("channel chunks");
                }
            }

            return $"depthwise {string.Join(", ", depthwise)}; pointwise {string.Join(", ", pointwise)}";
        }

        private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? string.Empty : "s")}";

        /// <summary>The tiling for the header: <c>tiles of 4 rows</c>, or about 64 pixels for run-time sizes.</summary>
        public string DescribeTiles() => RowTile > 0 ? $"tiles of {RowTile} row{(RowTile == 1 ? string.Empty : "s")}" : "tiles of about 64 pixels, chosen per call";

        public DepthwisePath DepthwiseFor(Isa isa)
        {
            foreach (DepthwisePath path in Depthwise)
            {
                if (path.Isa == isa)
                {
                    return path;
                }
            }

            return new DepthwisePath(isa);
        }

        public PointwisePath PointwiseFor(Isa isa)
        {
            foreach (PointwisePath path in Pointwise)
            {
                if (path.Isa == isa)
                {
                    return path;
                }
            }

            return new PointwisePath(isa);
        }
    }
}

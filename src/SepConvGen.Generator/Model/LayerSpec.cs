using System;

namespace SepConvGen.Generator.Model
{
    /// <summary>
    /// Everything the emitter needs to write one layer, and nothing else. It holds no symbols, syntax
    /// nodes or locations: two parses of the same attribute give equal specs, which is what lets the
    /// incremental pipeline skip re-emitting a layer whose attribute did not change. Keep new members
    /// immutable and value-equatable.
    /// </summary>
    internal sealed record LayerSpec(
        string Namespace,
        EquatableArray<string> ContainingTypes,
        string TypeKeyword,
        string ClassName,
        string AttributeText,
        int InChannels,
        int OutChannels,
        int DepthMultiplier,
        AxisPlan Height,
        AxisPlan Width,
        bool UseBias,
        LayoutKind Layout,
        ActivationKind Activation)
    {
        /// <summary>Above this many taps the depthwise taps run as a loop instead of straight-line code.</summary>
        public const int MaxUnrolledTaps = 64;

        /// <summary>Output pixels a row tile aims for, so the pointwise step gets long runs of pixels.</summary>
        public const int TilePixels = 64;

        /// <summary>The most floats a row tile's depthwise buffer may hold (384 KB, within the L2 of Zen 3 and later).</summary>
        public const int MaxTileFloats = 98304;

        /// <summary>
        /// Output rows per tile for an output of the given size (the same formula the generated code uses). NCHW
        /// takes one row more where that leaves fewer unused lanes in the last 16-float pixel vector, relative to
        /// the tile (28-wide rows: 4 rows are 7 whole vectors, 3 rows would waste 12 of 96 lanes).
        /// </summary>
        public int RowTile(int outputHeight, int outputWidth)
        {
            int rows = (int)Math.Max(1, Math.Min(outputHeight, Math.Min((TilePixels + outputWidth - 1) / outputWidth, MaxTileFloats / ((long)DepthwiseChannels * outputWidth))));
            return Layout == LayoutKind.ChannelsFirst && rows < outputHeight && (long)(rows + 1) * outputWidth * DepthwiseChannels <= MaxTileFloats &&
                   LaneWaste((rows + 1) * outputWidth) * rows < LaneWaste(rows * outputWidth) * (rows + 1)
                ? rows + 1
                : rows;
        }

        /// <summary>Lanes past the last of <paramref name="pixels"/> in whole 16-float vectors.</summary>
        private static int LaneWaste(int pixels) => (16 - (pixels % 16)) % 16;

        /// <summary>
        /// Filters per packed pointwise weight panel: 32 for NHWC (whole vectors of filters for every vector width),
        /// 4 for NCHW (the filters a kernel broadcasts against vectors of pixels, its register block).
        /// </summary>
        public static int PackBlock(LayoutKind layout) => layout == LayoutKind.ChannelsLast ? 32 : 4;

        /// <summary>Channels between the two steps: InChannels x DepthMultiplier.</summary>
        public int DepthwiseChannels => InChannels * DepthMultiplier;

        public int Taps => Height.Kernel * Width.Kernel;

        public bool UnrollTaps => Taps <= MaxUnrolledTaps;

        /// <summary>Both input extents fixed by the attribute.</summary>
        public bool IsFixed => Height.IsFixed && Width.IsFixed;

        public bool HasBorder => Height.HasBorder || Width.HasBorder;

        /// <summary>The name of the generated file: <c>{Namespace}.{Containing types}.{Class}.SepConv.g.cs</c>.</summary>
        public string HintName => QualifiedName + ".SepConv.g.cs";

        /// <summary>Namespace, containing types and class, dot-separated.</summary>
        public string QualifiedName => TypeNames.Qualified(Namespace, ContainingTypes, ClassName);
    }
}

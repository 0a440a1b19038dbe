using System.Collections.Generic;

namespace SepConvGen.Testing
{
    /// <summary>A fixed layer of the differential tests, the kernel path it exists to cover, and the batch and size it runs at.</summary>
    public sealed record WideLayer(string Name, string Covers, LayerConfig Config, int Batch, int Height, int Width)
    {
        public override string ToString() => Name;
    }

    /// <summary>
    /// The fixed "wide" layers: each reaches a rarer kernel path (channel chunks, strips, plane rows, flat tiles, pairs)
    /// that random layers seldom do. The differential tests run them in every instruction-set variant; the generator's
    /// KernelPlanTests check that each still gets the path it is here for, so a changed threshold cannot drop coverage.
    /// </summary>
    public static class WideLayers
    {
        public static readonly IReadOnlyList<WideLayer> All = new[]
        {
            new WideLayer("Wide0", "Two chunks, the second of 22 channels: strips, edge strips and single pixels, run-time size.",
                new LayerConfig(150, 5, 3, 3, Same: true), 2, 7, 9),
            new WideLayer("Wide1", "A multiplier, dilation and a fixed size: three chunks of 5x5 windows, interior strips and edge strips.",
                new LayerConfig(261, 4, 5, 5, Same: true, DepthMultiplier: 2, DilationWidth: 2, InputHeight: 6, InputWidth: 16), 1, 6, 16),
            new WideLayer("Wide2", "Stride 2: strips without edge strips, border pixels through the vector border pixel.",
                new LayerConfig(133, 3, 3, 3, Same: true, StrideHeight: 2, StrideWidth: 2, Activation: Activation.Relu), 1, 9, 10),
            new WideLayer("Wide3", "A 1x16 kernel over 131 channels, VALID.",
                new LayerConfig(131, 6, 1, 16, Same: false), 1, 2, 21),
            new WideLayer("Wide4", "Fewer channels than a Vector512 and more than a Vector256: the last vector ends at InChannels on narrow ISAs.",
                new LayerConfig(13, 3, 7, 7, Same: true, StrideWidth: 3), 2, 8, 12),
            new WideLayer("Wide5", "NCHW rows of a fixed width of at least a vector, read from the input plane (no padded copy): pairs of rows, an odd last row whose partner is discarded, a multiplier, edge vectors on both sides.",
                new LayerConfig(7, 4, 3, 3, Same: true, DepthMultiplier: 2, ChannelsFirst: true, Activation: Activation.Relu, InputHeight: 9, InputWidth: 37), 2, 9, 37),
            new WideLayer("Wide6", "A 1x16 kernel over a long row: 4-vector blocks at the edges and a loop of them inside.",
                new LayerConfig(5, 3, 1, 16, Same: true, ChannelsFirst: true, InputHeight: 1, InputWidth: 300), 1, 1, 300),
            new WideLayer("Wide7", "Dilation 2: rows one by one (dilated rows do not pair), a 13x13 window clipped at the top and bottom.",
                new LayerConfig(3, 2, 7, 7, Same: true, DilationHeight: 2, DilationWidth: 2, ChannelsFirst: true, InputHeight: 11, InputWidth: 40), 1, 11, 40),
            new WideLayer("Wide8", "A row exactly a Vector512 wide, a 5x3 window, rows strided in height (one by one).",
                new LayerConfig(4, 5, 5, 3, Same: true, StrideHeight: 2, ChannelsFirst: true, InputHeight: 12, InputWidth: 16), 2, 12, 16),
            new WideLayer("Wide9", "NCHW flat tiles (rows run on into each other): 19-wide rows in tiles of 5 and 4 rows, two images.",
                new LayerConfig(20, 6, 3, 3, Same: true, ChannelsFirst: true, InputHeight: 19, InputWidth: 19), 2, 19, 19),
            new WideLayer("Wide10", "A 2x4 window (more padding after than before), dilated, a multiplier, tiles of 8 and 5 rows.",
                new LayerConfig(3, 4, 2, 4, Same: true, DepthMultiplier: 2, DilationHeight: 2, DilationWidth: 2, ChannelsFirst: true, InputHeight: 13, InputWidth: 9), 1, 13, 9),
            new WideLayer("Wide11", "A plane of exactly 16 pixels: every vector reaches outside the plane.",
                new LayerConfig(5, 3, 3, 3, Same: true, ChannelsFirst: true, Activation: Activation.Relu, InputHeight: 4, InputWidth: 4), 3, 4, 4),
            new WideLayer("Wide12", "NCHW filter groups in pairs (Vector512, tiles past 48 KB). 64-pixel tiles of 200 channels: a block of 3 vectors, then a block of 2 that redoes one; the 48-pixel last tile stays within L1 and runs the groups on their own (3 groups: the odd one on its own in every tile).",
                new LayerConfig(200, 12, 3, 3, Same: true, ChannelsFirst: true, InputHeight: 7, InputWidth: 16), 2, 7, 16),
            new WideLayer("Wide13", "Pairs at a run-time size: 140-pixel rows of 200 channels (a multiplier) end in a block of 3 vectors; a partial group, ReLU.",
                new LayerConfig(100, 17, 1, 5, Same: true, DepthMultiplier: 2, ChannelsFirst: true, Activation: Activation.Relu), 1, 3, 140),
            new WideLayer("Wide14", "Pairs in every tile (72 pixels, 192 channels), which end in a block of 2 vectors whose last one overlaps the first; the odd third group and a partial one on their own.",
                new LayerConfig(96, 13, 3, 1, Same: true, DepthMultiplier: 2, ChannelsFirst: true, InputHeight: 1, InputWidth: 72), 2, 1, 72),
            new WideLayer("Wide15", "Tiles of 64 pixels past L1, but ForwardParallel's one-row tiles of 16 pixels are a single vector: each tile's size decides between pairs and single groups.",
                new LayerConfig(200, 8, 3, 3, Same: true, ChannelsFirst: true, InputHeight: 8, InputWidth: 16), 1, 8, 16),
            new WideLayer("Wide16", "NCHW rows in pairs over a padded slab (run-time size): tiles of 4 and 3 rows, so an odd last row pairs with a discarded partner, as every row does in ForwardParallel's one-row tiles; a multiplier.",
                new LayerConfig(3, 6, 4, 4, Same: true, DepthMultiplier: 2, ChannelsFirst: true), 2, 7, 20),
        };
    }
}

using System.Collections.Generic;
using System.Linq;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Planning
{
    /// <summary>
    /// The NHWC pointwise blocks of a panel that run: blocks of p + 2 pixels (a loop), one of p + 1, blocks of p (a
    /// loop), the block of p that ends the tile, single pixels (see <see cref="PixelRuns.Panel"/>).
    /// </summary>
    internal sealed record PanelRuns(bool Large, bool Middle, bool Small, bool End, bool Single)
    {
        public static readonly PanelRuns All = new(true, true, true, true, true);
    }

    /// <summary>
    /// The NCHW pointwise blocks of a filter group (or pair of groups) that run: the loop of whole blocks, the tail
    /// blocks by their vectors, widest first, and single pixels (see <see cref="PixelRuns.Group"/>).
    /// </summary>
    internal sealed record GroupRuns(bool Loop, EquatableArray<int> Tails, bool Single);

    /// <summary>
    /// Which blocks of a pointwise pixel loop run, given the pixel counts a tile can have: every block where the size is
    /// chosen per call (<c>tiles</c> null); for a fixed size only those that some tile of 1 to RowTile rows reaches. The
    /// JIT would compile the others on the first call for nothing (S2 NCHW's 56- and 112-pixel tiles reach 2 of the 6
    /// tail blocks of a group). Each walk follows the generated loop it stands for.
    /// </summary>
    internal static class PixelRuns
    {
        /// <summary>The pixel counts of a fixed layer's tiles (1 to <paramref name="rowTile"/> rows), or null for a run-time size.</summary>
        public static int[]? TilePixels(LayerSpec spec, int rowTile) =>
            spec.IsFixed ? Enumerable.Range(1, rowTile).Select(rows => rows * spec.Width.Output(spec.Width.FixedInput)).ToArray() : null;

        /// <summary>
        /// NHWC: blocks of p + 2 and p + 1 pixels ending the tile exactly (where <paramref name="exactCover"/>), then of
        /// p = <paramref name="blockPixels"/>, the last one ending the tile, then single pixels.
        /// </summary>
        public static PanelRuns Panel(int blockPixels, bool exactCover, int[]? tiles)
        {
            if (tiles is null)
            {
                return PanelRuns.All;
            }

            bool large = false, middle = false, small = false, end = false, single = false;
            int p = blockPixels;
            foreach (int pixels in tiles)
            {
                int ox = 0;
                if (exactCover)
                {
                    int extra = pixels - (p * ((pixels + p + 1) / (p + 2)));
                    if (extra >= 0)
                    {
                        for (; extra >= 2; extra -= 2, ox += p + 2)
                        {
                            large = true;
                        }

                        if (extra == 1)
                        {
                            middle = true;
                            ox += p + 1;
                        }
                    }
                }

                if (p > 1)
                {
                    for (; ox + p <= pixels; ox += p)
                    {
                        small = true;
                    }

                    if (ox < pixels && pixels >= p)
                    {
                        end = true;
                        ox = pixels;
                    }
                }

                single |= ox < pixels;
            }

            return new PanelRuns(large, middle, small, end, single);
        }

        /// <summary>
        /// NCHW: while more than <paramref name="wholeBlock"/> + 1 vectors are left, blocks of <paramref name="wholeBlock"/>;
        /// then one tail block of the vectors left (the last one ends the tile); tiles under a vector pixel by pixel.
        /// </summary>
        public static GroupRuns Group(int lanes, int wholeBlock, int[]? tiles)
        {
            var all = Enumerable.Range(1, wholeBlock + 1).Reverse();
            if (tiles is null)
            {
                return new GroupRuns(true, new EquatableArray<int>(all), true);
            }

            bool loop = false, single = false;
            var tails = new HashSet<int>();
            foreach (int pixels in tiles)
            {
                int ox = 0;
                for (; pixels - ox > (wholeBlock + 1) * lanes; ox += wholeBlock * lanes)
                {
                    loop = true;
                }

                if (ox < pixels && pixels >= lanes)
                {
                    int last = pixels - lanes - ox;
                    tails.Add(all.First(v => !(GroupTailAbove(v, wholeBlock, lanes) is int above) || last > above));
                    ox = pixels;
                }

                single |= ox < pixels;
            }

            return new GroupRuns(loop, new EquatableArray<int>(all.Where(tails.Contains)), single);
        }

        /// <summary>
        /// The tail block of <paramref name="vectors"/> in a group of <paramref name="wholeBlock"/>-vector blocks runs
        /// where <c>last</c> (the pixels left after their first vector) is above this, the first such of the chain,
        /// widest first; null for the single vector, which takes the rest.
        /// </summary>
        public static int? GroupTailAbove(int vectors, int wholeBlock, int lanes) =>
            vectors == wholeBlock + 1 ? (wholeBlock - 1) * lanes : vectors > 1 ? (vectors - 2) * lanes : null;

        /// <summary>A pair's full tail block runs where <c>last</c> is above this; the one a vector shorter otherwise.</summary>
        public static int PairTailAbove(int lanes) => lanes;

        /// <summary>
        /// NCHW pairs of groups (tiles of more than a vector): blocks of <paramref name="blockVectors"/> while more are
        /// left, then one block of <paramref name="blockVectors"/> or one fewer whose last vector ends the tile.
        /// </summary>
        public static GroupRuns Pairs(int lanes, int blockVectors, int[]? tiles)
        {
            if (tiles is null)
            {
                return new GroupRuns(true, new EquatableArray<int>(new[] { blockVectors, blockVectors - 1 }), false);
            }

            bool loop = false;
            var tails = new HashSet<int>();
            foreach (int pixels in tiles.Where(pixels => pixels > lanes))
            {
                int ox = 0;
                for (; pixels - ox > blockVectors * lanes; ox += blockVectors * lanes)
                {
                    loop = true;
                }

                tails.Add(pixels - lanes - ox > PairTailAbove(lanes) ? blockVectors : blockVectors - 1);
            }

            return new GroupRuns(loop, new EquatableArray<int>(new[] { blockVectors, blockVectors - 1 }.Where(tails.Contains)), false);
        }
    }
}

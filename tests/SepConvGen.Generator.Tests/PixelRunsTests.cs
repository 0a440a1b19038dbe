using System.Linq;
using SepConvGen.Generator.Planning;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// Which pointwise pixel blocks a layer's tiles run: a fixed size generates only those (the numerics tests check
    /// that the others are indeed never needed); a run-time size generates them all.
    /// </summary>
    public sealed class PixelRunsTests
    {
        [Fact]
        public void A_run_time_size_runs_every_block()
        {
            Assert.Equal(PanelRuns.All, PixelRuns.Panel(6, exactCover: true, tiles: null));
            GroupRuns group = PixelRuns.Group(16, 4, tiles: null);
            Assert.True(group.Loop && group.Single);
            Assert.Equal(new[] { 5, 4, 3, 2, 1 }, group.Tails.ToArray());
            Assert.Equal(new[] { 3, 2 }, PixelRuns.Pairs(16, 3, tiles: null).Tails.ToArray());
        }

        [Fact]
        public void S2_tiles_of_56_and_112_pixels_run_few_blocks()
        {
            // NHWC: 7 and 14 blocks of 8 pixels cover them exactly.
            Assert.Equal(new PanelRuns(Large: true, Middle: false, Small: false, End: false, Single: false), PixelRuns.Panel(6, exactCover: true, new[] { 56, 112 }));

            // NCHW, 16 lanes: 56 pixels end in a block of 4 vectors, 112 in one block of 4 and then a block of 3.
            GroupRuns group = PixelRuns.Group(16, 4, new[] { 56, 112 });
            Assert.True(group.Loop);
            Assert.False(group.Single);
            Assert.Equal(new[] { 4, 3 }, group.Tails.ToArray());
        }

        [Theory]
        [InlineData(5, false, false, true)] // under a vector: pixel by pixel only
        [InlineData(16, false, true, false)] // one vector: the whole tile in the single-vector block
        [InlineData(96, true, true, false)] // a block of 4, then 2 vectors left
        public void Group_blocks_follow_the_tile(int pixels, bool loop, bool tails, bool single)
        {
            GroupRuns runs = PixelRuns.Group(16, 4, new[] { pixels });
            Assert.Equal(loop, runs.Loop);
            Assert.Equal(tails, !runs.Tails.IsEmpty);
            Assert.Equal(single, runs.Single);
        }

        [Fact]
        public void Pairs_leave_out_tiles_of_one_vector()
        {
            // 16 pixels never run in pairs; 40 run one block of 3 vectors whose last one ends the tile.
            GroupRuns runs = PixelRuns.Pairs(16, 3, new[] { 16, 40 });
            Assert.False(runs.Loop);
            Assert.Equal(new[] { 3 }, runs.Tails.ToArray());
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// Each fixed wide layer of the differential tests still gets the kernel path it exists to cover (with the widest
    /// vectors, and narrower ones where that is the point): a changed threshold in the planner fails here instead of
    /// silently leaving a path untested.
    /// </summary>
    public sealed class KernelPlanTests
    {
        private static readonly Isa V512 = new(512), V256 = new(256), V128 = new(128);

        /// <summary>What each wide layer must be planned to do.</summary>
        private static readonly Dictionary<string, Action<KernelPlan>> Covers = new()
        {
            ["Wide0"] = p => Assert.True(p.DepthwiseFor(V512) is { ChunkedChannels: true, Strips: true, SinglePixels: true, EdgeStrips: Applies.Checked }),
            ["Wide1"] = p => Assert.True(p.DepthwiseFor(V512) is { ChunkedChannels: true, Strips: true, SinglePixels: false, EdgeStrips: Applies.Always }),
            ["Wide2"] = p => Assert.True(p.DepthwiseFor(V512) is { ChunkedChannels: true, Strips: true, EdgeStrips: Applies.Never }),
            ["Wide3"] = p => Assert.True(p.DepthwiseFor(V512) is { ChunkedChannels: true, Strips: true, StripPixels: 6 }),
            ["Wide4"] = p =>
            {
                // Vector512 would run its scalar tap loop: the dispatcher is offered Vector256 as the widest.
                Assert.DoesNotContain(V512, p.DepthwiseIsas);
                Assert.False(p.DepthwiseFor(V256).ScalarChannels);
            },
            ["Wide5"] = p => Assert.True(p.DepthwiseFor(V512) is { Slides: true, ReadsPlane: true, PairsRows: true }),
            ["Wide6"] = p => Assert.True(p.DepthwiseFor(V512) is { Slides: true, ReadsPlane: true, PairsRows: false, LoadsEveryThirdWindow: true }),
            ["Wide7"] = p => Assert.True(p.DepthwiseFor(V512) is { Slides: true, ReadsPlane: true, PairsRows: false }),
            ["Wide8"] = p => Assert.True(p.DepthwiseFor(V512) is { ReadsPlane: true, PairsRows: false }),
            ["Wide9"] = p => Assert.True(p.FlatTiles),
            ["Wide10"] = p => Assert.True(p.FlatTiles),
            ["Wide11"] = p => Assert.True(p.FlatTiles),
            ["Wide12"] = p => Assert.Equal(Applies.Checked, p.PointwiseFor(V512).GroupPairs),
            ["Wide13"] = p => Assert.Equal(Applies.Checked, p.PointwiseFor(V512).GroupPairs),
            ["Wide14"] = p => Assert.Equal(Applies.Always, p.PointwiseFor(V512).GroupPairs),
            ["Wide15"] = p => Assert.Equal(Applies.Checked, p.PointwiseFor(V512).GroupPairs),
            ["Wide16"] = p =>
            {
                Assert.True(p.DepthwiseFor(V512) is { PairsRows: true, ReadsPlane: false, SlabPairs: Applies.Checked });
                Assert.True(p.PairsSlabRows);
            },
        };

        public static IEnumerable<object[]> Layers() => WideLayers.All.Select(l => new object[] { l.Name });

        [Theory]
        [MemberData(nameof(Layers))]
        public void Wide_layers_get_the_path_they_cover(string name)
        {
            WideLayer layer = WideLayers.All.Single(l => l.Name == name);
            Assert.True(Covers.TryGetValue(name, out Action<KernelPlan>? covers), $"{name} has no expected plan here: say what it covers.");
            covers!(KernelPlanner.Plan(Spec(layer.Config), new KernelOptions(false, 512)));
        }

        [Fact]
        public void Narrower_vectors_and_scalar_builds_plan_what_they_can()
        {
            LayerSpec nchw = Spec(WideLayers.All.Single(l => l.Name == "Wide5").Config);
            KernelPlan plan = KernelPlanner.Plan(nchw, new KernelOptions(false, 512));
            Assert.True(plan.DepthwiseFor(V256) is { Slides: true, LoadsEveryThirdWindow: false });
            Assert.True(plan.DepthwiseFor(V128) is { Slides: false, ReadsPlane: false }); // Arm loads the columns
            KernelPlan scalar = KernelPlanner.Plan(nchw, KernelOptions.Scalar);
            Assert.False(scalar.PadsRows);
            Assert.False(scalar.AlignsScratch);
            Assert.Empty(scalar.Depthwise);
            Assert.Empty(scalar.Pointwise);
        }

        [Theory]
        [InlineData(6, 12, true, false)] // interior 10: strips end it, no pixel is left
        [InlineData(6, 7, false, true)] // interior 5: narrower than a strip, pixels one by one
        [InlineData(6, 0, true, true)] // run-time width: both, chosen per call
        [InlineData(4, 9, true, false)] // Vector256's strips of 4 over an interior of 7
        public void Fixed_nhwc_rows_plan_only_the_interior_loops_that_run(int stripPixels, int inputWidth, bool strips, bool singlePixels)
        {
            var layer = new LayerConfig(32, 8, 3, 3, Same: true, InputHeight: inputWidth == 0 ? 0 : 5, InputWidth: inputWidth);
            DepthwisePath path = KernelPlanner.Plan(Spec(layer), new KernelOptions(false, 512)).DepthwiseFor(stripPixels == 6 ? V512 : V256);
            Assert.Equal(stripPixels, path.StripPixels);
            Assert.Equal(strips, path.Strips);
            Assert.Equal(singlePixels, path.SinglePixels);
        }

        [Theory]
        [InlineData(64, new[] { 4 }, new[] { 4 })] // 64 channels: one block of 4 vectors, nothing left
        [InlineData(96, new[] { 4, 2 }, new[] { 4, 2 })]
        [InlineData(150, new[] { 4, 1 }, new[] { 4, 1 })] // 2 x 64 + 22 (in chunks: 128, then 22): single vectors take the rest
        public void Nhwc_channel_blocks_are_those_the_channel_count_runs(int channels, int[] interior, int[] border)
        {
            DepthwisePath path = KernelPlanner.Plan(Spec(new LayerConfig(channels, 8, 3, 3, Same: true, InputHeight: 9, InputWidth: 9)), new KernelOptions(false, 512)).DepthwiseFor(V512);
            Assert.Equal(interior, path.InteriorChannelBlocks.ToArray());
            Assert.Equal(border, path.BorderChannelBlocks.ToArray());
        }

        [Theory]
        [InlineData(0, "Checked")] // run-time width: checked per call
        [InlineData(28, "Always")] // 16 to 32 floats: two vectors a row
        [InlineData(40, "Never")]
        public void Nchw_rows_of_one_or_two_vectors_are_copied_without_a_loop(int width, string expected)
        {
            var layer = new LayerConfig(96, 96, 7, 7, Same: true, InputHeight: width == 0 ? 0 : 28, InputWidth: width, ChannelsFirst: true);
            Assert.Equal(expected, KernelPlanner.Plan(Spec(layer), new KernelOptions(false, 512)).DepthwiseFor(V512).ShortRowCopies.ToString());
        }

        [Fact]
        public void Plans_are_values()
        {
            LayerSpec spec = Spec(WideLayers.All[0].Config);
            Assert.Equal(KernelPlanner.Plan(spec, new KernelOptions(false, 512)), KernelPlanner.Plan(spec, new KernelOptions(false, 512)));
            Assert.NotEqual(KernelPlanner.Plan(spec, new KernelOptions(false, 512)), KernelPlanner.Plan(spec, new KernelOptions(false, 256)));
        }

        /// <summary>The generator's model of a test layer, as the attribute parser would build it.</summary>
        internal static LayerSpec Spec(LayerConfig c) => new(
            Namespace: "Samples", ContainingTypes: default, TypeKeyword: "class", ClassName: "Layer", AttributeText: c.ToAttribute(),
            InChannels: c.InChannels, OutChannels: c.OutChannels, DepthMultiplier: c.DepthMultiplier,
            Height: new AxisPlan(c.KernelHeight, c.StrideHeight, c.DilationHeight, c.Same ? PaddingKind.Same : PaddingKind.Valid, c.InputHeight),
            Width: new AxisPlan(c.KernelWidth, c.StrideWidth, c.DilationWidth, c.Same ? PaddingKind.Same : PaddingKind.Valid, c.InputWidth),
            UseBias: c.UseBias, Layout: c.ChannelsFirst ? LayoutKind.ChannelsFirst : LayoutKind.ChannelsLast, Activation: (ActivationKind)(int)c.Activation);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Numerics.Tests
{
    /// <summary>
    /// Random layers drawn per run (seed printed in every failure; set SEPCONVGEN_SEED to replay), compiled in
    /// memory through the generator and compared with the naive float64 reference.
    /// </summary>
    public sealed class RandomLayerSet
    {
        public const int Count = 320;

        public RandomLayerSet()
        {
            Seed = RandomLayers.RunSeed();
            var random = new Random(Seed);
            Cases = Enumerable.Range(0, Count).Select(i => RandomLayers.Next(random, $"Random{i}")).ToArray();
            Factories = LayerCompiler.Compile(Cases.Select(c => (c.Name, c.Config)).ToArray());

            // The same layers bounds-checked and with narrower vectors (or none), so that every kernel path runs on this machine.
            (string, LayerConfig)[] some = Cases.Take(VariantCount).Select(c => (c.Name, c.Config)).ToArray();
            Variants = Isas.ToDictionary(isa => isa, isa => Compile(some, isa));
        }

        /// <summary>How many of the cases also run with each of <see cref="Isas"/>.</summary>
        public const int VariantCount = 100;

        /// <summary>
        /// The variants beside the machine's widest vectors: the same with every access bounds-checked (the DEBUG
        /// build's kernels: a read or write past its span throws there), and the narrower instruction sets.
        /// </summary>
        public static readonly string[] Isas = { Checked, "SEPCONVGEN_VECTOR256", "SEPCONVGEN_VECTOR128", "SEPCONVGEN_SCALAR" };

        public const string Widest = "widest vectors";

        public const string Checked = "bounds-checked";

        /// <summary>The layers compiled for <see cref="Widest"/>, <see cref="Checked"/> or a preprocessor symbol of <see cref="Isas"/>.</summary>
        public static IReadOnlyDictionary<string, Func<ITestLayer>> Compile(IReadOnlyList<(string Name, LayerConfig Config)> layers, string isa) => isa switch
        {
            Widest => LayerCompiler.Compile(layers),
            Checked => LayerCompiler.Compile(layers, checkedMode: true),
            _ => LayerCompiler.Compile(layers, checkedMode: false, isa),
        };

        public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Func<ITestLayer>>> Variants { get; }

        public int Seed { get; }

        public IReadOnlyList<RandomCase> Cases { get; }

        public IReadOnlyDictionary<string, Func<ITestLayer>> Factories { get; }
    }

    /// <summary>
    /// Fixed layers for the paths that random layers reach only now and then: NHWC rows whose interior runs in
    /// channel chunks, last channel vectors that end at InChannels, NCHW rows read straight from the input plane, NCHW
    /// flat tiles, and NCHW filter groups in pairs.
    /// </summary>
    public sealed class WideLayerSet
    {
        /// <summary>The variants each layer runs with: the machine's widest vectors and those of <see cref="RandomLayerSet.Isas"/>.</summary>
        public static readonly string[] Isas = new[] { RandomLayerSet.Widest }.Concat(RandomLayerSet.Isas).ToArray();

        public WideLayerSet()
        {
            Seed = RandomLayers.RunSeed();
            var random = new Random(Seed);
            Cases = new[]
            {
                // Two chunks, the second of 22 channels: strips, edge strips and single pixels, run-time size.
                RandomLayers.Case(random, "Wide0", new LayerConfig(150, 5, 3, 3, Same: true), 2, 7, 9),
                // A multiplier, dilation and a fixed size: three chunks of 5x5 windows.
                RandomLayers.Case(random, "Wide1", new LayerConfig(261, 4, 5, 5, Same: true, DepthMultiplier: 2, DilationWidth: 2, InputHeight: 6, InputWidth: 11), 1, 6, 11),
                // Stride 2: strips without edge strips, border pixels through the vector border pixel.
                RandomLayers.Case(random, "Wide2", new LayerConfig(133, 3, 3, 3, Same: true, StrideHeight: 2, StrideWidth: 2, Activation: Activation.Relu), 1, 9, 10),
                // A 1x16 kernel over 131 channels, VALID.
                RandomLayers.Case(random, "Wide3", new LayerConfig(131, 6, 1, 16, Same: false), 1, 2, 21),
                // Fewer channels than a Vector512 and more than a Vector256: the last vector ends at InChannels on narrow ISAs.
                RandomLayers.Case(random, "Wide4", new LayerConfig(13, 3, 7, 7, Same: true, StrideWidth: 3), 2, 8, 12),

                // NCHW rows of a fixed width of at least a vector, read from the input plane (no padded copy): pairs of
                // rows, an odd last row whose partner is discarded, a multiplier, edge vectors on both sides.
                RandomLayers.Case(random, "Wide5", new LayerConfig(7, 4, 3, 3, Same: true, DepthMultiplier: 2, ChannelsFirst: true, Activation: Activation.Relu, InputHeight: 9, InputWidth: 37), 2, 9, 37),
                // A 1x16 kernel over a long row: 4-vector blocks at the edges and a loop of them inside.
                RandomLayers.Case(random, "Wide6", new LayerConfig(5, 3, 1, 16, Same: true, ChannelsFirst: true, InputHeight: 1, InputWidth: 300), 1, 1, 300),
                // Dilation 2: rows one by one (dilated rows do not pair), a 13x13 window clipped at the top and bottom.
                RandomLayers.Case(random, "Wide7", new LayerConfig(3, 2, 7, 7, Same: true, DilationHeight: 2, DilationWidth: 2, ChannelsFirst: true, InputHeight: 11, InputWidth: 40), 1, 11, 40),
                // A row exactly a Vector512 wide, a 5x3 window, rows strided in height (one by one).
                RandomLayers.Case(random, "Wide8", new LayerConfig(4, 5, 5, 3, Same: true, StrideHeight: 2, ChannelsFirst: true, InputHeight: 12, InputWidth: 16), 2, 12, 16),

                // NCHW flat tiles (rows run on into each other): 19-wide rows in tiles of 5 and 4 rows, two images.
                RandomLayers.Case(random, "Wide9", new LayerConfig(20, 6, 3, 3, Same: true, ChannelsFirst: true, InputHeight: 19, InputWidth: 19), 2, 19, 19),
                // A 2x4 window (more padding after than before), dilated, a multiplier, tiles of 8 and 5 rows.
                RandomLayers.Case(random, "Wide10", new LayerConfig(3, 4, 2, 4, Same: true, DepthMultiplier: 2, DilationHeight: 2, DilationWidth: 2, ChannelsFirst: true, InputHeight: 13, InputWidth: 9), 1, 13, 9),
                // A plane of exactly 16 pixels: every vector reaches outside the plane.
                RandomLayers.Case(random, "Wide11", new LayerConfig(5, 3, 3, 3, Same: true, ChannelsFirst: true, Activation: Activation.Relu, InputHeight: 4, InputWidth: 4), 3, 4, 4),

                // NCHW filter groups in pairs (Vector512, tiles past 48 KB). 64-pixel tiles of 200 channels: a block of 3
                // vectors, then a block of 2 that redoes one; the 48-pixel last tile stays within L1 and runs the groups
                // on their own (3 groups: the odd one on its own in every tile).
                RandomLayers.Case(random, "Wide12", new LayerConfig(200, 12, 3, 3, Same: true, ChannelsFirst: true, InputHeight: 7, InputWidth: 16), 2, 7, 16),
                // Pairs at a run-time size: 140-pixel rows of 200 channels (a multiplier) end in a block of 3 vectors; a
                // partial group, ReLU.
                RandomLayers.Case(random, "Wide13", new LayerConfig(100, 17, 1, 5, Same: true, DepthMultiplier: 2, ChannelsFirst: true, Activation: Activation.Relu), 1, 3, 140),
                // Pairs in every tile (72 pixels, 192 channels), which end in a block of 2 vectors whose last one overlaps
                // the first; the odd third group and a partial one on their own.
                RandomLayers.Case(random, "Wide14", new LayerConfig(96, 13, 3, 1, Same: true, DepthMultiplier: 2, ChannelsFirst: true, InputHeight: 1, InputWidth: 72), 2, 1, 72),
                // Tiles of 64 pixels past L1, but ForwardParallel's one-row tiles of 16 pixels are a single vector: each
                // tile's size decides between pairs and single groups.
                RandomLayers.Case(random, "Wide15", new LayerConfig(200, 8, 3, 3, Same: true, ChannelsFirst: true, InputHeight: 8, InputWidth: 16), 1, 8, 16),
                // NCHW rows in pairs over a padded slab (run-time size): tiles of 4 and 3 rows, so an odd last row pairs with
                // a discarded partner, as every row does in ForwardParallel's one-row tiles; a multiplier.
                RandomLayers.Case(random, "Wide16", new LayerConfig(3, 6, 4, 4, Same: true, DepthMultiplier: 2, ChannelsFirst: true), 2, 7, 20),
            };
            (string, LayerConfig)[] layers = Cases.Select(c => (c.Name, c.Config)).ToArray();
            Factories = Isas.ToDictionary(isa => isa, isa => RandomLayerSet.Compile(layers, isa));
        }

        public const int Count = 17;

        public int Seed { get; }

        public IReadOnlyList<RandomCase> Cases { get; }

        /// <summary>The layers per instruction set of <see cref="Isas"/>.</summary>
        public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Func<ITestLayer>>> Factories { get; }
    }

    public sealed class DifferentialTests : IClassFixture<RandomLayerSet>, IClassFixture<WideLayerSet>
    {
        private readonly RandomLayerSet _set;
        private readonly WideLayerSet _wide;

        public DifferentialTests(RandomLayerSet set, WideLayerSet wide)
        {
            _set = set;
            _wide = wide;
        }

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, RandomLayerSet.Count).Select(i => new object[] { i });

        public static IEnumerable<object[]> VariantIndices() =>
            RandomLayerSet.Isas.SelectMany(isa => Enumerable.Range(0, RandomLayerSet.VariantCount).Select(i => new object[] { isa, i }));

        [Theory]
        [MemberData(nameof(Indices))]
        public void Random_layer_matches_naive_reference(int index) => Check(index, _set.Factories, RandomLayerSet.Widest);

        [Theory]
        [MemberData(nameof(VariantIndices))]
        public void Random_layer_in_other_kernel_variants_matches_naive_reference(string isa, int index) => Check(index, _set.Variants[isa], isa);

        public static IEnumerable<object[]> WideIndices() =>
            WideLayerSet.Isas.SelectMany(isa => Enumerable.Range(0, WideLayerSet.Count).Select(i => new object[] { isa, i }));

        [Theory]
        [MemberData(nameof(WideIndices))]
        public void Wide_layer_matches_naive_reference(string isa, int index) =>
            Check(_wide.Cases[index], _wide.Factories[isa], isa, _wide.Seed);

        private void Check(int index, IReadOnlyDictionary<string, Func<ITestLayer>> factories, string isa) =>
            Check(_set.Cases[index], factories, isa, _set.Seed);

        private static void Check(RandomCase c, IReadOnlyDictionary<string, Func<ITestLayer>> factories, string isa, int seed)
        {
            string context = $"{c} ({isa}) [replay: SEPCONVGEN_SEED={seed}]";
            ITestLayer layer = factories[c.Name]();
            (int outH, int outW) = layer.GetOutputSize(c.InputHeight, c.InputWidth);
            Assert.Equal(NaiveSeparableConv.OutputSize(c.Config, c.InputHeight, c.InputWidth), (outH, outW));
            (double[] expected, double[] magnitude) = NaiveSeparableConv.Run(
                c.Config, c.Input, c.Batch, c.InputHeight, c.InputWidth, c.DepthwiseKernel, c.PointwiseKernel, c.Bias);

            // Keras weights through the five-argument Forward.
            layer.LoadKerasWeights(c.DepthwiseKernel, c.PointwiseKernel, c.Bias);
            float[] output = TensorAssert.NaNFilled(expected.Length);
            layer.Forward(c.Input, output, c.Batch, c.InputHeight, c.InputWidth);
            TensorAssert.Matches(c.Config, c.Batch, outH, outW, output, expected, magnitude, c.Dyadic, context + " (Keras weights)");

            // PyTorch weights into a fresh layer, through the fixed-size Forward where there is one.
            ITestLayer torchLayer = factories[c.Name]();
            torchLayer.LoadPyTorchWeights(
                WeightLayouts.DepthwiseToPyTorch(c.Config, c.DepthwiseKernel), WeightLayouts.PointwiseToPyTorch(c.Config, c.PointwiseKernel), c.Bias);
            output = TensorAssert.NaNFilled(expected.Length);
            if (c.Config.IsFixed)
            {
                torchLayer.ForwardFixed(c.Input, output, c.Batch);
            }
            else
            {
                torchLayer.Forward(c.Input, output, c.Batch, c.InputHeight, c.InputWidth);
            }

            TensorAssert.Matches(c.Config, c.Batch, outH, outW, output, expected, magnitude, c.Dyadic, context + " (PyTorch weights)");

            // One output row per part (the smallest tiles ForwardParallel makes), bit for bit the single-threaded result.
            float[] parallel = TensorAssert.NaNFilled(expected.Length);
            torchLayer.ForwardParallel(c.Input, parallel, c.Batch, c.InputHeight, c.InputWidth, threads: outH);
            Assert.True(parallel.AsSpan().SequenceEqual(output), context + " (ForwardParallel, one row a part)");
        }
    }
}

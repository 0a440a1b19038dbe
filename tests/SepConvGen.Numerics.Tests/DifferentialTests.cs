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
            Cases = WideLayers.All.Select(w => RandomLayers.Case(random, w.Name, w.Config, w.Batch, w.Height, w.Width)).ToArray();
            (string, LayerConfig)[] layers = Cases.Select(c => (c.Name, c.Config)).ToArray();
            Factories = Isas.ToDictionary(isa => isa, isa => RandomLayerSet.Compile(layers, isa));
        }

        public static int Count => WideLayers.All.Count;

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

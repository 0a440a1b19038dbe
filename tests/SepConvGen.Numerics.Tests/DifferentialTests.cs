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

            // The same layers with narrower vectors (or none), so that every kernel path runs on this machine.
            (string, LayerConfig)[] some = Cases.Take(NarrowCount).Select(c => (c.Name, c.Config)).ToArray();
            Narrow = Isas.ToDictionary(isa => isa, isa => LayerCompiler.Compile(some, checkedMode: false, isa));
        }

        /// <summary>How many of the cases also run with each narrower instruction set.</summary>
        public const int NarrowCount = 100;

        public static readonly string[] Isas = { "SEPCONVGEN_VECTOR256", "SEPCONVGEN_VECTOR128", "SEPCONVGEN_SCALAR" };

        public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Func<ITestLayer>>> Narrow { get; }

        public int Seed { get; }

        public IReadOnlyList<RandomCase> Cases { get; }

        public IReadOnlyDictionary<string, Func<ITestLayer>> Factories { get; }
    }

    public sealed class DifferentialTests : IClassFixture<RandomLayerSet>
    {
        private readonly RandomLayerSet _set;

        public DifferentialTests(RandomLayerSet set) => _set = set;

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, RandomLayerSet.Count).Select(i => new object[] { i });

        public static IEnumerable<object[]> NarrowIndices() =>
            RandomLayerSet.Isas.SelectMany(isa => Enumerable.Range(0, RandomLayerSet.NarrowCount).Select(i => new object[] { isa, i }));

        [Theory]
        [MemberData(nameof(Indices))]
        public void Random_layer_matches_naive_reference(int index) => Check(index, _set.Factories, "widest vectors");

        [Theory]
        [MemberData(nameof(NarrowIndices))]
        public void Random_layer_with_narrower_vectors_matches_naive_reference(string isa, int index) => Check(index, _set.Narrow[isa], isa);

        private void Check(int index, IReadOnlyDictionary<string, Func<ITestLayer>> factories, string isa)
        {
            RandomCase c = _set.Cases[index];
            string context = $"{c} ({isa}) [replay: SEPCONVGEN_SEED={_set.Seed}]";
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
        }
    }
}

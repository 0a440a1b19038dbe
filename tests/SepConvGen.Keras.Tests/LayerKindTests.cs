using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using SepConvGen.Keras.Model;
using SepConvGen.Keras.Tests.Reference;
using SepConvGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// Every generated layer kind beside SeparableConv2D ([Conv2D], [DepthwiseConv2D], the poolings, [Dense]) on random
    /// configurations, both data formats, against the float64 reference written from Keras' semantics. New
    /// configurations each run; a failure prints the seed to repeat it (SEPCONVGEN_SEED).
    /// </summary>
    public sealed class LayerKindTests
    {
        private readonly ITestOutputHelper _output;

        public LayerKindTests(ITestOutputHelper output) => _output = output;

        private sealed record Case(string Attribute, Operation Operation, int[] InputShape, int[] OutputShape, int Batch, bool Weights, float[] Kernel, float[]? Bias);

        [Fact]
        public void Random_layers_of_every_kind_match_the_float64_reference()
        {
            int seed = RandomLayers.RunSeed();
            _output.WriteLine($"SEPCONVGEN_SEED={seed}");
            var random = new Random(seed);
            var cases = new List<Case>();
            for (int i = 0; i < 12; i++)
            {
                cases.Add(Convolution(random, depthwise: false));
                cases.Add(Convolution(random, depthwise: true));
                cases.Add(Pooling(random, max: i % 2 == 0));
                cases.Add(GlobalPooling(random, max: i % 2 == 1));
                cases.Add(Dense(random));
                if (i % 3 == 0)
                {
                    cases.Add(Convolution(random, depthwise: false, blockFilters: i % 2 == 0 ? EightFilters : WideFilters));
                }

                if (i % 3 == 1)
                {
                    cases.Add(Pooling(random, max: i % 2 == 1, wide: true));
                }
            }

            MethodInfo[] runners = Compile(cases);
            for (int i = 0; i < cases.Count; i++)
            {
                Case c = cases[i];
                int inputLength = c.InputShape.Aggregate(1, (a, d) => a * d), outputLength = c.OutputShape.Aggregate(1, (a, d) => a * d);
                float[] input = Values(random, c.Batch * inputLength);
                float[] actual = (float[])runners[i].Invoke(null, new object?[] { input, c.Kernel, c.Bias, c.Batch })!;
                Assert.Equal(c.Batch * outputLength, actual.Length);
                for (int n = 0; n < c.Batch; n++)
                {
                    var x = new Tensor(input.Skip(n * inputLength).Take(inputLength).Select(v => (double)v).ToArray(), c.InputShape);
                    double[] expected = Reference(c, x).Values;
                    double tolerance = 1e-5 * (1 + expected.Max(Math.Abs));
                    for (int k = 0; k < outputLength; k++)
                    {
                        Assert.True(Math.Abs(actual[n * outputLength + k] - expected[k]) <= tolerance,
                            $"SEPCONVGEN_SEED={seed} {c.Attribute} item {n} value {k}: {actual[n * outputLength + k]} instead of {expected[k]}");
                    }
                }
            }
        }

        private static Tensor Reference(Case c, Tensor x) => c.Operation switch
        {
            ConvolutionOperation op => ReferenceModel.Convolution(op, x, Weights(c), c.OutputShape),
            PoolingOperation op => ReferenceModel.Pooling(op, x, c.OutputShape),
            GlobalPoolingOperation op => ReferenceModel.GlobalPooling(op, x, c.OutputShape),
            DenseOperation op => ReferenceModel.Dense(op, x, Weights(c)),
            _ => throw new ArgumentException(c.Operation.ToString()),
        };

        private static IReadOnlyList<(float[], int[])> Weights(Case c) =>
            c.Bias is null ? new[] { (c.Kernel, Array.Empty<int>()) } : new[] { (c.Kernel, Array.Empty<int>()), (c.Bias, Array.Empty<int>()) };

        /// <summary>Filter counts of the NHWC eight-pixel blocks with one vector of filters (on AVX-512 with 256-bit <c>Vector&lt;T&gt;</c>, two window values per multiply-add).</summary>
        private static readonly int[] EightFilters = { 1, 2, 3, 4, 5, 6, 7, 8 };

        /// <summary>Filter counts that fill whole 512-bit vectors, or nearly: one, two and three of them (the NHWC blocks on AVX-512).</summary>
        private static readonly int[] WideFilters = { 14, 15, 16, 30, 31, 32, 46, 47, 48 };

        /// <param name="blockFilters">Channels last, rows of sixteen output pixels or more and one of these filter counts (NHWC pixel blocks).</param>
        private static Case Convolution(Random random, bool depthwise, int[]? blockFilters = null)
        {
            bool blocks = blockFilters is not null;
            int channels = random.Next(1, 10), filters = blocks ? blockFilters![random.Next(blockFilters.Length)] : random.Next(1, 20), multiplier = random.Next(1, 4);
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            bool dilated = random.Next(3) == 0;
            int sh = dilated ? 1 : random.Next(1, 4), sw = dilated ? 1 : random.Next(1, 4);
            int dh = dilated ? random.Next(1, 4) : 1, dw = dilated ? random.Next(1, 4) : 1;
            bool same = random.Next(2) == 0, first = !blocks && random.Next(2) == 0, bias = random.Next(4) > 0;
            (int h, int w) = Size(random, (kh - 1) * dh + 1, (kw - 1) * dw + 1);
            w += blocks ? 16 * sw : 0;
            string activation = new[] { "linear", "relu", "relu6", "elu", "sigmoid", "tanh", "swish" }[random.Next(7)];
            int outChannels = depthwise ? channels * multiplier : filters;
            var op = new ConvolutionOperation(depthwise ? "DepthwiseConv2D" : "Conv2D", depthwise ? 0 : filters, kh, kw, sh, sw, dh, dw, same, first,
                depthwise ? multiplier : 1, bias, ActivationFunction.Named[activation]);
            string head = depthwise
                ? Invariant($"DepthwiseConv2D({channels}, {kh}, {kw}, {Padding(same)}, DepthMultiplier = {multiplier}")
                : Invariant($"Conv2D({channels}, {filters}, {kh}, {kw}, {Padding(same)}");
            string attribute = head + Invariant($", StrideHeight = {sh}, StrideWidth = {sw}, DilationHeight = {dh}, DilationWidth = {dw}, UseBias = {(bias ? "true" : "false")}") +
                               $", Activation = Activation.{char.ToUpperInvariant(activation[0])}{activation.Substring(1)}" + Tail(first, h, w);
            int oh = KerasModel.Extent(h, kh, sh, dh, same), ow = KerasModel.Extent(w, kw, sw, dw, same);
            return new Case(attribute, op, Image(first, channels, h, w), Image(first, outChannels, oh, ow), random.Next(1, 3), true,
                Values(random, kh * kw * channels * (depthwise ? multiplier : filters)), bias ? Values(random, outChannels) : null);
        }

        /// <param name="wide">Channels last and a multiple of 16: whole 512-bit vectors (AVX-512) or pairs of vectors of channels.</param>
        private static Case Pooling(Random random, bool max, bool wide = false)
        {
            // Half of them with whole pairs of vectors of channels (16 to 64), which NHWC pools two vectors at a time.
            int channels = !wide && random.Next(2) == 0 ? random.Next(1, 20) : 16 * random.Next(1, 5), ph = random.Next(1, 5), pw = random.Next(1, 5);
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            bool same = random.Next(2) == 0, first = !wide && random.Next(2) == 0;
            (int h, int w) = Size(random, ph, pw);
            var op = new PoolingOperation(max, ph, pw, sh, sw, same, first);
            string attribute = Invariant($"{(max ? "MaxPooling2D" : "AveragePooling2D")}({channels}, {ph}, {pw}, {Padding(same)}, StrideHeight = {sh}, StrideWidth = {sw}") + Tail(first, h, w);
            int oh = KerasModel.Extent(h, ph, sh, 1, same), ow = KerasModel.Extent(w, pw, sw, 1, same);
            return new Case(attribute, op, Image(first, channels, h, w), Image(first, channels, oh, ow), random.Next(1, 3), false, Array.Empty<float>(), null);
        }

        private static Case GlobalPooling(Random random, bool max)
        {
            int channels = random.Next(1, 40);
            bool first = random.Next(2) == 0;
            (int h, int w) = Size(random, 1, 1);
            string attribute = Invariant($"{(max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D")}({channels}") + Tail(first, h, w);
            return new Case(attribute, new GlobalPoolingOperation(max, first, KeepDims: false), Image(first, channels, h, w), new[] { channels }, random.Next(1, 3), false, Array.Empty<float>(), null);
        }

        private static Case Dense(Random random)
        {
            int inputs = random.Next(1, 70), units = random.Next(1, 20);
            bool bias = random.Next(4) > 0;
            string activation = new[] { "linear", "relu", "relu6", "elu", "sigmoid", "tanh", "swish" }[random.Next(7)];
            var op = new DenseOperation(units, bias, ActivationFunction.Named[activation]);
            string attribute = Invariant($"Dense({inputs}, {units}, UseBias = {(bias ? "true" : "false")}, Activation = Activation.{char.ToUpperInvariant(activation[0])}{activation.Substring(1)})");
            return new Case(attribute, op, new[] { inputs }, new[] { units }, random.Next(1, 4), true, Values(random, inputs * units), bias ? Values(random, units) : null);
        }

        /// <summary>An input at least the window, often wider than a vector (the NCHW row kernels) and often not.</summary>
        private static (int, int) Size(Random random, int windowHeight, int windowWidth) =>
            (windowHeight + random.Next(0, 12), windowWidth + random.Next(0, random.Next(2) == 0 ? 6 : 30));

        private static int[] Image(bool channelsFirst, int channels, int height, int width) =>
            channelsFirst ? new[] { channels, height, width } : new[] { height, width, channels };

        private static string Tail(bool channelsFirst, int h, int w) =>
            (channelsFirst ? ", DataFormat = DataFormat.ChannelsFirst" : string.Empty) + Invariant($", InputHeight = {h}, InputWidth = {w})");

        private static string Padding(bool same) => same ? "Padding.Same" : "Padding.Valid";

        private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        /// <summary>One compilation for every case: class L{i} with the attribute, and Runner.R{i}(input, kernel, bias, batch).</summary>
        private static MethodInfo[] Compile(IReadOnlyList<Case> cases)
        {
            var source = new StringBuilder("using SepConvGen;\n");
            var runner = new StringBuilder("public static class Runner\n{\n");
            for (int i = 0; i < cases.Count; i++)
            {
                Case c = cases[i];
                source.Append(CultureInfo.InvariantCulture, $"[{c.Attribute}] public partial class L{i} {{ }}\n");
                string load = !c.Weights ? string.Empty : c.Bias is null ? "layer.LoadKerasWeights(kernel); " : "layer.LoadKerasWeights(kernel, bias); ";
                int outputLength = c.OutputShape.Aggregate(1, (a, d) => a * d);
                runner.Append(CultureInfo.InvariantCulture,
                    $"    public static float[] R{i}(float[] input, float[] kernel, float[] bias, int batch) {{ var layer = new L{i}(); {load}var output = new float[batch * {outputLength}]; layer.Forward(input, output, batch); return output; }}\n");
            }

            runner.Append("}\n");
            Type type = RunnerCompiler.Compile(source.ToString(), runner.ToString());
            return Enumerable.Range(0, cases.Count).Select(i => type.GetMethod($"R{i}")!).ToArray();
        }
    }
}

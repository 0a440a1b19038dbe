using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Numerics.Tests
{
    /// <summary>
    /// A layer is created once and called from many threads: it must give the same bits under concurrency,
    /// never touch memory outside the caller's spans, reject sizes it cannot address, and allocate nothing.
    /// </summary>
    public sealed class ReliabilityTests : IClassFixture<GoldenLayers>, IClassFixture<ReliabilityTests.Layers>
    {
        /// <summary>A NaN whose payload no computation produces, to tell untouched memory from written memory.</summary>
        private static readonly float Sentinel = BitConverter.Int32BitsToSingle(0x7FC0_1234);

        private static readonly float[] GuardPattern = { Sentinel, float.PositiveInfinity, -0f, 1e30f, float.NegativeInfinity, float.Epsilon, -1e-30f, Sentinel };

        private readonly GoldenLayers _golden;
        private readonly Layers _layers;

        public ReliabilityTests(GoldenLayers golden, Layers layers)
        {
            _golden = golden;
            _layers = layers;
        }

        /// <summary>Layers for the tests below, fast and checked.</summary>
        public sealed class Layers
        {
            public static readonly LayerConfig Nhwc = new(5, 7, 3, 3, Same: true, DepthMultiplier: 2, Activation: Activation.Relu6);
            public static readonly LayerConfig Nchw = new(4, 6, 1, 16, Same: true, UseBias: false, ChannelsFirst: true);
            public static readonly LayerConfig Strided = new(3, 5, 4, 4, Same: true, StrideHeight: 2, StrideWidth: 2, ChannelsFirst: true);

            private static readonly (string, LayerConfig)[] All = { ("Nhwc", Nhwc), ("Nchw", Nchw), ("Strided", Strided) };

            private readonly IReadOnlyDictionary<string, Func<ITestLayer>> _fast = LayerCompiler.Compile(All);
            private readonly IReadOnlyDictionary<string, Func<ITestLayer>> _checked = LayerCompiler.Compile(All, checkedMode: true);

            public ITestLayer Create(string name, bool checkedMode = false, int seed = 1)
            {
                ITestLayer layer = (checkedMode ? _checked : _fast)[name]();
                LayerConfig c = layer.Config;
                var random = new Random(seed);
                layer.LoadKerasWeights(Values(random, c.DepthwiseKernelLength), Values(random, c.PointwiseKernelLength),
                    c.UseBias ? Values(random, c.OutChannels) : null);
                return layer;
            }
        }

        private static float[] Values(Random random, int length) =>
            Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        private static int InputLength(LayerConfig c, int batch, int h, int w) => batch * c.InChannels * h * w;

        private static int OutputLength(ITestLayer layer, int batch, int h, int w)
        {
            (int outH, int outW) = layer.GetOutputSize(h, w);
            return batch * layer.Config.OutChannels * outH * outW;
        }

        [Theory]
        [InlineData("Nhwc")]
        [InlineData("Nchw")]
        [InlineData("Strided")]
        public void Eight_threads_calling_one_instance_get_the_single_threaded_bits(string name)
        {
            ITestLayer layer = _layers.Create(name);
            const int threads = 8, calls = 500, inputs = 16;
            var random = new Random(7);
            var cases = Enumerable.Range(0, inputs).Select(i =>
            {
                int batch = 1 + (i % 3), h = 3 + (i % 5), w = 4 + (i % 7);
                float[] input = Values(random, InputLength(layer.Config, batch, h, w));
                float[] expected = new float[OutputLength(layer, batch, h, w)];
                layer.Forward(input, expected, batch, h, w);
                return (batch, h, w, input, expected);
            }).ToArray();

            int mismatches = 0;
            using var start = new Barrier(threads);
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                start.SignalAndWait();
                for (int call = 0; call < calls; call++)
                {
                    var (batch, h, w, input, expected) = cases[(call * 7 + t) % inputs];
                    float[] output = new float[expected.Length];
                    layer.Forward(input, output, batch, h, w);
                    if (!output.AsSpan().SequenceEqual(expected))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            });
            Assert.Equal(0, mismatches);
        }

        [Theory]
        [InlineData("Nhwc", false)]
        [InlineData("Nchw", true)]
        [InlineData("Strided", false)]
        public void Forward_on_several_threads_gives_the_single_threaded_bits(string name, bool checkedMode)
        {
            ITestLayer layer = _layers.Create(name, checkedMode);
            var random = new Random(31);
            foreach ((int batch, int h, int w) in new[] { (1, 1, 1), (1, 40, 9), (3, 17, 23), (5, 2, 64) })
            {
                float[] input = Values(random, InputLength(layer.Config, batch, h, w));
                float[] expected = new float[OutputLength(layer, batch, h, w)];
                layer.Forward(input, expected, batch, h, w);
                foreach (int threads in new[] { 1, 2, 4 })
                {
                    float[] output = TensorAssert.NaNFilled(expected.Length);
                    layer.ForwardParallel(input, output, batch, h, w, threads);
                    Assert.True(output.AsSpan().SequenceEqual(expected), $"{name} {batch}x{h}x{w} on {threads} threads");
                }
            }

            Assert.Throws<ArgumentOutOfRangeException>(() => layer.ForwardParallel(new float[1], new float[1], 1, 1, 1, threads: 0));
            Assert.Throws<ArgumentException>(() => layer.ForwardParallel(new float[1], new float[1], 1, 5, 5, threads: 2));
        }

        public static IEnumerable<object[]> GoldenNames() => GoldenTests.Cases();

        [Theory]
        [MemberData(nameof(GoldenNames))]
        public void Golden_case_between_guard_regions_leaves_them_untouched_and_fills_the_output(string name)
        {
            GoldenCase c = GoldenCases.SeparableConv2D().Single(g => g.Name == name);
            foreach (bool checkedMode in new[] { false, true })
            {
                ITestLayer layer = _golden.Dynamic(c, checkedMode);
                layer.LoadKerasWeights(c.DepthwiseKernel, c.PointwiseKernel, c.Bias);
                float[] output = RunBetweenGuards(layer, c.Input, c.Output.Length, c.Batch, c.InputHeight, c.InputWidth, $"{name} (checked: {checkedMode})");
                (int outH, int outW) = layer.GetOutputSize(c.InputHeight, c.InputWidth);
                double[] magnitude = NaiveSeparableConv.Run(c.Config, c.Input, c.Batch, c.InputHeight, c.InputWidth, c.DepthwiseKernel, c.PointwiseKernel, c.Bias).Magnitude;
                TensorAssert.Matches(c.Config, c.Batch, outH, outW, output, c.Output, magnitude, c.Exact, $"{name} between guards (checked: {checkedMode})");
            }
        }

        [Fact]
        public void Random_run_time_sizes_between_guard_regions_match_the_reference()
        {
            var random = new Random(11);
            foreach (string name in new[] { "Nhwc", "Nchw", "Strided" })
            {
                foreach (bool checkedMode in new[] { false, true })
                {
                    ITestLayer layer = _layers.Create(name, checkedMode);
                    for (int i = 0; i < 40; i++)
                    {
                        int batch = random.Next(1, 4), h = random.Next(1, 20), w = random.Next(1, 40);
                        float[] input = Values(random, InputLength(layer.Config, batch, h, w));
                        float[] output = RunBetweenGuards(layer, input, OutputLength(layer, batch, h, w), batch, h, w, $"{name} {h}x{w} batch {batch}");
                        CheckAgainstReference(layer, _layers.Create(name), input, output, batch, h, w);
                    }
                }
            }
        }

        /// <summary>Runs Forward on slices of buffers whose guard regions hold sentinels; checks the guards and that every output was written.</summary>
        private static float[] RunBetweenGuards(ITestLayer layer, float[] input, int outputLength, int batch, int h, int w, string context)
        {
            const int guard = 37;
            float[] inputBuffer = Guarded(input.Length, guard);
            Array.Copy(input, 0, inputBuffer, guard, input.Length);
            float[] outputBuffer = Guarded(outputLength, guard);
            Array.Fill(outputBuffer, Sentinel, guard, outputLength);

            layer.ForwardSlices(new ArraySegment<float>(inputBuffer, guard, input.Length), new ArraySegment<float>(outputBuffer, guard, outputLength), batch, h, w);

            AssertGuards(inputBuffer, guard, input.Length, context + " input");
            AssertGuards(outputBuffer, guard, outputLength, context + " output");
            float[] output = outputBuffer.AsSpan(guard, outputLength).ToArray();
            int unwritten = Array.FindIndex(output, v => BitConverter.SingleToInt32Bits(v) == BitConverter.SingleToInt32Bits(Sentinel));
            Assert.True(unwritten < 0, $"{context}: output {unwritten} was never written");
            return output;
        }

        private static float[] Guarded(int length, int guard)
        {
            var buffer = new float[length + (2 * guard)];
            for (int i = 0; i < guard; i++)
            {
                buffer[i] = GuardPattern[i % GuardPattern.Length];
                buffer[buffer.Length - 1 - i] = GuardPattern[i % GuardPattern.Length];
            }

            return buffer;
        }

        private static void AssertGuards(float[] buffer, int guard, int length, string context)
        {
            for (int i = 0; i < guard; i++)
            {
                int expected = BitConverter.SingleToInt32Bits(GuardPattern[i % GuardPattern.Length]);
                Assert.True(BitConverter.SingleToInt32Bits(buffer[i]) == expected, $"{context}: guard before the span changed at {i - guard}");
                Assert.True(BitConverter.SingleToInt32Bits(buffer[buffer.Length - 1 - i]) == expected, $"{context}: guard after the span changed at {length + guard - 1 - i}");
            }
        }

        private static void CheckAgainstReference(ITestLayer layer, ITestLayer sameWeights, float[] input, float[] output, int batch, int h, int w)
        {
            // The reference needs the weights: recover them by loading the same seed into the reference run.
            var random = new Random(1);
            LayerConfig c = layer.Config;
            float[] dw = Values(random, c.DepthwiseKernelLength), pw = Values(random, c.PointwiseKernelLength);
            float[]? bias = c.UseBias ? Values(random, c.OutChannels) : null;
            (double[] expected, double[] magnitude) = NaiveSeparableConv.Run(c, input, batch, h, w, dw, pw, bias);
            (int outH, int outW) = sameWeights.GetOutputSize(h, w);
            TensorAssert.Matches(c, batch, outH, outW, output, expected, magnitude, exact: false, $"{c} on {batch}x{h}x{w}");
        }

        [Fact]
        public void Sizes_whose_lengths_overflow_are_rejected_before_anything_is_touched()
        {
            ITestLayer layer = _layers.Create("Nhwc");
            float[] output = Guarded(16, 0);
            Array.Fill(output, Sentinel);
            Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(new float[16], output, 100_000, 4096, 4096));
            Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(new float[16], output, 1, int.MaxValue, 2));
            Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(new float[16], output, int.MaxValue, 1, 1));
            Assert.All(output, v => Assert.Equal(BitConverter.SingleToInt32Bits(Sentinel), BitConverter.SingleToInt32Bits(v)));
        }

        [Theory]
        [InlineData(1, 1, 1)]       // 1x1 input: every tap but the centre is padding
        [InlineData(1, 2, 3)]       // kernel larger than the input under Same
        [InlineData(1, 9, 1)]       // width 1
        [InlineData(1, 1, 33)]      // height 1
        [InlineData(1000, 2, 3)]    // batch 1000
        public void Edge_sizes_match_the_reference(int batch, int h, int w)
        {
            var random = new Random(h * 100 + w);
            foreach (string name in new[] { "Nhwc", "Nchw", "Strided" })
            {
                ITestLayer layer = _layers.Create(name, checkedMode: batch < 1000);
                float[] input = Values(random, InputLength(layer.Config, batch, h, w));
                float[] output = TensorAssert.NaNFilled(OutputLength(layer, batch, h, w));
                layer.Forward(input, output, batch, h, w);
                CheckAgainstReference(layer, layer, input, output, batch, h, w);
            }
        }

        [Fact]
        public void NaN_infinities_and_denormals_propagate_as_in_the_reference()
        {
            var random = new Random(5);
            float[] specials = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-40f, -1e-42f, float.Epsilon };
            foreach (string name in new[] { "Nhwc", "Nchw", "Strided" })
            {
                foreach (bool checkedMode in new[] { false, true })
                {
                    ITestLayer layer = _layers.Create(name, checkedMode);
                    const int batch = 2, h = 7, w = 19;
                    float[] input = Values(random, InputLength(layer.Config, batch, h, w));
                    for (int i = 0; i < input.Length; i += 23)
                    {
                        input[i] = specials[(i / 23) % specials.Length];
                    }

                    float[] output = new float[OutputLength(layer, batch, h, w)];
                    layer.Forward(input, output, batch, h, w);
                    CheckAgainstReference(layer, layer, input, output, batch, h, w);
                }
            }
        }

        [Fact]
        public void Loading_weights_twice_replaces_them_completely()
        {
            ITestLayer reloaded = _layers.Create("Strided", seed: 1);
            var random = new Random(99);
            LayerConfig c = reloaded.Config;
            float[] dw = Values(random, c.DepthwiseKernelLength), pw = Values(random, c.PointwiseKernelLength), bias = Values(random, c.OutChannels);
            reloaded.LoadPyTorchWeights(WeightLayouts.DepthwiseToPyTorch(c, dw), WeightLayouts.PointwiseToPyTorch(c, pw), bias);
            reloaded.LoadKerasWeights(dw, pw, bias);

            ITestLayer fresh = _layers.Create("Strided", seed: 1);
            fresh.LoadKerasWeights(dw, pw, bias);
            float[] input = Values(random, InputLength(c, 2, 9, 10));
            float[] first = new float[OutputLength(fresh, 2, 9, 10)], second = new float[first.Length];
            reloaded.Forward(input, first, 2, 9, 10);
            fresh.Forward(input, second, 2, 9, 10);
            Assert.Equal(second, first);
        }

        [Fact]
        public void Weights_may_come_from_spans_that_alias_each_other()
        {
            ITestLayer aliased = _layers.Create("Nhwc");
            LayerConfig c = aliased.Config;
            // One buffer: the pointwise kernel overlaps the end of the depthwise kernel, the bias overlaps both.
            float[] shared = Values(new Random(3), c.DepthwiseKernelLength + c.PointwiseKernelLength);
            var dw = new ArraySegment<float>(shared, 0, c.DepthwiseKernelLength);
            var pw = new ArraySegment<float>(shared, c.DepthwiseKernelLength - 10, c.PointwiseKernelLength);
            var bias = new ArraySegment<float>(shared, c.DepthwiseKernelLength - 3, c.OutChannels);
            aliased.LoadKerasWeights(dw.ToArray(), pw.ToArray(), bias.ToArray());

            ITestLayer viaSpans = _layers.Create("Nhwc");
            viaSpans.LoadKerasWeights(shared.AsSpan(0, c.DepthwiseKernelLength).ToArray(), shared.AsSpan(c.DepthwiseKernelLength - 10, c.PointwiseKernelLength).ToArray(), shared.AsSpan(c.DepthwiseKernelLength - 3, c.OutChannels).ToArray());
            float[] input = Values(new Random(4), InputLength(c, 1, 6, 6));
            float[] first = new float[OutputLength(aliased, 1, 6, 6)], second = new float[first.Length];
            aliased.Forward(input, first, 1, 6, 6);
            viaSpans.Forward(input, second, 1, 6, 6);
            Assert.Equal(second, first);
            Assert.DoesNotContain(first, float.IsNaN);
        }

        [Fact]
        public void Soak_of_20000_calls_with_changing_sizes_stays_correct_and_allocates_nothing()
        {
            ITestLayer layer = _layers.Create("Nhwc");
            var random = new Random(21);
            var shapes = Enumerable.Range(0, 12).Select(i =>
            {
                int batch = 1 + (i % 3), h = 1 + random.Next(12), w = 1 + random.Next(24);
                return (batch, h, w, input: Values(random, InputLength(layer.Config, batch, h, w)), output: new float[OutputLength(layer, batch, h, w)]);
            }).ToArray();

            // Warm up for a second, the reference check included: every size grows the thread's scratch once, and
            // every method this loop runs gets the JIT's optimized code (tiering starts after 100 ms without new
            // methods; its start-up allocates on whichever thread calls) before allocations are counted.
            var warmUp = Stopwatch.StartNew();
            for (int call = 0; warmUp.Elapsed < TimeSpan.FromSeconds(1); call++)
            {
                var (batch, h, w, input, output) = shapes[call % shapes.Length];
                layer.Forward(input, output, batch, h, w);
                if (call < shapes.Length)
                {
                    CheckAgainstReference(layer, layer, input, output, batch, h, w);
                }
            }

            // 20,000 calls that allocate nothing. Rarely (about one run in ten, with the other test classes running
            // beside it) one call of a run allocated once, 4-5 KB, never again; a second pass of 20,000 calls then
            // shows whether anything allocates per call. A layer that allocated per call would fail both passes.
            var clock = Stopwatch.StartNew();
            var allocating = new System.Text.StringBuilder();
            for (int pass = 1; pass <= 2; pass++)
            {
                int allocatingCalls = 0;
                for (int call = 0; call < 20_000; call++)
                {
                    var (batch, h, w, input, output) = shapes[call % shapes.Length];
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    layer.Forward(input, output, batch, h, w);
                    long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (bytes != 0)
                    {
                        allocatingCalls++;
                        allocating.Append($"pass {pass}, call {call} ({batch}x{h}x{w}): {bytes} B; ");
                    }

                    if (call % 1000 == 999)
                    {
                        CheckAgainstReference(layer, layer, input, output, batch, h, w);
                    }

                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the soak test is bounded to 30 s");
                }

                if (allocatingCalls == 0)
                {
                    return;
                }

                Assert.True(allocatingCalls == 1, allocating.ToString());
            }

            Assert.Fail("Forward allocated in both passes: " + allocating);
        }
    }
}

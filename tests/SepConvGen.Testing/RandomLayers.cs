using System;
using System.Globalization;

namespace SepConvGen.Testing
{
    /// <summary>A random layer, input and weights: one case of a differential test, replayable from its seed.</summary>
    public sealed record RandomCase(string Name, LayerConfig Config, int Batch, int InputHeight, int InputWidth, bool Dyadic,
                                    float[] Input, float[] DepthwiseKernel, float[] PointwiseKernel, float[]? Bias)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {Config} on batch {Batch} x {InputHeight} x {InputWidth}{(Dyadic ? " (dyadic values)" : string.Empty)}");
    }

    /// <summary>Draws random configurations across every attribute argument.</summary>
    public static class RandomLayers
    {
        /// <summary>This run's seed: SEPCONVGEN_SEED where set (to replay a failure), else a fresh one.</summary>
        public static int RunSeed()
        {
            string? fixedSeed = Environment.GetEnvironmentVariable("SEPCONVGEN_SEED");
            return fixedSeed is null ? Random.Shared.Next() : int.Parse(fixedSeed, CultureInfo.InvariantCulture);
        }

        public static RandomCase Next(Random random, string name)
        {
            int kh = Kernel(random);
            int kw = Kernel(random);
            if (random.Next(12) == 0)
            {
                (kh, kw) = (9, 9); // more than 64 taps: the compact tap loop
            }

            int sh = 1, sw = 1, dh = 1, dw = 1;
            switch (random.Next(3))
            {
                case 0:
                    // Up to 5: past the largest stride whose NCHW rows are split into phases (4).
                    sh = random.Next(1, 6);
                    sw = random.Next(1, 6);
                    break;
                case 1:
                    dh = random.Next(1, 4);
                    dw = random.Next(1, 4);
                    break;
            }

            bool same = random.Next(2) == 0;
            var config = new LayerConfig(
                // Now and then over 96 depthwise channels: the NCHW pointwise step then runs in channel chunks, and over
                // 128 input channels the NHWC depthwise interior does.
                InChannels: random.Next(8) == 0 ? (random.Next(4) == 0 ? random.Next(90, 200) : random.Next(9, 24)) : random.Next(1, 7),
                OutChannels: random.Next(1, 10),
                KernelHeight: kh,
                KernelWidth: kw,
                Same: same,
                DepthMultiplier: random.Next(1, 4),
                StrideHeight: sh,
                StrideWidth: sw,
                DilationHeight: dh,
                DilationWidth: dw,
                UseBias: random.Next(2) == 0,
                ChannelsFirst: random.Next(2) == 0,
                // A quarter of the layers take an activation applied to each tile's output (ELU, sigmoid, tanh, swish).
                Activation: random.Next(4) == 0 ? (Activation)random.Next(3, 7) : (Activation)random.Next(3));
            int height = same ? random.Next(1, 15) : config.EffectiveKernelHeight + random.Next(0, 9);
            int width = same ? random.Next(1, 15) : config.EffectiveKernelWidth + random.Next(0, 9);
            if (random.Next(16) == 0)
            {
                // Now and then long rows of many channels and filters: NCHW tiles past L1, whose pointwise step runs
                // two groups of filters at a time.
                config = config with { InChannels = random.Next(32, 49), DepthMultiplier = 1, OutChannels = random.Next(8, 20) };
                height = same ? random.Next(1, 3) : config.EffectiveKernelHeight + random.Next(0, 2);
                width = random.Next(400, 520);
            }

            if (random.Next(3) == 0)
            {
                config = config.WithFixedInput(height, width);
            }

            return Case(random, name, config, random.Next(1, 4), height, width);
        }

        /// <summary>A case of a given layer and input size: random input and weights (dyadic half the time).</summary>
        public static RandomCase Case(Random random, string name, LayerConfig config, int batch, int height, int width)
        {
            bool dyadic = random.Next(2) == 0;
            float[] Values(int length)
            {
                var values = new float[length];
                for (int i = 0; i < length; i++)
                {
                    // Multiples of 1/8 in [-1, 1]: every product and sum is exact in float32, so results must be bit-exact.
                    values[i] = dyadic ? random.Next(-8, 9) / 8f : (float)((random.NextDouble() * 2) - 1);
                }

                return values;
            }

            return new RandomCase(name, config, batch, height, width, dyadic,
                Values(batch * config.InChannels * height * width),
                Values(config.DepthwiseKernelLength),
                Values(config.PointwiseKernelLength),
                config.UseBias ? Values(config.OutChannels) : null);
        }

        private static int Kernel(Random random) => random.Next(10) switch
        {
            0 => 16,
            < 4 => 1 + random.Next(2),
            _ => 1 + random.Next(7),
        };
    }
}

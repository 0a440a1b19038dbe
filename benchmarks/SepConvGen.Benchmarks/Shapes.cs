using System;
using System.Linq;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    // The benchmark shapes of docs/benchmarks.md, each generated for both layouts, with the size chosen per call (R);
    // the fixed-size ones (F) are in FixedLayers.cs, which the start-up program compiles too.
#pragma warning disable SA1649, SA1402 // one small declaration per layer, kept together
    [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false)] public partial class S0NhwcR { }
    [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)] public partial class S0NchwR { }
    [SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false)] public partial class S1NhwcR { }
    [SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)] public partial class S1NchwR { }
    [SeparableConv(64, 128, 3, 3, Padding.Same)] public partial class S2NhwcR { }
    [SeparableConv(64, 128, 3, 3, Padding.Same, DataFormat = DataFormat.ChannelsFirst)] public partial class S2NchwR { }
    [SeparableConv(728, 728, 3, 3, Padding.Same)] public partial class S3NhwcR { }
    [SeparableConv(728, 728, 3, 3, Padding.Same, DataFormat = DataFormat.ChannelsFirst)] public partial class S3NchwR { }
    [SeparableConv(96, 96, 7, 7, Padding.Same)] public partial class S4NhwcR { }
    [SeparableConv(96, 96, 7, 7, Padding.Same, DataFormat = DataFormat.ChannelsFirst)] public partial class S4NchwR { }
    [SeparableConv(32, 64, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, DepthMultiplier = 2)] public partial class S5NhwcR { }
    [SeparableConv(32, 64, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, DepthMultiplier = 2, DataFormat = DataFormat.ChannelsFirst)] public partial class S5NchwR { }
#pragma warning restore SA1649, SA1402

    /// <summary>One benchmark shape: its configuration, input size, and its generated layers as delegates.</summary>
    public sealed record Shape(string Name, string Description, LayerConfig Config, int Height, int Width)
    {
        public static readonly Shape[] All =
        {
            new("S0", "EEGNet layer: 16->16, 1x16, 1x37", new LayerConfig(16, 16, 1, 16, true, UseBias: false), 1, 37),
            new("S1", "seed layer: 32->64, 1x16, 1x512", new LayerConfig(32, 64, 1, 16, true, UseBias: false), 1, 512),
            new("S2", "MobileNet-like: 64->128, 3x3, 56x56", new LayerConfig(64, 128, 3, 3, true), 56, 56),
            new("S3", "Xception middle flow: 728->728, 3x3, 19x19", new LayerConfig(728, 728, 3, 3, true), 19, 19),
            new("S4", "large kernel: 96->96, 7x7, 28x28", new LayerConfig(96, 96, 7, 7, true), 28, 28),
            new("S5", "strided: 32->64, 3x3, s2, dm2, 64x64", new LayerConfig(32, 64, 3, 3, true, DepthMultiplier: 2, StrideHeight: 2, StrideWidth: 2), 64, 64),
        };

        /// <summary>FLOPs of one call at batch 1: 2 * outH * outW * (in * dm * kh * kw + in * dm * out).</summary>
        public double Flops
        {
            get
            {
                (int outH, int outW) = NaiveSeparableConv.OutputSize(Config, Height, Width);
                return 2.0 * outH * outW * ((Config.DepthwiseChannels * Config.KernelHeight * Config.KernelWidth) + (Config.DepthwiseChannels * Config.OutChannels));
            }
        }

        /// <summary>The generated layer for this shape and layout, loaded with Keras weights, as a Forward delegate.</summary>
        /// <remarks>With <paramref name="threads"/> above 1 the delegate calls ForwardParallel.</remarks>
        public Action<float[], float[]> Layer(bool channelsFirst, bool fixedSize, float[] dw, float[] pw, float[]? bias, int threads = 1) => (Name, channelsFirst, fixedSize) switch
        {
            ("S0", false, true) => Load(new S0NhwcF(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S0", true, true) => Load(new S0NchwF(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S1", false, true) => Load(new S1NhwcF(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S1", true, true) => Load(new S1NchwF(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S2", false, true) => Load(new S2NhwcF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S2", true, true) => Load(new S2NchwF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S3", false, true) => Load(new S3NhwcF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S3", true, true) => Load(new S3NchwF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S4", false, true) => Load(new S4NhwcF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S4", true, true) => Load(new S4NchwF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S5", false, true) => Load(new S5NhwcF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S5", true, true) => Load(new S5NchwF(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o); } }),
            ("S0", false, false) => Load(new S0NhwcR(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S0", true, false) => Load(new S0NchwR(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S1", false, false) => Load(new S1NhwcR(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S1", true, false) => Load(new S1NchwR(), l => l.LoadKerasWeights(dw, pw), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S2", false, false) => Load(new S2NhwcR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S2", true, false) => Load(new S2NchwR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S3", false, false) => Load(new S3NhwcR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S3", true, false) => Load(new S3NchwR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S4", false, false) => Load(new S4NhwcR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S4", true, false) => Load(new S4NchwR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S5", false, false) => Load(new S5NhwcR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            ("S5", true, false) => Load(new S5NchwR(), l => l.LoadKerasWeights(dw, pw, bias), (l, i, o) => { if (threads > 1) { l.ForwardParallel(i, o, 1, Height, Width, threads); } else { l.Forward(i, o, 1, Height, Width); } }),
            _ => throw new ArgumentException($"No layer for {Name}"),
        };

        private static Action<float[], float[]> Load<T>(T layer, Action<T> load, Action<T, float[], float[]> forward)
        {
            load(layer);
            return (input, output) => forward(layer, input, output);
        }

        /// <summary>
        /// The random weights (Keras layouts) and NCHW input of this shape with <paramref name="c"/>'s layout options,
        /// the same for every runtime and benchmark mode (seed 1), and the output size.
        /// </summary>
        public (float[] Depthwise, float[] Pointwise, float[]? Bias, float[] InputNchw, int OutH, int OutW) Data(LayerConfig c)
        {
            var random = new Random(1);
            float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            float[] dw = Values(c.DepthwiseKernelLength), pw = Values(c.PointwiseKernelLength);
            float[]? bias = c.UseBias ? Values(c.OutChannels) : null;
            (int outH, int outW) = NaiveSeparableConv.OutputSize(c, Height, Width);
            return (dw, pw, bias, Values(c.InChannels * Height * Width), outH, outW);
        }

        public override string ToString() => Name;
    }
}

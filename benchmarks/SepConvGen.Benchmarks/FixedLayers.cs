namespace SepConvGen.Benchmarks
{
    // The benchmark shapes of docs/benchmarks.md with a fixed input size, in both layouts: compiled by the benchmarks
    // and by the start-up program (benchmarks/SepConvGen.Startup), which `startup` publishes as JIT, ReadyToRun and
    // NativeAOT builds.
#pragma warning disable SA1649, SA1402 // one small declaration per layer, kept together
    [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, InputHeight = 1, InputWidth = 37)] public partial class S0NhwcF { }
    [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, InputHeight = 1, InputWidth = 37, DataFormat = DataFormat.ChannelsFirst)] public partial class S0NchwF { }
    [SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false, InputHeight = 1, InputWidth = 512)] public partial class S1NhwcF { }
    [SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false, InputHeight = 1, InputWidth = 512, DataFormat = DataFormat.ChannelsFirst)] public partial class S1NchwF { }
    [SeparableConv(64, 128, 3, 3, Padding.Same, InputHeight = 56, InputWidth = 56)] public partial class S2NhwcF { }
    [SeparableConv(64, 128, 3, 3, Padding.Same, InputHeight = 56, InputWidth = 56, DataFormat = DataFormat.ChannelsFirst)] public partial class S2NchwF { }
    [SeparableConv(728, 728, 3, 3, Padding.Same, InputHeight = 19, InputWidth = 19)] public partial class S3NhwcF { }
    [SeparableConv(728, 728, 3, 3, Padding.Same, InputHeight = 19, InputWidth = 19, DataFormat = DataFormat.ChannelsFirst)] public partial class S3NchwF { }
    [SeparableConv(96, 96, 7, 7, Padding.Same, InputHeight = 28, InputWidth = 28)] public partial class S4NhwcF { }
    [SeparableConv(96, 96, 7, 7, Padding.Same, InputHeight = 28, InputWidth = 28, DataFormat = DataFormat.ChannelsFirst)] public partial class S4NchwF { }
    [SeparableConv(32, 64, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, DepthMultiplier = 2, InputHeight = 64, InputWidth = 64)] public partial class S5NhwcF { }
    [SeparableConv(32, 64, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, DepthMultiplier = 2, InputHeight = 64, InputWidth = 64, DataFormat = DataFormat.ChannelsFirst)] public partial class S5NchwF { }
#pragma warning restore SA1649, SA1402
}

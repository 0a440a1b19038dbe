using SepConvGen;

namespace SepConvGen.Sample
{
    /// <summary>The layer from the well-known porting question: SeparableConv2D(64, (1, 16), use_bias=False, padding='same').</summary>
    [SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false)]
    public partial class EegSeparable
    {
    }

    /// <summary>A MobileNet-style 3x3 block with a fixed 56x56 input, bias and ReLU6.</summary>
    [SeparableConv(64, 128, 3, 3, Padding.Same, Activation = Activation.Relu6, InputHeight = 56, InputWidth = 56)]
    public partial class MobileNetBlock
    {
    }

    [SeparableConv(8, 6, 3, 3, Padding.Same, DepthMultiplier = 2, StrideHeight = 2, StrideWidth = 2, DataFormat = DataFormat.ChannelsFirst, Activation = Activation.Relu)]
    public partial class StridedNchw
    {
    }
}

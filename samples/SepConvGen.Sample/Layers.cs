using SepConvGen;

namespace SepConvGen.Sample
{
    /// <summary>
    /// The layer of the well-known porting question: Keras SeparableConv2D(64, (1, 16), use_bias=False,
    /// padding='same') on 32 channels. Input size chosen per call.
    /// </summary>
    [SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false)]
    public partial class EegSeparable
    {
    }

    /// <summary>
    /// The separable block of EEGNet-8,2 (arl-eegmodels): SeparableConv2D(16, (1, 16), padding='same',
    /// use_bias=False) in channels_first, over 16 feature maps of 1 x 37 samples.
    /// </summary>
    [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)]
    public partial class EegNetSeparable
    {
    }

    /// <summary>A MobileNet-style 3x3 block on a fixed 56x56 input, with bias and ReLU6.</summary>
    [SeparableConv(64, 128, 3, 3, Padding.Same, Activation = Activation.Relu6, InputHeight = 56, InputWidth = 56)]
    public partial class MobileNetBlock
    {
    }
}

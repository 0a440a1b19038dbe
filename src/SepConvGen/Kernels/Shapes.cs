using System.ComponentModel;

namespace SepConvGen.Kernels
{
    // The generator describes each layer as a struct of constants implementing one of these. The kernels read them
    // as default(TShape).Member: for a struct type argument the JIT compiles the kernel once per shape and folds
    // every member into a constant, so one kernel source serves every layer at the speed of specialized code,
    // and a project compiles only the small shape structs.

    /// <summary>
    /// What a convolution's and a pooling's shapes share: a window sliding over the image with strides, and the sizes
    /// and layout of the image before and after. Implemented by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IWindowShape
    {
        /// <summary>Vertical stride.</summary>
        int StrideHeight { get; }

        /// <summary>Horizontal stride.</summary>
        int StrideWidth { get; }

        /// <summary>Input rows.</summary>
        int InputHeight { get; }

        /// <summary>Input columns.</summary>
        int InputWidth { get; }

        /// <summary>Output rows.</summary>
        int OutputHeight { get; }

        /// <summary>Output columns.</summary>
        int OutputWidth { get; }

        /// <summary>Rows above the input that windows reach (TensorFlow SAME): zeros for a convolution, left out of a pooling.</summary>
        int PadTop { get; }

        /// <summary>Columns left of the input that windows reach (TensorFlow SAME).</summary>
        int PadLeft { get; }

        /// <summary>NCHW rather than NHWC.</summary>
        bool ChannelsFirst { get; }
    }

    /// <summary>A Conv2D or DepthwiseConv2D layer's shape, all compile-time constants. Implemented by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IConvolutionShape : IWindowShape
    {
        /// <summary>True for DepthwiseConv2D: output channel <c>c * DepthMultiplier + m</c> reads input channel <c>c</c> only.</summary>
        bool Depthwise { get; }

        /// <summary>Input channels.</summary>
        int InChannels { get; }

        /// <summary>Output channels: Conv2D's filters, DepthwiseConv2D's input channels times the multiplier.</summary>
        int OutChannels { get; }

        /// <summary>DepthwiseConv2D's multiplier (1 for Conv2D).</summary>
        int DepthMultiplier { get; }

        /// <summary>Kernel rows.</summary>
        int KernelHeight { get; }

        /// <summary>Kernel columns.</summary>
        int KernelWidth { get; }

        /// <summary>Vertical dilation.</summary>
        int DilationHeight { get; }

        /// <summary>Horizontal dilation.</summary>
        int DilationWidth { get; }

        /// <summary>The activation fused after the bias.</summary>
        Activation Activation { get; }
    }

    /// <summary>A MaxPooling2D or AveragePooling2D layer's shape. Implemented by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IPoolingShape : IWindowShape
    {
        /// <summary>Max rather than average.</summary>
        bool Max { get; }

        /// <summary>Channels.</summary>
        int Channels { get; }

        /// <summary>Window rows.</summary>
        int PoolHeight { get; }

        /// <summary>Window columns.</summary>
        int PoolWidth { get; }
    }

    /// <summary>A GlobalAveragePooling2D or GlobalMaxPooling2D layer's shape. Implemented by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IGlobalPoolingShape
    {
        /// <summary>Max rather than average.</summary>
        bool Max { get; }

        /// <summary>Channels.</summary>
        int Channels { get; }

        /// <summary>Input rows.</summary>
        int InputHeight { get; }

        /// <summary>Input columns.</summary>
        int InputWidth { get; }

        /// <summary>NCHW rather than NHWC.</summary>
        bool ChannelsFirst { get; }
    }

    /// <summary>A Dense layer's shape. Implemented by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IDenseShape
    {
        /// <summary>Inputs (the last axis).</summary>
        int Inputs { get; }

        /// <summary>Units.</summary>
        int Units { get; }

        /// <summary>The activation fused after the bias.</summary>
        Activation Activation { get; }
    }
}

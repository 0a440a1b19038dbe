using System;

namespace SepConvGen
{
    // The layers of a whole model beside SeparableConv2D. Each is specialized for one input size: the generator
    // writes its shape as constants and runs the shared kernel of its kind compiled for exactly those constants.

    /// <summary>What every layer with a spatial input has: its data format and its input size, both fixed at compile time.</summary>
    public abstract class SpatialLayerAttribute : Attribute
    {
        /// <summary>NHWC (Keras' default) or NCHW.</summary>
        public DataFormat DataFormat { get; set; } = DataFormat.ChannelsLast;

        /// <summary>Input rows (required).</summary>
        public int InputHeight { get; set; }

        /// <summary>Input columns (required).</summary>
        public int InputWidth { get; set; }
    }

    /// <summary>What Conv2D and DepthwiseConv2D share: the window's strides and dilation, the bias and the fused activation.</summary>
    public abstract class Convolution2DAttribute : SpatialLayerAttribute
    {
        /// <summary>Vertical stride.</summary>
        public int StrideHeight { get; set; } = 1;

        /// <summary>Horizontal stride.</summary>
        public int StrideWidth { get; set; } = 1;

        /// <summary>Vertical dilation.</summary>
        public int DilationHeight { get; set; } = 1;

        /// <summary>Horizontal dilation.</summary>
        public int DilationWidth { get; set; } = 1;

        /// <summary>Whether the layer adds a bias (Keras' default: true).</summary>
        public bool UseBias { get; set; } = true;

        /// <summary>
        /// The activation fused after the bias: ReLU and ReLU6 in the epilogue of the sums; ELU, sigmoid, tanh and swish
        /// on each tile or output row just after the layer writes it.
        /// </summary>
        public Activation Activation { get; set; } = Activation.Linear;
    }

    /// <summary>
    /// Generates a specialized Keras <c>Conv2D(filters, kernel_size, strides, padding, data_format, dilation_rate,
    /// activation, use_bias)</c> into the annotated partial class.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class Conv2DAttribute : Convolution2DAttribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="filters">Output channels.</param>
        /// <param name="kernelHeight">Kernel rows.</param>
        /// <param name="kernelWidth">Kernel columns.</param>
        /// <param name="padding">Keras padding; <see cref="Padding.Same"/> is TensorFlow SAME.</param>
        public Conv2DAttribute(int inChannels, int filters, int kernelHeight, int kernelWidth, Padding padding = Padding.Valid)
        {
            InChannels = inChannels;
            Filters = filters;
            KernelHeight = kernelHeight;
            KernelWidth = kernelWidth;
            Padding = padding;
        }

        /// <summary>Input channels.</summary>
        public int InChannels { get; }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Kernel rows.</summary>
        public int KernelHeight { get; }

        /// <summary>Kernel columns.</summary>
        public int KernelWidth { get; }

        /// <summary>Keras padding.</summary>
        public Padding Padding { get; }
    }

    /// <summary>
    /// Generates a specialized Keras <c>DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier, data_format,
    /// dilation_rate, activation, use_bias)</c>: output channel <c>c * DepthMultiplier + m</c> convolves input channel
    /// <c>c</c> with kernel <c>(c, m)</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class DepthwiseConv2DAttribute : Convolution2DAttribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="kernelHeight">Kernel rows.</param>
        /// <param name="kernelWidth">Kernel columns.</param>
        /// <param name="padding">Keras padding; <see cref="Padding.Same"/> is TensorFlow SAME.</param>
        public DepthwiseConv2DAttribute(int inChannels, int kernelHeight, int kernelWidth, Padding padding = Padding.Valid)
        {
            InChannels = inChannels;
            KernelHeight = kernelHeight;
            KernelWidth = kernelWidth;
            Padding = padding;
        }

        /// <summary>Input channels.</summary>
        public int InChannels { get; }

        /// <summary>Kernel rows.</summary>
        public int KernelHeight { get; }

        /// <summary>Kernel columns.</summary>
        public int KernelWidth { get; }

        /// <summary>Keras padding.</summary>
        public Padding Padding { get; }

        /// <summary>Output channels per input channel.</summary>
        public int DepthMultiplier { get; set; } = 1;
    }

    /// <summary>What MaxPooling2D and AveragePooling2D share.</summary>
    public abstract class Pooling2DAttribute : SpatialLayerAttribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="channels">Channels.</param>
        /// <param name="poolHeight">Window rows.</param>
        /// <param name="poolWidth">Window columns.</param>
        /// <param name="padding">Keras padding; with <see cref="Padding.Same"/> windows are clipped to the input.</param>
        protected Pooling2DAttribute(int channels, int poolHeight, int poolWidth, Padding padding)
        {
            Channels = channels;
            PoolHeight = poolHeight;
            PoolWidth = poolWidth;
            Padding = padding;
        }

        /// <summary>Channels.</summary>
        public int Channels { get; }

        /// <summary>Window rows.</summary>
        public int PoolHeight { get; }

        /// <summary>Window columns.</summary>
        public int PoolWidth { get; }

        /// <summary>Keras padding.</summary>
        public Padding Padding { get; }

        /// <summary>Vertical stride; 0 (Keras' <c>strides=None</c>) means the window's height.</summary>
        public int StrideHeight { get; set; }

        /// <summary>Horizontal stride; 0 (Keras' <c>strides=None</c>) means the window's width.</summary>
        public int StrideWidth { get; set; }
    }

    /// <summary>Generates a specialized Keras <c>MaxPooling2D(pool_size, strides, padding, data_format)</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class MaxPooling2DAttribute : Pooling2DAttribute
    {
        /// <inheritdoc cref="Pooling2DAttribute(int, int, int, Padding)"/>
        public MaxPooling2DAttribute(int channels, int poolHeight, int poolWidth, Padding padding = Padding.Valid)
            : base(channels, poolHeight, poolWidth, padding)
        {
        }
    }

    /// <summary>
    /// Generates a specialized Keras <c>AveragePooling2D(pool_size, strides, padding, data_format)</c>; with SAME
    /// padding a window at the border averages only the input pixels it covers, as TensorFlow does.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class AveragePooling2DAttribute : Pooling2DAttribute
    {
        /// <inheritdoc cref="Pooling2DAttribute(int, int, int, Padding)"/>
        public AveragePooling2DAttribute(int channels, int poolHeight, int poolWidth, Padding padding = Padding.Valid)
            : base(channels, poolHeight, poolWidth, padding)
        {
        }
    }

    /// <summary>Generates a specialized Keras <c>GlobalAveragePooling2D(data_format)</c>: output (batch, channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class GlobalAveragePooling2DAttribute : SpatialLayerAttribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="channels">Channels.</param>
        public GlobalAveragePooling2DAttribute(int channels) => Channels = channels;

        /// <summary>Channels.</summary>
        public int Channels { get; }
    }

    /// <summary>Generates a specialized Keras <c>GlobalMaxPooling2D(data_format)</c>: output (batch, channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class GlobalMaxPooling2DAttribute : SpatialLayerAttribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="channels">Channels.</param>
        public GlobalMaxPooling2DAttribute(int channels) => Channels = channels;

        /// <summary>Channels.</summary>
        public int Channels { get; }
    }

    /// <summary>Generates a specialized Keras <c>Dense(units, activation, use_bias)</c> on the last axis.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class DenseAttribute : Attribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="inputs">Values on the last axis of the input.</param>
        /// <param name="units">Outputs.</param>
        public DenseAttribute(int inputs, int units)
        {
            Inputs = inputs;
            Units = units;
        }

        /// <summary>Values on the last axis of the input.</summary>
        public int Inputs { get; }

        /// <summary>Outputs.</summary>
        public int Units { get; }

        /// <summary>Whether the layer adds a bias (Keras' default: true).</summary>
        public bool UseBias { get; set; } = true;

        /// <summary>
        /// The activation fused after the bias: ReLU and ReLU6 in the epilogue of the sums; ELU, sigmoid, tanh and swish
        /// on each tile or output row just after the layer writes it.
        /// </summary>
        public Activation Activation { get; set; } = Activation.Linear;
    }
}

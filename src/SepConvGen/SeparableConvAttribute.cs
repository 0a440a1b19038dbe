using System;

namespace SepConvGen
{
    /// <summary>
    /// Generates a specialized Keras <c>SeparableConv2D</c> (depthwise convolution per channel, then a 1x1
    /// pointwise convolution, bias and activation) into the annotated <see langword="partial"/> class.
    /// </summary>
    /// <remarks>
    /// The arguments mirror <c>keras.layers.SeparableConv2D(filters=outChannels, kernel_size=(kernelHeight,
    /// kernelWidth), padding=...)</c>. Every value is a compile-time constant of the generated code; invalid
    /// combinations are reported as SCG diagnostics on this attribute.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class SeparableConvAttribute : Attribute
    {
        /// <summary>Declares the layer.</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels (Keras <c>filters</c>).</param>
        /// <param name="kernelHeight">Depthwise kernel height.</param>
        /// <param name="kernelWidth">Depthwise kernel width.</param>
        /// <param name="padding">Keras padding; <see cref="Padding.Same"/> is TensorFlow SAME.</param>
        public SeparableConvAttribute(int inChannels, int outChannels, int kernelHeight, int kernelWidth,
                                      Padding padding = Padding.Valid)
        {
            InChannels = inChannels;
            OutChannels = outChannels;
            KernelHeight = kernelHeight;
            KernelWidth = kernelWidth;
            Padding = padding;
        }

        /// <summary>Input channels.</summary>
        public int InChannels { get; }

        /// <summary>Output channels (Keras <c>filters</c>).</summary>
        public int OutChannels { get; }

        /// <summary>Depthwise kernel height.</summary>
        public int KernelHeight { get; }

        /// <summary>Depthwise kernel width.</summary>
        public int KernelWidth { get; }

        /// <summary>Keras padding.</summary>
        public Padding Padding { get; }

        /// <summary>Depthwise outputs per input channel (Keras <c>depth_multiplier</c>).</summary>
        public int DepthMultiplier { get; set; } = 1;

        /// <summary>Vertical stride.</summary>
        public int StrideHeight { get; set; } = 1;

        /// <summary>Horizontal stride.</summary>
        public int StrideWidth { get; set; } = 1;

        /// <summary>Vertical dilation of the depthwise kernel.</summary>
        public int DilationHeight { get; set; } = 1;

        /// <summary>Horizontal dilation of the depthwise kernel.</summary>
        public int DilationWidth { get; set; } = 1;

        /// <summary>Whether a bias is added after the pointwise step (Keras default: true).</summary>
        public bool UseBias { get; set; } = true;

        /// <summary>Layout of input and output.</summary>
        public DataFormat DataFormat { get; set; } = DataFormat.ChannelsLast;

        /// <summary>
        /// The activation fused after the bias: ReLU and ReLU6 in the epilogue of the sums; ELU, sigmoid, tanh and swish
        /// on each tile or output row just after the layer writes it.
        /// </summary>
        public Activation Activation { get; set; } = Activation.Linear;

        /// <summary>Fixed input height, or 0 to choose it at run time.</summary>
        public int InputHeight { get; set; }

        /// <summary>Fixed input width, or 0 to choose it at run time.</summary>
        public int InputWidth { get; set; }
    }
}

namespace SepConvGen
{
    /// <summary>How the borders of the input are treated (Keras <c>padding</c>).</summary>
    public enum Padding
    {
        /// <summary>No padding: the output only holds windows that fit inside the input (Keras <c>'valid'</c>).</summary>
        Valid,

        /// <summary>
        /// TensorFlow SAME: <c>out = ceil(in / stride)</c>, zeros added so that the window fits, with the
        /// odd extra row/column at the bottom/right (Keras <c>'same'</c>).
        /// </summary>
        Same,
    }

    /// <summary>Memory layout of input and output tensors (Keras <c>data_format</c>).</summary>
    public enum DataFormat
    {
        /// <summary>(batch, height, width, channels), row-major: the Keras default (NHWC).</summary>
        ChannelsLast,

        /// <summary>(batch, channels, height, width), row-major: the PyTorch layout (NCHW).</summary>
        ChannelsFirst,
    }

    /// <summary>
    /// Activation fused into a layer after its sums and bias: ReLU and ReLU6 in the epilogue of the sums, the others
    /// (which need an exponential) on each tile or output row just after the layer writes it, while it is in cache.
    /// </summary>
    public enum Activation
    {
        /// <summary>No activation.</summary>
        Linear,

        /// <summary><c>max(x, 0)</c>; NaN stays NaN.</summary>
        Relu,

        /// <summary><c>min(max(x, 0), 6)</c>; NaN stays NaN.</summary>
        Relu6,

        /// <summary>Keras' <c>elu</c>: <c>x</c> above 0, else <c>exp(x) - 1</c> (alpha 1).</summary>
        Elu,

        /// <summary>Keras' <c>sigmoid</c>: <c>1 / (1 + exp(-x))</c>.</summary>
        Sigmoid,

        /// <summary>Keras' <c>tanh</c>.</summary>
        Tanh,

        /// <summary>Keras' <c>swish</c> (<c>silu</c>): <c>x / (1 + exp(-x))</c>.</summary>
        Swish,
    }
}

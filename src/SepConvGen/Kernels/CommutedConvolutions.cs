using System;
using System.ComponentModel;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// The weights of a Conv2D over one input channel with a one-row kernel (EEGNet's temporal filter) followed by a
    /// DepthwiseConv2D with a one-column kernel (its spatial filter), run the other way round. Both are linear (their
    /// BatchNormalization folded in), so the column filter can run first, on the one input plane, and the row filter
    /// after it, per output channel: the same function with a fraction of the multiply-adds when the column filter
    /// shrinks the height (EEGNet: 22 rows to 1).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class CommutedConvolutions
    {
        /// <summary>
        /// The row filter as a DepthwiseConv2D kernel, Keras layout (1, width, filters x multiplier, 1): output channel
        /// <c>f * multiplier + m</c> gets Conv2D filter f. The column filter needs no change: the DepthwiseConv2D kernel
        /// (height, 1, filters, multiplier) is, value for value, the Conv2D kernel (height, 1, 1, filters x multiplier).
        /// </summary>
        /// <param name="rowKernel">The Conv2D kernel, Keras layout (1, width, 1, filters).</param>
        /// <param name="filters">The Conv2D's filters.</param>
        /// <param name="multiplier">The DepthwiseConv2D's depth multiplier.</param>
        public static float[] RowKernel(ReadOnlySpan<float> rowKernel, int filters, int multiplier)
        {
            int width = rowKernel.Length / filters, channels = filters * multiplier;
            var kernel = new float[width * channels];
            for (int k = 0; k < width; k++)
            {
                for (int c = 0; c < channels; c++)
                {
                    kernel[k * channels + c] = rowKernel[k * filters + c / multiplier];
                }
            }

            return kernel;
        }

        /// <summary>
        /// The bias after both filters: the column filter's own plus the row filter's, which reaches every output
        /// through the column filter's taps (their sum, in double).
        /// </summary>
        /// <param name="rowBias">The Conv2D bias (filters).</param>
        /// <param name="columnKernel">The DepthwiseConv2D kernel, Keras layout (height, 1, filters, multiplier).</param>
        /// <param name="columnBias">The DepthwiseConv2D bias (filters x multiplier).</param>
        public static float[] Bias(ReadOnlySpan<float> rowBias, ReadOnlySpan<float> columnKernel, ReadOnlySpan<float> columnBias)
        {
            int channels = columnBias.Length, multiplier = channels / rowBias.Length;
            var bias = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double taps = 0;
                for (int i = c; i < columnKernel.Length; i += channels)
                {
                    taps += columnKernel[i];
                }

                bias[c] = (float)(columnBias[c] + rowBias[c / multiplier] * taps);
            }

            return bias;
        }
    }
}

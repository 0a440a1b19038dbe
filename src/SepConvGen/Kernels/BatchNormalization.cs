using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// BatchNormalization at inference: <c>(x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta</c>,
    /// as one scale and shift per channel, either folded into the weights of the layer before it or applied on its
    /// own. Computed in double, rounded once.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class BatchNormalization
    {
        /// <summary>The scale and shift per channel; <paramref name="gamma"/> or <paramref name="beta"/> empty when Keras' scale or center is off.</summary>
        public static void ScaleAndShift(ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
                                         double epsilon, Span<float> scale, Span<float> shift)
        {
            for (int c = 0; c < mean.Length; c++)
            {
                double factor = (gamma.IsEmpty ? 1.0 : gamma[c]) / Math.Sqrt(variance[c] + epsilon);
                scale[c] = (float)factor;
                shift[c] = (float)((beta.IsEmpty ? 0.0 : beta[c]) - mean[c] * factor);
            }
        }

        /// <summary>
        /// Folds the normalization into the layer before it: its <paramref name="kernel"/>, whose fastest axis is the
        /// output channel (every Keras kernel), and its <paramref name="bias"/> (zeros for a layer without one).
        /// </summary>
        public static void Fold(Span<float> kernel, Span<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
                                ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, double epsilon)
        {
            int channels = bias.Length;
            for (int c = 0; c < channels; c++)
            {
                double factor = (gamma.IsEmpty ? 1.0 : gamma[c]) / Math.Sqrt(variance[c] + epsilon);
                for (int i = c; i < kernel.Length; i += channels)
                {
                    kernel[i] = (float)(kernel[i] * factor);
                }

                bias[c] = (float)((bias[c] - mean[c]) * factor + (beta.IsEmpty ? 0.0 : beta[c]));
            }
        }

        /// <summary>Applies a scale and shift per channel to data laid out (outer, channels, <paramref name="inner"/>).</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Apply(Span<float> data, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int inner)
        {
            int channels = scale.Length;
            for (int start = 0; start < data.Length; start += channels * inner)
            {
                for (int c = 0; c < channels; c++)
                {
                    Span<float> run = data.Slice(start + c * inner, inner);
                    float a = scale[c], b = shift[c];
                    for (int i = 0; i < run.Length; i++)
                    {
                        run[i] = run[i] * a + b;
                    }
                }
            }
        }
    }
}

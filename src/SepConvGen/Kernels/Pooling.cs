using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// MaxPooling2D and AveragePooling2D for one shape, called by generated layers. Windows are clipped to the input,
    /// as TensorFlow does for SAME: padding counts for neither the maximum nor the average.
    /// </summary>
    /// <typeparam name="TShape">The layer's constants.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static partial class Pooling<TShape>
        where TShape : struct, IPoolingShape
    {
        /// <summary>Values of one input item.</summary>
        public static int InputLength => default(TShape).Channels * default(TShape).InputHeight * default(TShape).InputWidth;

        /// <summary>Values of one output item.</summary>
        public static int OutputLength => default(TShape).Channels * default(TShape).OutputHeight * default(TShape).OutputWidth;

        /// <summary>Runs the layer on <paramref name="batch"/> items; spans hold exactly batch x one item (checked by the caller).</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
        {
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> x = input.Slice(n * InputLength, InputLength);
                Span<float> y = output.Slice(n * OutputLength, OutputLength);
                if (default(TShape).ChannelsFirst)
                {
                    ForwardNchw(x, y);
                }
                else
                {
                    ForwardNhwc(x, y);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Window(int oy, int ox, out int rowFirst, out int rowEnd, out int columnFirst, out int columnEnd)
        {
            TShape s = default;
            int iy = oy * s.StrideHeight - s.PadTop, ix = ox * s.StrideWidth - s.PadLeft;
            rowFirst = Math.Max(iy, 0);
            rowEnd = Math.Min(iy + s.PoolHeight, s.InputHeight);
            columnFirst = Math.Max(ix, 0);
            columnEnd = Math.Min(ix + s.PoolWidth, s.InputWidth);
        }

        [MethodImpl(Simd.OptimizeFully)]
        private static void ForwardNhwc(ReadOnlySpan<float> input, Span<float> output)
        {
            TShape s = default;
            int lanes = Simd.Lanes, channels = s.Channels;
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(output);
            for (int oy = 0; oy < s.OutputHeight; oy++)
            {
                for (int ox = 0; ox < s.OutputWidth; ox++)
                {
                    Window(oy, ox, out int rowFirst, out int rowEnd, out int columnFirst, out int columnEnd);
                    int pixel = (oy * s.OutputWidth + ox) * channels;
                    var scale = new Vector<float>((rowEnd - rowFirst) * (columnEnd - columnFirst));
                    if (channels % (2 * lanes) == 0)
                    {
                        // Whole pairs of vectors: one walk over the window for two of them, every load inside the input.
#if NET8_0_OR_GREATER
                        if (WideChannels)
                        {
                            PixelWide(ref x, ref y, pixel, rowFirst, rowEnd, columnFirst, columnEnd);
                            continue;
                        }
#endif
                        for (int c = 0; c < channels; c += 2 * lanes)
                        {
                            Vector<float> a = new Vector<float>(s.Max ? float.NegativeInfinity : 0f), b = a;
                            for (int iy = rowFirst; iy < rowEnd; iy++)
                            {
                                for (int ix = columnFirst; ix < columnEnd; ix++)
                                {
                                    int index = (iy * s.InputWidth + ix) * channels + c;
                                    a = Combine(a, Simd.Load(ref x, index));
                                    b = Combine(b, Simd.Load(ref x, index + lanes));
                                }
                            }

                            Simd.Store(ref y, pixel + c, s.Max ? a : a / scale);
                            Simd.Store(ref y, pixel + c + lanes, s.Max ? b : b / scale);
                        }

                        continue;
                    }

                    for (int c = 0; c < channels; c += lanes)
                    {
                        // The window's last vector decides whether any load could pass the input's end; a load that
                        // might call out of the loop would cost the sum its register.
                        Vector<float> a = ((rowEnd - 1) * s.InputWidth + columnEnd - 1) * channels + c + lanes <= input.Length
                            ? Reduce(input, ref x, c, rowFirst, rowEnd, columnFirst, columnEnd, clipped: false)
                            : Reduce(input, ref x, c, rowFirst, rowEnd, columnFirst, columnEnd, clipped: true);
                        if (!s.Max)
                        {
                            a /= scale;
                        }

                        if (pixel + c + lanes <= output.Length)
                        {
                            // Lanes past the pixel land on the next one, written after it.
                            Simd.Store(ref y, pixel + c, a);
                            continue;
                        }

                        for (int lane = 0; lane < Math.Min(lanes, channels - c); lane++)
                        {
                            output[pixel + c + lane] = a[lane];
                        }
                    }
                }
            }
        }

        /// <summary>The maximum or the sum of one vector of channels over a window.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> Reduce(ReadOnlySpan<float> input, ref float x, int c, int rowFirst, int rowEnd, int columnFirst, int columnEnd, bool clipped)
        {
            TShape s = default;
            var a = new Vector<float>(s.Max ? float.NegativeInfinity : 0f);
            for (int iy = rowFirst; iy < rowEnd; iy++)
            {
                for (int ix = columnFirst; ix < columnEnd; ix++)
                {
                    int index = (iy * s.InputWidth + ix) * s.Channels + c;
                    a = Combine(a, clipped ? Simd.LoadClipped(input, ref x, index) : Simd.Load(ref x, index));
                }
            }

            return a;
        }

        /// <summary>The running maximum or sum with one more vector; NaN wins, as in TensorFlow's max pooling.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> Combine(Vector<float> a, Vector<float> v) =>
            default(TShape).Max ? Vector.ConditionalSelect(Vector.GreaterThan(a, v), a, v) : a + v;

        [MethodImpl(Simd.OptimizeFully)]
        private static void ForwardNchw(ReadOnlySpan<float> input, Span<float> output)
        {
            TShape s = default;
            for (int c = 0; c < s.Channels; c++)
            {
                ReadOnlySpan<float> plane = input.Slice(c * s.InputHeight * s.InputWidth, s.InputHeight * s.InputWidth);
                for (int oy = 0; oy < s.OutputHeight; oy++)
                {
                    for (int ox = 0; ox < s.OutputWidth; ox++)
                    {
                        Window(oy, ox, out int rowFirst, out int rowEnd, out int columnFirst, out int columnEnd);
                        float a = s.Max ? float.NegativeInfinity : 0f;
                        for (int iy = rowFirst; iy < rowEnd; iy++)
                        {
                            for (int ix = columnFirst; ix < columnEnd; ix++)
                            {
                                float v = plane[iy * s.InputWidth + ix];
                                a = s.Max ? (a > v ? a : v) : a + v;
                            }
                        }

                        output[(c * s.OutputHeight + oy) * s.OutputWidth + ox] = s.Max ? a : a / ((rowEnd - rowFirst) * (columnEnd - columnFirst));
                    }
                }
            }
        }
    }

    /// <summary>GlobalAveragePooling2D and GlobalMaxPooling2D for one shape, called by generated layers.</summary>
    /// <typeparam name="TShape">The layer's constants.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class GlobalPooling<TShape>
        where TShape : struct, IGlobalPoolingShape
    {
        /// <summary>Values of one input item.</summary>
        public static int InputLength => default(TShape).Channels * default(TShape).InputHeight * default(TShape).InputWidth;

        /// <summary>Runs the layer on <paramref name="batch"/> items: output (batch, channels).</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
        {
            TShape s = default;
            int pixels = s.InputHeight * s.InputWidth, lanes = Simd.Lanes;
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> x = input.Slice(n * InputLength, InputLength);
                Span<float> y = output.Slice(n * s.Channels, s.Channels);
                ref float origin = ref MemoryMarshal.GetReference(x);
                if (s.ChannelsFirst)
                {
                    for (int c = 0; c < s.Channels; c++)
                    {
                        float a = s.Max ? float.NegativeInfinity : 0f;
                        foreach (float v in x.Slice(c * pixels, pixels))
                        {
                            a = s.Max ? (a > v ? a : v) : a + v;
                        }

                        y[c] = s.Max ? a : a / pixels;
                    }

                    continue;
                }

                for (int c = 0; c < s.Channels; c += lanes)
                {
                    var a = new Vector<float>(s.Max ? float.NegativeInfinity : 0f);
                    for (int p = 0; p < pixels; p++)
                    {
                        Vector<float> v = Simd.LoadClipped(x, ref origin, p * s.Channels + c);
                        a = s.Max ? Vector.ConditionalSelect(Vector.GreaterThan(a, v), a, v) : a + v;
                    }

                    for (int lane = 0; lane < Math.Min(lanes, s.Channels - c); lane++)
                    {
                        y[c + lane] = s.Max ? a[lane] : a[lane] / pixels;
                    }
                }
            }
        }
    }
}

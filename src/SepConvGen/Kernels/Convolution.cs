using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// Conv2D and DepthwiseConv2D for one shape (Keras inference semantics, TensorFlow SAME padding), called by
    /// generated layers. NHWC runs vectors of output channels per pixel; NCHW runs vectors of output pixels along a
    /// row, four filters at a time, over a zero-padded copy of the input (stride 1 across; other strides per pixel).
    /// </summary>
    /// <typeparam name="TShape">The layer's constants.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static partial class Convolution<TShape>
        where TShape : struct, IConvolutionShape
    {
        [ThreadStatic]
        private static float[]? t_padded;

        private static int Taps => default(TShape).KernelHeight * default(TShape).KernelWidth;

        /// <summary>Input channels each output channel reads: all of them, or one for DepthwiseConv2D.</summary>
        private static int GroupChannels => default(TShape).Depthwise ? 1 : default(TShape).InChannels;

        /// <summary>Values of one input item: channels x height x width.</summary>
        public static int InputLength => default(TShape).InChannels * default(TShape).InputHeight * default(TShape).InputWidth;

        /// <summary>Values of one output item.</summary>
        public static int OutputLength => default(TShape).OutChannels * default(TShape).OutputHeight * default(TShape).OutputWidth;

        /// <summary>Values of the Keras kernel: (kh, kw, in, filters) for Conv2D, (kh, kw, in, multiplier) for DepthwiseConv2D.</summary>
        public static int KernelLength => Taps * default(TShape).InChannels * (default(TShape).Depthwise ? default(TShape).DepthMultiplier : default(TShape).OutChannels);

        private static bool VectorNhwc => !default(TShape).ChannelsFirst;

        /// <summary>Rearranges a Keras kernel into the order <see cref="Forward"/> reads.</summary>
        public static float[] PackKernel(ReadOnlySpan<float> kernel)
        {
            TShape s = default;
            int taps = Taps, inChannels = s.InChannels, outChannels = s.OutChannels, multiplier = s.DepthMultiplier;
            float[] packed;
            if (VectorNhwc && !s.Depthwise)
            {
                // [tap][c][filter], filters padded to whole vectors.
                int filters = Simd.RoundUp(outChannels);
                packed = new float[taps * inChannels * filters];
                for (int row = 0; row < taps * inChannels; row++)
                {
                    kernel.Slice(row * outChannels, outChannels).CopyTo(packed.AsSpan(row * filters));
                }
            }
            else if (VectorNhwc)
            {
                // [tap][m][c], channels padded to whole vectors.
                int channels = Simd.RoundUp(inChannels);
                packed = new float[taps * multiplier * channels];
                for (int tap = 0; tap < taps; tap++)
                {
                    for (int c = 0; c < inChannels; c++)
                    {
                        for (int m = 0; m < multiplier; m++)
                        {
                            packed[(tap * multiplier + m) * channels + c] = kernel[(tap * inChannels + c) * multiplier + m];
                        }
                    }
                }
            }
            else
            {
                // [output channel][its input channels][tap].
                int group = GroupChannels;
                packed = new float[outChannels * group * taps];
                for (int o = 0; o < outChannels; o++)
                {
                    for (int g = 0; g < group; g++)
                    {
                        for (int tap = 0; tap < taps; tap++)
                        {
                            packed[(o * group + g) * taps + tap] = s.Depthwise
                                ? kernel[(tap * inChannels + o / multiplier) * multiplier + o % multiplier]
                                : kernel[(tap * inChannels + g) * outChannels + o];
                        }
                    }
                }
            }

            return packed;
        }

        /// <summary>Rearranges the bias (one per output channel; empty for none) into the order <see cref="Forward"/> reads.</summary>
        public static float[] PackBias(ReadOnlySpan<float> bias)
        {
            TShape s = default;
            if (VectorNhwc && s.Depthwise)
            {
                int channels = Simd.RoundUp(s.InChannels);
                var packed = new float[s.DepthMultiplier * channels];
                for (int o = 0; o < bias.Length; o++)
                {
                    packed[(o % s.DepthMultiplier) * channels + o / s.DepthMultiplier] = bias[o];
                }

                return packed;
            }

            var padded = new float[VectorNhwc ? Simd.RoundUp(s.OutChannels) : s.OutChannels];
            bias.CopyTo(padded);
            return padded;
        }

        /// <summary>Runs the layer on <paramref name="batch"/> items; spans hold exactly batch x one item (checked by the caller).</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, float[] kernel, float[] bias)
        {
            TShape s = default;
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> x = input.Slice(n * InputLength, InputLength);
                Span<float> y = output.Slice(n * OutputLength, OutputLength);
                if (s.ChannelsFirst)
                {
                    ForwardNchw(x, y, kernel, bias);
                    if (Simd.ActsOnRows(s.Activation))
                    {
                        Elementwise.Activate(y, s.Activation);
                    }
                }
                else if (s.Depthwise)
                {
                    ForwardDepthwiseNhwc(x, y, kernel, bias);
                }
                else
                {
                    ForwardNhwc(x, y, kernel, bias);
                }
            }
        }

        /// <summary>
        /// An NHWC output row once it is written: the activations that need an exponential, while the row is in cache
        /// (ReLU and ReLU6 ran in the stores). Lanes a row's last store spilled into the next row are rewritten with it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ActivateRow(Span<float> output, int oy)
        {
            TShape s = default;
            if (Simd.ActsOnRows(s.Activation))
            {
                int row = s.OutputWidth * s.OutChannels;
                Elementwise.Activate(output.Slice(oy * row, row), s.Activation);
            }
        }

        /// <summary>The kernel rows (or columns) whose input index <c>origin + k * dilation</c> lies inside <c>[0, size)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Range(int origin, int dilation, int kernel, int size, out int first, out int end)
        {
            first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
            end = origin + (kernel - 1) * dilation < size ? kernel : (size - origin + dilation - 1) / dilation;
        }

        /// <summary>
        /// NHWC Conv2D: one input channel along the rows where filters would waste lanes, else pixel blocks. Each path is a
        /// method of its own: a shape's dead path then costs the JIT nothing (its branches fold only after inlining).
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void ForwardNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            if (s.InChannels == 1 && s.OutChannels % Simd.Lanes != 0 && s.StrideWidth == 1 && s.OutputWidth >= 2 * Simd.Lanes)
            {
                PlaneRowsNhwc(input, output, kernel, bias);
            }
            else
            {
                PixelRowsNhwc(input, output, kernel, bias);
            }
        }

        /// <summary>NHWC Conv2D row by row: runs of pixel blocks inside the row, border pixels one by one.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void PixelRowsNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            int lanes = Simd.Lanes, inChannels = s.InChannels, filters = s.OutChannels, paddedFilters = Simd.RoundUp(filters);
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];
            ref float b = ref bias[0];
            for (int oy = 0; oy < s.OutputHeight; ActivateRow(output, oy), oy++)
            {
                int iy0 = oy * s.StrideHeight - s.PadTop;
                Range(iy0, s.DilationHeight, s.KernelHeight, s.InputHeight, out int kyFirst, out int kyEnd);
                for (int ox = 0; ox < s.OutputWidth; ox++)
                {
                    int ix0 = ox * s.StrideWidth - s.PadLeft;
                    if (InsideRow(ox, PixelBlock))
                    {
                        // Runs of four pixels whose windows lie inside the row: each weight vector feeds four multiply-adds.
                        int blocks = 1;
                        while (InsideRow(ox + blocks * PixelBlock, PixelBlock))
                        {
                            blocks++;
                        }

                        PixelBlocksNhwc(input, output, kernel, bias, oy, ox, blocks, iy0, kyFirst, kyEnd);
                        ox += blocks * PixelBlock - 1;
                        continue;
                    }

                    Range(ix0, s.DilationWidth, s.KernelWidth, s.InputWidth, out int kxFirst, out int kxEnd);
                    int pixel = (oy * s.OutputWidth + ox) * filters;

                    // Up to four vectors of filters at a time share each broadcast input value.
                    for (int block = 0; block < paddedFilters; block += 4 * lanes)
                    {
                        int vectors = Math.Min(4, (paddedFilters - block) / lanes);
                        Vector<float> a0 = Simd.Load(ref b, block);
                        Vector<float> a1 = vectors > 1 ? Simd.Load(ref b, block + lanes) : default;
                        Vector<float> a2 = vectors > 2 ? Simd.Load(ref b, block + 2 * lanes) : default;
                        Vector<float> a3 = vectors > 3 ? Simd.Load(ref b, block + 3 * lanes) : default;
                        for (int ky = kyFirst; ky < kyEnd; ky++)
                        {
                            int iy = iy0 + ky * s.DilationHeight;
                            for (int kx = kxFirst; kx < kxEnd; kx++)
                            {
                                int xi = (iy * s.InputWidth + ix0 + kx * s.DilationWidth) * inChannels;
                                int wi = (ky * s.KernelWidth + kx) * inChannels * paddedFilters + block;
                                int c = 0;
                                if (vectors == 1)
                                {
                                    // One vector of filters: four sums over alternate input channels, not one chain
                                    // of multiply-adds each waiting on the last (a 128 -> 7 layer: 15 -> 4 us).
                                    for (; c + 4 <= inChannels; c += 4, wi += 4 * paddedFilters)
                                    {
                                        a0 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref x, xi + c)), Simd.Load(ref w, wi), a0);
                                        a1 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref x, xi + c + 1)), Simd.Load(ref w, wi + paddedFilters), a1);
                                        a2 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref x, xi + c + 2)), Simd.Load(ref w, wi + 2 * paddedFilters), a2);
                                        a3 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref x, xi + c + 3)), Simd.Load(ref w, wi + 3 * paddedFilters), a3);
                                    }
                                }

                                for (; c < inChannels; c++, wi += paddedFilters)
                                {
                                    var v = new Vector<float>(Unsafe.Add(ref x, xi + c));
                                    a0 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi), a0);
                                    if (vectors > 1)
                                    {
                                        a1 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi + lanes), a1);
                                    }

                                    if (vectors > 2)
                                    {
                                        a2 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi + 2 * lanes), a2);
                                    }

                                    if (vectors > 3)
                                    {
                                        a3 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi + 3 * lanes), a3);
                                    }
                                }
                            }
                        }

                        if (vectors == 1)
                        {
                            a0 += a1 + a2 + a3;
                        }

                        StoreFilters(output, ref y, pixel + block, filters - block, a0);
                        if (vectors > 1)
                        {
                            StoreFilters(output, ref y, pixel + block + lanes, filters - block - lanes, a1);
                        }

                        if (vectors > 2)
                        {
                            StoreFilters(output, ref y, pixel + block + 2 * lanes, filters - block - 2 * lanes, a2);
                        }

                        if (vectors > 3)
                        {
                            StoreFilters(output, ref y, pixel + block + 3 * lanes, filters - block - 3 * lanes, a3);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One input channel: NHWC input is a plane, so vectors run along the output row (no lane spent on a filter
        /// count that is not a multiple of a vector), over a zero-padded copy of the input rows; the sums of each filter
        /// are then written across into the pixels.
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void PlaneRowsNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            int lanes = Simd.Lanes, filters = s.OutChannels, paddedFilters = Simd.RoundUp(filters);
            int padRight = Math.Max(0, s.OutputWidth - 1 + (s.KernelWidth - 1) * s.DilationWidth + 1 - s.InputWidth - s.PadLeft);
            int width = s.InputWidth + s.PadLeft + padRight;
            float[] rows = t_padded ??= new float[s.InputHeight * width];
            for (int iy = 0; iy < s.InputHeight; iy++)
            {
                input.Slice(iy * s.InputWidth, s.InputWidth).CopyTo(rows.AsSpan(iy * width + s.PadLeft));
            }

            // Groups of at most three filters, as even as they come (9 filters: 3 + 3 + 3), times two vectors of
            // pixels: six independent sums, enough to hide the multiply-add latency that one or two would wait on.
            int groups = (filters + 2) / 3;
            Span<float> tile = stackalloc float[6 * Simd.Lanes];
            ref float x = ref rows[0];
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];
            for (int oy = 0; oy < s.OutputHeight; ActivateRow(output, oy), oy++)
            {
                int iy0 = oy * s.StrideHeight - s.PadTop;
                Range(iy0, s.DilationHeight, s.KernelHeight, s.InputHeight, out int kyFirst, out int kyEnd);
                for (int g = 0; g < groups; g++)
                {
                    int f = g * filters / groups, group = (g + 1) * filters / groups - f;
                    for (int ox = 0; ; ox += 2 * lanes)
                    {
                        // The last pair of vectors ends at the row's end, overlapping the one before: the same values again.
                        ox = Math.Min(ox, s.OutputWidth - 2 * lanes);
                        var a0 = new Vector<float>(bias[f]);
                        Vector<float> a1 = group > 1 ? new Vector<float>(bias[f + 1]) : default;
                        Vector<float> a2 = group > 2 ? new Vector<float>(bias[f + 2]) : default;
                        Vector<float> b0 = a0, b1 = a1, b2 = a2;
                        for (int ky = kyFirst; ky < kyEnd; ky++)
                        {
                            int row = (iy0 + ky * s.DilationHeight) * width + ox;
                            int wi = ky * s.KernelWidth * paddedFilters + f;
                            for (int kx = 0; kx < s.KernelWidth; kx++, wi += paddedFilters)
                            {
                                Vector<float> u = Simd.Load(ref x, row + kx * s.DilationWidth);
                                Vector<float> v = Simd.Load(ref x, row + kx * s.DilationWidth + lanes);
                                var w0 = new Vector<float>(Unsafe.Add(ref w, wi));
                                a0 = Simd.MultiplyAdd(u, w0, a0);
                                b0 = Simd.MultiplyAdd(v, w0, b0);
                                if (group > 1)
                                {
                                    var w1 = new Vector<float>(Unsafe.Add(ref w, wi + 1));
                                    a1 = Simd.MultiplyAdd(u, w1, a1);
                                    b1 = Simd.MultiplyAdd(v, w1, b1);
                                }

                                if (group > 2)
                                {
                                    var w2 = new Vector<float>(Unsafe.Add(ref w, wi + 2));
                                    a2 = Simd.MultiplyAdd(u, w2, a2);
                                    b2 = Simd.MultiplyAdd(v, w2, b2);
                                }
                            }
                        }

                        // Through a small tile, then across: lane l of filter k goes to pixel ox + l, channel f + k.
                        ref float t = ref MemoryMarshal.GetReference(tile);
                        Simd.Store(ref t, 0, Simd.Activate(a0, s.Activation));
                        Simd.Store(ref t, lanes, Simd.Activate(b0, s.Activation));
                        Simd.Store(ref t, 2 * lanes, Simd.Activate(a1, s.Activation));
                        Simd.Store(ref t, 3 * lanes, Simd.Activate(b1, s.Activation));
                        Simd.Store(ref t, 4 * lanes, Simd.Activate(a2, s.Activation));
                        Simd.Store(ref t, 5 * lanes, Simd.Activate(b2, s.Activation));
                        int pixel = (oy * s.OutputWidth + ox) * filters + f;
                        for (int p = 0; p < 2 * lanes; p++, pixel += filters)
                        {
                            for (int k = 0; k < group; k++)
                            {
                                Unsafe.Add(ref y, pixel + k) = Unsafe.Add(ref t, 2 * k * lanes + p);
                            }
                        }

                        if (ox + 2 * lanes >= s.OutputWidth)
                        {
                            break;
                        }
                    }
                }
            }
        }

        /// <summary>Output pixels the NHWC kernel computes together where their windows need no padding.</summary>
        private const int PixelBlock = 4;

        /// <summary>Output pixels the NHWC depthwise kernel computes together: eight independent sums per vector of channels.</summary>
        private const int DepthwisePixelBlock = 8;

        /// <summary>Whether <paramref name="pixels"/> output pixels from <paramref name="ox"/> all have their windows inside the input row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool InsideRow(int ox, int pixels)
        {
            TShape s = default;
            return ox + pixels <= s.OutputWidth && ox * s.StrideWidth - s.PadLeft >= 0 &&
                   (ox + pixels - 1) * s.StrideWidth - s.PadLeft + (s.KernelWidth - 1) * s.DilationWidth < s.InputWidth;
        }

        /// <summary>Whether the depthwise block from <paramref name="ox"/> lies inside the row and its last load inside the input.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool DepthwiseBlockFits(int ox, int iy0, int kyEnd, int inputLength)
        {
            TShape s = default;
            int lastPixel = (iy0 + (kyEnd - 1) * s.DilationHeight) * s.InputWidth + (ox + DepthwisePixelBlock - 1) * s.StrideWidth - s.PadLeft + (s.KernelWidth - 1) * s.DilationWidth;
            return InsideRow(ox, DepthwisePixelBlock) && lastPixel * s.InChannels + Simd.RoundUp(s.InChannels) <= inputLength;
        }

        /// <summary>
        /// Runs of <see cref="DepthwisePixelBlock"/> output pixels of a row of a DepthwiseConv2D with multiplier 1: each weight
        /// vector loaded once for all of them, their sums independent of each other. Every load lies inside the input
        /// (checked by the caller): a possible call in the loop would cost the sums their registers.
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void DepthwiseBlocksNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias, int oy, int first, int blocks, int iy0, int kyFirst, int kyEnd)
        {
            TShape s = default;
            int lanes = Simd.Lanes, channels = s.InChannels, padded = Simd.RoundUp(channels);
            int step = s.StrideWidth * channels;
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];

            for (int ox = first; ox < first + blocks * DepthwisePixelBlock; ox += DepthwisePixelBlock)
            {
                int ix0 = ox * s.StrideWidth - s.PadLeft, pixel = (oy * s.OutputWidth + ox) * channels;
                // Vectors of channels from the last one down: lanes past a pixel's last channel land on the next pixel's
                // first channels, which are written after.
                for (int c = padded - lanes; c >= 0; c -= lanes)
                {
                    Vector<float> a0 = Simd.Load(ref bias[0], c), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                    for (int ky = kyFirst; ky < kyEnd; ky++)
                    {
                        int row = ((iy0 + ky * s.DilationHeight) * s.InputWidth + ix0) * channels + c;
                        for (int kx = 0; kx < s.KernelWidth; kx++)
                        {
                            Vector<float> k = Simd.Load(ref w, (ky * s.KernelWidth + kx) * padded + c);
                            int xi = row + kx * s.DilationWidth * channels;
                            a0 = Simd.MultiplyAdd(Simd.Load(ref x, xi), k, a0);
                            a1 = Simd.MultiplyAdd(Simd.Load(ref x, xi + step), k, a1);
                            a2 = Simd.MultiplyAdd(Simd.Load(ref x, xi + 2 * step), k, a2);
                            a3 = Simd.MultiplyAdd(Simd.Load(ref x, xi + 3 * step), k, a3);
                            a4 = Simd.MultiplyAdd(Simd.Load(ref x, xi + 4 * step), k, a4);
                            a5 = Simd.MultiplyAdd(Simd.Load(ref x, xi + 5 * step), k, a5);
                            a6 = Simd.MultiplyAdd(Simd.Load(ref x, xi + 6 * step), k, a6);
                            a7 = Simd.MultiplyAdd(Simd.Load(ref x, xi + 7 * step), k, a7);
                        }
                    }

                    int remaining = channels - c;
                    StoreFilters(output, ref y, pixel + c, remaining, a0);
                    StoreFilters(output, ref y, pixel + channels + c, remaining, a1);
                    StoreFilters(output, ref y, pixel + 2 * channels + c, remaining, a2);
                    StoreFilters(output, ref y, pixel + 3 * channels + c, remaining, a3);
                    StoreFilters(output, ref y, pixel + 4 * channels + c, remaining, a4);
                    StoreFilters(output, ref y, pixel + 5 * channels + c, remaining, a5);
                    StoreFilters(output, ref y, pixel + 6 * channels + c, remaining, a6);
                    StoreFilters(output, ref y, pixel + 7 * channels + c, remaining, a7);
                }
            }
        }

        /// <summary>
        /// Runs of <see cref="PixelBlock"/> output pixels of a row, up to two vectors of filters at a time: 8 accumulators, each
        /// weight vector loaded once for four pixels and each input value broadcast once for both vectors.
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void PixelBlocksNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias, int oy, int first, int blocks, int iy0, int kyFirst, int kyEnd)
        {
            TShape s = default;
            int lanes = Simd.Lanes, inChannels = s.InChannels, filters = s.OutChannels, paddedFilters = Simd.RoundUp(filters);
            int step = s.StrideWidth * inChannels;
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];
            ref float b = ref bias[0];
            bool oneBlock = paddedFilters <= 2 * lanes;
            int end = first + blocks * PixelBlock;
            for (int ox = first; ox < end; ox += PixelBlock)
            {
                int ix0 = ox * s.StrideWidth - s.PadLeft, pixel = (oy * s.OutputWidth + ox) * filters;
                if (paddedFilters == lanes && ox + 2 * PixelBlock <= end)
                {
                    // One vector of filters and two blocks left: eight pixels at once, each weight vector loaded once for them.
#if NET8_0_OR_GREATER
                    if (PairsInputs)
                    {
                        EightPixelsPairedNhwc(ref x, ref y, ref w, Simd.Load(ref b, 0), output, pixel, iy0, ix0, kyFirst, kyEnd);
                        ox += PixelBlock;
                        continue;
                    }
#endif
                    EightPixelsNhwc(ref x, ref y, ref w, Simd.Load(ref b, 0), output, pixel, iy0, ix0, kyFirst, kyEnd);
                    ox += PixelBlock;
                    continue;
                }

#if NET8_0_OR_GREATER
                if (WideFilters)
                {
                    FourPixelsWideNhwc(ref x, ref y, ref w, ref b, output, pixel, iy0, ix0, kyFirst, kyEnd);
                    continue;
                }
#endif
                for (int block = 0; block < paddedFilters; block += 2 * lanes)
                {
                    bool two = block + lanes < paddedFilters;
                    Vector<float> a0 = Simd.Load(ref b, block), a1 = a0, a2 = a0, a3 = a0;
                    Vector<float> c0 = two ? Simd.Load(ref b, block + lanes) : default, c1 = c0, c2 = c0, c3 = c0;
                    for (int ky = kyFirst; ky < kyEnd; ky++)
                    {
                        int row = (iy0 + ky * s.DilationHeight) * s.InputWidth + ix0;

                        // Without dilation across, a kernel row's columns and their channels lie next to each other in
                        // the input and in the packed kernel alike: one loop over all of them, not one per column.
                        int columns = s.DilationWidth == 1 ? 1 : s.KernelWidth, length = s.DilationWidth == 1 ? s.KernelWidth * inChannels : inChannels;
                        for (int kx = 0; kx < columns; kx++)
                        {
                            int xi = (row + kx * s.DilationWidth) * inChannels;
                            int wi = (ky * s.KernelWidth + kx) * inChannels * paddedFilters + block;
                            int c = 0;
                            if (!two)
                            {
                                // One vector of filters: the second set of sums takes the odd input channels, so that
                                // eight chains of multiply-adds, not four, hide the latency.
                                ref float p = ref Unsafe.Add(ref x, xi);
                                ref float q = ref Unsafe.Add(ref w, wi);
                                for (; c + 2 <= length; c += 2, p = ref Unsafe.Add(ref p, 2), q = ref Unsafe.Add(ref q, 2 * paddedFilters))
                                {
                                    Vector<float> w0 = Simd.Load(ref q, 0), w1 = Simd.Load(ref q, paddedFilters);
                                    a0 = Simd.MultiplyAdd(new Vector<float>(p), w0, a0);
                                    a1 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, step)), w0, a1);
                                    a2 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 2 * step)), w0, a2);
                                    a3 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 3 * step)), w0, a3);
                                    c0 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 1)), w1, c0);
                                    c1 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 1 + step)), w1, c1);
                                    c2 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 1 + 2 * step)), w1, c2);
                                    c3 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 1 + 3 * step)), w1, c3);
                                }

                                wi += c * paddedFilters;
                            }

                            for (; c < length; c++, wi += paddedFilters)
                            {
                                Vector<float> w0 = Simd.Load(ref w, wi);
                                var v0 = new Vector<float>(Unsafe.Add(ref x, xi + c));
                                var v1 = new Vector<float>(Unsafe.Add(ref x, xi + c + step));
                                var v2 = new Vector<float>(Unsafe.Add(ref x, xi + c + 2 * step));
                                var v3 = new Vector<float>(Unsafe.Add(ref x, xi + c + 3 * step));
                                a0 = Simd.MultiplyAdd(v0, w0, a0);
                                a1 = Simd.MultiplyAdd(v1, w0, a1);
                                a2 = Simd.MultiplyAdd(v2, w0, a2);
                                a3 = Simd.MultiplyAdd(v3, w0, a3);
                                if (two)
                                {
                                    Vector<float> w1 = Simd.Load(ref w, wi + lanes);
                                    c0 = Simd.MultiplyAdd(v0, w1, c0);
                                    c1 = Simd.MultiplyAdd(v1, w1, c1);
                                    c2 = Simd.MultiplyAdd(v2, w1, c2);
                                    c3 = Simd.MultiplyAdd(v3, w1, c3);
                                }
                            }
                        }
                    }

                    if (!two)
                    {
                        a0 += c0;
                        a1 += c1;
                        a2 += c2;
                        a3 += c3;
                    }

                    // Pixel by pixel, so that lanes past one pixel's filters land where the next pixel is written after.
                    int remaining = filters - block;
                    StoreBlock(output, ref y, pixel + block, remaining, a0, c0, two, oneBlock);
                    StoreBlock(output, ref y, pixel + filters + block, remaining, a1, c1, two, oneBlock);
                    StoreBlock(output, ref y, pixel + 2 * filters + block, remaining, a2, c2, two, oneBlock);
                    StoreBlock(output, ref y, pixel + 3 * filters + block, remaining, a3, c3, two, oneBlock);
                }
            }
        }

        /// <summary>
        /// Eight output pixels of a row with one vector of filters: eight independent sums, each weight vector loaded once
        /// for all of them, half the blocks of four and their bookkeeping. A method of its own, like the other blocks of
        /// <see cref="PixelBlocksNhwc"/>: inlined, the JIT compiled it into the pixel-block loop of every Conv2D, also
        /// where the branch that calls it is dead (the branches fold only after inlining), 2-3 ms a layer on the first
        /// call (mini-Xception's first Predict 171 -> 138 ms, with EightPixelsPairedNhwc).
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void EightPixelsNhwc(ref float x, ref float y, ref float w, Vector<float> bias, Span<float> output, int pixel, int iy0, int ix0, int kyFirst, int kyEnd)
        {
            TShape s = default;
            int inChannels = s.InChannels, filters = s.OutChannels, paddedFilters = Simd.RoundUp(filters), step = s.StrideWidth * inChannels;
            Vector<float> a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
            for (int ky = kyFirst; ky < kyEnd; ky++)
            {
                int row = (iy0 + ky * s.DilationHeight) * s.InputWidth + ix0;
                int columns = s.DilationWidth == 1 ? 1 : s.KernelWidth, length = s.DilationWidth == 1 ? s.KernelWidth * inChannels : inChannels;
                for (int kx = 0; kx < columns; kx++)
                {
                    ref float p = ref Unsafe.Add(ref x, (row + kx * s.DilationWidth) * inChannels);
                    ref float q = ref Unsafe.Add(ref w, (ky * s.KernelWidth + kx) * inChannels * paddedFilters);
                    for (int c = 0; c < length; c++, p = ref Unsafe.Add(ref p, 1), q = ref Unsafe.Add(ref q, paddedFilters))
                    {
                        Vector<float> k = Simd.Load(ref q, 0);
                        a0 = Simd.MultiplyAdd(new Vector<float>(p), k, a0);
                        a1 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, step)), k, a1);
                        a2 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 2 * step)), k, a2);
                        a3 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 3 * step)), k, a3);
                        a4 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 4 * step)), k, a4);
                        a5 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 5 * step)), k, a5);
                        a6 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 6 * step)), k, a6);
                        a7 = Simd.MultiplyAdd(new Vector<float>(Unsafe.Add(ref p, 7 * step)), k, a7);
                    }
                }
            }

            // Pixel by pixel: lanes past one pixel's filters land where the next pixel is written after.
            StoreFilters(output, ref y, pixel, filters, a0);
            StoreFilters(output, ref y, pixel + filters, filters, a1);
            StoreFilters(output, ref y, pixel + 2 * filters, filters, a2);
            StoreFilters(output, ref y, pixel + 3 * filters, filters, a3);
            StoreFilters(output, ref y, pixel + 4 * filters, filters, a4);
            StoreFilters(output, ref y, pixel + 5 * filters, filters, a5);
            StoreFilters(output, ref y, pixel + 6 * filters, filters, a6);
            StoreFilters(output, ref y, pixel + 7 * filters, filters, a7);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreBlock(Span<float> output, ref float y, int index, int remaining, Vector<float> first, Vector<float> second, bool two, bool spill)
        {
            StoreFilters(output, ref y, index, remaining, first, spill && !two);
            if (two)
            {
                StoreFilters(output, ref y, index + Simd.Lanes, remaining - Simd.Lanes, second, spill);
            }
        }

        /// <summary>
        /// Stores the activated vector of filters at <paramref name="index"/>. Lanes past the pixel's last filter land
        /// on the next pixel, which is written after this one (where <paramref name="spill"/> says so); otherwise, and at
        /// the span's very end, the lanes go one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreFilters(Span<float> output, ref float y, int index, int remaining, Vector<float> value, bool spill = true)
        {
            value = Simd.Activate(value, default(TShape).Activation);
            if ((spill || remaining >= Simd.Lanes) && index + Simd.Lanes <= output.Length)
            {
                Simd.Store(ref y, index, value);
                return;
            }

            for (int lane = 0; lane < Math.Min(remaining, Simd.Lanes); lane++)
            {
                output[index + lane] = value[lane];
            }
        }

        [MethodImpl(Simd.OptimizeFully)]
        private static void ForwardDepthwiseNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            int channels = s.InChannels, multiplier = s.DepthMultiplier, padded = Simd.RoundUp(channels);
            for (int oy = 0; oy < s.OutputHeight; ActivateRow(output, oy), oy++)
            {
                int iy0 = oy * s.StrideHeight - s.PadTop;
                Range(iy0, s.DilationHeight, s.KernelHeight, s.InputHeight, out int kyFirst, out int kyEnd);
                for (int ox = 0; ox < s.OutputWidth; ox++)
                {
                    int ix0 = ox * s.StrideWidth - s.PadLeft;
                    if (multiplier == 1 && DepthwiseBlockFits(ox, iy0, kyEnd, input.Length))
                    {
                        // Runs of eight pixels whose windows lie inside the row, and whose last vectors end inside the input.
                        int blocks = 1;
                        while (DepthwiseBlockFits(ox + blocks * DepthwisePixelBlock, iy0, kyEnd, input.Length))
                        {
                            blocks++;
                        }

                        DepthwiseBlocksNhwc(input, output, kernel, bias, oy, ox, blocks, iy0, kyFirst, kyEnd);
                        ox += blocks * DepthwisePixelBlock - 1;
                        continue;
                    }

                    Range(ix0, s.DilationWidth, s.KernelWidth, s.InputWidth, out int kxFirst, out int kxEnd);
                    int pixel = (oy * s.OutputWidth + ox) * channels * multiplier;
                    if (((iy0 + (kyEnd - 1) * s.DilationHeight) * s.InputWidth + ix0 + (kxEnd - 1) * s.DilationWidth) * channels + padded <= input.Length)
                    {
                        DepthwisePixelNhwc(input, output, kernel, bias, pixel, iy0, ix0, kyFirst, kyEnd, kxFirst, kxEnd, clipped: false);
                    }
                    else
                    {
                        DepthwisePixelClippedNhwc(input, output, kernel, bias, pixel, iy0, ix0, kyFirst, kyEnd, kxFirst, kxEnd);
                    }
                }
            }
        }

        /// <summary>The last pixels of the input, whose last vector of channels may pass its end.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | Simd.OptimizeFully)]
        private static void DepthwisePixelClippedNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias,
                                                      int pixel, int iy0, int ix0, int kyFirst, int kyEnd, int kxFirst, int kxEnd) =>
            DepthwisePixelNhwc(input, output, kernel, bias, pixel, iy0, ix0, kyFirst, kyEnd, kxFirst, kxEnd, clipped: true);

        /// <summary>
        /// One output pixel of a DepthwiseConv2D over the taps inside the input. Unless <paramref name="clipped"/>, every
        /// load lies inside the input (checked by the caller), so the loop holds no call that would cost the sums their
        /// registers.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void DepthwisePixelNhwc(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias,
                                               int pixel, int iy0, int ix0, int kyFirst, int kyEnd, int kxFirst, int kxEnd, bool clipped)
        {
            TShape s = default;
            int lanes = Simd.Lanes, channels = s.InChannels, multiplier = s.DepthMultiplier, padded = Simd.RoundUp(channels);
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];
            ref float b = ref bias[0];
            for (int c = 0; c < padded; c += lanes)
            {
                // Each vector of input channels is loaded once per tap and feeds up to four multipliers.
                for (int m = 0; m < multiplier; m += 4)
                {
                    int group = Math.Min(4, multiplier - m);
                    Vector<float> a0 = Simd.Load(ref b, m * padded + c);
                    Vector<float> a1 = group > 1 ? Simd.Load(ref b, (m + 1) * padded + c) : default;
                    Vector<float> a2 = group > 2 ? Simd.Load(ref b, (m + 2) * padded + c) : default;
                    Vector<float> a3 = group > 3 ? Simd.Load(ref b, (m + 3) * padded + c) : default;
                    for (int ky = kyFirst; ky < kyEnd; ky++)
                    {
                        int row = (iy0 + ky * s.DilationHeight) * s.InputWidth;
                        for (int kx = kxFirst; kx < kxEnd; kx++)
                        {
                            int index = (row + ix0 + kx * s.DilationWidth) * channels + c;
                            Vector<float> v = clipped ? Simd.LoadClipped(input, ref x, index) : Simd.Load(ref x, index);
                            int wi = ((ky * s.KernelWidth + kx) * multiplier + m) * padded + c;
                            a0 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi), a0);
                            if (group > 1)
                            {
                                a1 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi + padded), a1);
                            }

                            if (group > 2)
                            {
                                a2 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi + 2 * padded), a2);
                            }

                            if (group > 3)
                            {
                                a3 = Simd.MultiplyAdd(v, Simd.Load(ref w, wi + 3 * padded), a3);
                            }
                        }
                    }

                    if (multiplier == 1)
                    {
                        StoreFilters(output, ref y, pixel + c, channels - c, a0);
                        continue;
                    }

                    StoreMultiplier(ref y, pixel, c, m, a0);
                    if (group > 1)
                    {
                        StoreMultiplier(ref y, pixel, c, m + 1, a1);
                    }

                    if (group > 2)
                    {
                        StoreMultiplier(ref y, pixel, c, m + 2, a2);
                    }

                    if (group > 3)
                    {
                        StoreMultiplier(ref y, pixel, c, m + 3, a3);
                    }
                }
            }
        }

        /// <summary>Output channel <c>c * multiplier + m</c>: a vector's lanes go to every multiplier-th value of the pixel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreMultiplier(ref float y, int pixel, int c, int m, Vector<float> value)
        {
            TShape s = default;
            value = Simd.Activate(value, s.Activation);
            for (int lane = 0; lane < Math.Min(Simd.Lanes, s.InChannels - c); lane++)
            {
                Unsafe.Add(ref y, pixel + (c + lane) * s.DepthMultiplier + m) = value[lane];
            }
        }

        [MethodImpl(Simd.OptimizeFully)]
        private static void ForwardNchw(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            if (s.StrideWidth != 1 || s.OutputWidth < Simd.Lanes)
            {
                ForwardNchwPerPixel(input, output, kernel, bias);
                return;
            }

            int padBottom = Math.Max(0, (s.OutputHeight - 1) * s.StrideHeight + (s.KernelHeight - 1) * s.DilationHeight + 1 - s.InputHeight - s.PadTop);
            int padRight = Math.Max(0, s.OutputWidth - 1 + (s.KernelWidth - 1) * s.DilationWidth + 1 - s.InputWidth - s.PadLeft);
            int height = s.InputHeight + s.PadTop + padBottom, width = s.InputWidth + s.PadLeft + padRight;
            ReadOnlySpan<float> source = input;
            if (s.PadTop + padBottom + s.PadLeft + padRight > 0)
            {
                // Zero borders, so that every window reads inside the copy without a check.
                float[] padded = t_padded ??= new float[s.InChannels * height * width];
                for (int c = 0; c < s.InChannels; c++)
                {
                    for (int iy = 0; iy < s.InputHeight; iy++)
                    {
                        input.Slice((c * s.InputHeight + iy) * s.InputWidth, s.InputWidth).CopyTo(padded.AsSpan(((c * height) + iy + s.PadTop) * width + s.PadLeft));
                    }
                }

                source = padded;
            }

            if (s.Depthwise)
            {
                DepthwiseRows(source, height, width, output, kernel, bias);
            }
            else
            {
                ConvolutionRows(source, height, width, output, kernel, bias);
            }
        }

        /// <summary>Four filters at a time over a vector of output pixels: each input vector feeds four multiply-adds.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void ConvolutionRows(ReadOnlySpan<float> source, int height, int width, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            int lanes = Simd.Lanes, taps = Taps, inChannels = s.InChannels, perFilter = inChannels * taps;
            ref float x = ref MemoryMarshal.GetReference(source);
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];
            for (int o = 0; o < s.OutChannels; o += 4)
            {
                int group = Math.Min(4, s.OutChannels - o);
                for (int oy = 0; oy < s.OutputHeight; oy++)
                {
                    for (int ox = 0; ; ox += lanes)
                    {
                        // The last vector ends at the row's end, overlapping the one before: the same values again.
                        ox = Math.Min(ox, s.OutputWidth - lanes);
                        var a0 = new Vector<float>(bias[o]);
                        Vector<float> a1 = group > 1 ? new Vector<float>(bias[o + 1]) : default;
                        Vector<float> a2 = group > 2 ? new Vector<float>(bias[o + 2]) : default;
                        Vector<float> a3 = group > 3 ? new Vector<float>(bias[o + 3]) : default;
                        for (int c = 0; c < inChannels; c++)
                        {
                            for (int ky = 0; ky < s.KernelHeight; ky++)
                            {
                                int row = (c * height + oy * s.StrideHeight + ky * s.DilationHeight) * width + ox;
                                int wi = o * perFilter + c * taps + ky * s.KernelWidth;
                                for (int kx = 0; kx < s.KernelWidth; kx++, wi++)
                                {
                                    Vector<float> v = Simd.Load(ref x, row + kx * s.DilationWidth);
                                    a0 = Simd.MultiplyAdd(v, new Vector<float>(Unsafe.Add(ref w, wi)), a0);
                                    if (group > 1)
                                    {
                                        a1 = Simd.MultiplyAdd(v, new Vector<float>(Unsafe.Add(ref w, wi + perFilter)), a1);
                                    }

                                    if (group > 2)
                                    {
                                        a2 = Simd.MultiplyAdd(v, new Vector<float>(Unsafe.Add(ref w, wi + 2 * perFilter)), a2);
                                    }

                                    if (group > 3)
                                    {
                                        a3 = Simd.MultiplyAdd(v, new Vector<float>(Unsafe.Add(ref w, wi + 3 * perFilter)), a3);
                                    }
                                }
                            }
                        }

                        int at = (o * s.OutputHeight + oy) * s.OutputWidth + ox, plane = s.OutputHeight * s.OutputWidth;
                        Simd.Store(ref y, at, Simd.Activate(a0, s.Activation));
                        if (group > 1)
                        {
                            Simd.Store(ref y, at + plane, Simd.Activate(a1, s.Activation));
                        }

                        if (group > 2)
                        {
                            Simd.Store(ref y, at + 2 * plane, Simd.Activate(a2, s.Activation));
                        }

                        if (group > 3)
                        {
                            Simd.Store(ref y, at + 3 * plane, Simd.Activate(a3, s.Activation));
                        }

                        if (ox + lanes >= s.OutputWidth)
                        {
                            break;
                        }
                    }
                }
            }
        }

        /// <summary>One output channel over a vector of output pixels, from its one input plane.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void DepthwiseRows(ReadOnlySpan<float> source, int height, int width, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            int lanes = Simd.Lanes, taps = Taps;
            ref float x = ref MemoryMarshal.GetReference(source);
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float w = ref kernel[0];
            for (int o = 0; o < s.OutChannels; o++)
            {
                int c = o / s.DepthMultiplier;
                for (int oy = 0; oy < s.OutputHeight; oy++)
                {
                    for (int ox = 0; ; ox += lanes)
                    {
                        ox = Math.Min(ox, s.OutputWidth - lanes);
                        var a = new Vector<float>(bias[o]);
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                        {
                            int row = (c * height + oy * s.StrideHeight + ky * s.DilationHeight) * width + ox;
                            int wi = o * taps + ky * s.KernelWidth;
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                a = Simd.MultiplyAdd(Simd.Load(ref x, row + kx * s.DilationWidth), new Vector<float>(Unsafe.Add(ref w, wi + kx)), a);
                            }
                        }

                        Simd.Store(ref y, (o * s.OutputHeight + oy) * s.OutputWidth + ox, Simd.Activate(a, s.Activation));
                        if (ox + lanes >= s.OutputWidth)
                        {
                            break;
                        }
                    }
                }
            }
        }

        /// <summary>NCHW with a stride across, or rows narrower than a vector: one output value at a time.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void ForwardNchwPerPixel(ReadOnlySpan<float> input, Span<float> output, float[] kernel, float[] bias)
        {
            TShape s = default;
            int taps = Taps, group = GroupChannels;
            for (int o = 0; o < s.OutChannels; o++)
            {
                int firstChannel = s.Depthwise ? o / s.DepthMultiplier : 0;
                for (int oy = 0; oy < s.OutputHeight; oy++)
                {
                    int iy0 = oy * s.StrideHeight - s.PadTop;
                    Range(iy0, s.DilationHeight, s.KernelHeight, s.InputHeight, out int kyFirst, out int kyEnd);
                    for (int ox = 0; ox < s.OutputWidth; ox++)
                    {
                        int ix0 = ox * s.StrideWidth - s.PadLeft;
                        Range(ix0, s.DilationWidth, s.KernelWidth, s.InputWidth, out int kxFirst, out int kxEnd);
                        float sum = bias[o];
                        for (int g = 0; g < group; g++)
                        {
                            int plane = (firstChannel + g) * s.InputHeight;
                            for (int ky = kyFirst; ky < kyEnd; ky++)
                            {
                                int row = (plane + iy0 + ky * s.DilationHeight) * s.InputWidth + ix0;
                                int wi = (o * group + g) * taps + ky * s.KernelWidth;
                                for (int kx = kxFirst; kx < kxEnd; kx++)
                                {
                                    sum += input[row + kx * s.DilationWidth] * kernel[wi + kx];
                                }
                            }
                        }

                        output[(o * s.OutputHeight + oy) * s.OutputWidth + ox] = Simd.Activate(sum, s.Activation);
                    }
                }
            }
        }
    }
}

#if NET8_0_OR_GREATER
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// NHWC Conv2D blocks on 512-bit vectors for AVX-512 machines, where <see cref="Vector{T}"/> keeps 256 bits (the
    /// runtime's default): the JIT drops them elsewhere, as their conditions are constants to it.
    /// </summary>
    public static partial class Convolution<TShape>
    {
        /// <summary>Whether NHWC filters run 16 to a vector in <see cref="FourPixelsWideNhwc"/>: whole 512-bit vectors of them.</summary>
        private static bool WideFilters
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Avx512F.IsSupported && Vector<float>.Count == 8 && Simd.RoundUp(default(TShape).OutChannels) % 16 == 0;
        }

        /// <summary>
        /// Four output pixels of a row, as a block of <see cref="PixelBlocksNhwc"/> on 512-bit vectors: up to two vectors
        /// of filters (eight sums), or one vector with the odd window values in a second set of sums. Half the
        /// multiply-adds of the 256-bit block (mini-Xception's 1x1 stride-2 Conv2Ds, 16 to 128 filters). A method of its own,
        /// compiled fully optimized: inlined, it outgrew the JIT's inlining budget of the pixel-block loop, which then
        /// called it as tier-0 code for the first thirty calls (mini-Xception's calls 2-50 at 2.5x steady).
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void FourPixelsWideNhwc(ref float x, ref float y, ref float w, ref float b, Span<float> output, int pixel, int iy0, int ix0, int kyFirst, int kyEnd)
        {
            TShape s = default;
            int inChannels = s.InChannels, filters = s.OutChannels, paddedFilters = Simd.RoundUp(filters), step = s.StrideWidth * inChannels;
            int columns = s.DilationWidth == 1 ? 1 : s.KernelWidth, length = s.DilationWidth == 1 ? s.KernelWidth * inChannels : inChannels;
            for (int block = 0; block < paddedFilters; block += 32)
            {
                bool two = block + 16 < paddedFilters;
                Vector512<float> a0 = Vector512.LoadUnsafe(ref b, (nuint)block), a1 = a0, a2 = a0, a3 = a0;
                Vector512<float> c0 = two ? Vector512.LoadUnsafe(ref b, (nuint)(block + 16)) : Vector512<float>.Zero, c1 = c0, c2 = c0, c3 = c0;
                for (int ky = kyFirst; ky < kyEnd; ky++)
                {
                    int row = (iy0 + ky * s.DilationHeight) * s.InputWidth + ix0;
                    for (int kx = 0; kx < columns; kx++)
                    {
                        ref float p = ref Unsafe.Add(ref x, (row + kx * s.DilationWidth) * inChannels);
                        ref float q = ref Unsafe.Add(ref w, (ky * s.KernelWidth + kx) * inChannels * paddedFilters + block);
                        int c = 0;
                        if (!two)
                        {
                            for (; c + 2 <= length; c += 2, p = ref Unsafe.Add(ref p, 2), q = ref Unsafe.Add(ref q, 2 * paddedFilters))
                            {
                                Vector512<float> w0 = Vector512.LoadUnsafe(ref q), w1 = Vector512.LoadUnsafe(ref q, (nuint)paddedFilters);
                                a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(p), w0, a0);
                                a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, step)), w0, a1);
                                a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 2 * step)), w0, a2);
                                a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 3 * step)), w0, a3);
                                c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 1)), w1, c0);
                                c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 1 + step)), w1, c1);
                                c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 1 + 2 * step)), w1, c2);
                                c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 1 + 3 * step)), w1, c3);
                            }
                        }

                        for (; c < length; c++, p = ref Unsafe.Add(ref p, 1), q = ref Unsafe.Add(ref q, paddedFilters))
                        {
                            Vector512<float> w0 = Vector512.LoadUnsafe(ref q);
                            Vector512<float> v0 = Vector512.Create(p), v1 = Vector512.Create(Unsafe.Add(ref p, step));
                            Vector512<float> v2 = Vector512.Create(Unsafe.Add(ref p, 2 * step)), v3 = Vector512.Create(Unsafe.Add(ref p, 3 * step));
                            a0 = Avx512F.FusedMultiplyAdd(v0, w0, a0);
                            a1 = Avx512F.FusedMultiplyAdd(v1, w0, a1);
                            a2 = Avx512F.FusedMultiplyAdd(v2, w0, a2);
                            a3 = Avx512F.FusedMultiplyAdd(v3, w0, a3);
                            if (two)
                            {
                                Vector512<float> w1 = Vector512.LoadUnsafe(ref q, 16);
                                c0 = Avx512F.FusedMultiplyAdd(v0, w1, c0);
                                c1 = Avx512F.FusedMultiplyAdd(v1, w1, c1);
                                c2 = Avx512F.FusedMultiplyAdd(v2, w1, c2);
                                c3 = Avx512F.FusedMultiplyAdd(v3, w1, c3);
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

                // Pixel by pixel, so that lanes past one pixel's filters land where the next pixel is written after
                // (where the filters are one block).
                bool spill = paddedFilters <= 32;
                int remaining = filters - block;
                for (int i = 0; i < PixelBlock; i++)
                {
                    Vector512<float> first = i == 0 ? a0 : i == 1 ? a1 : i == 2 ? a2 : a3;
                    StoreWide(output, ref y, pixel + i * filters + block, remaining, first, spill && !two);
                    if (two)
                    {
                        StoreWide(output, ref y, pixel + i * filters + block + 16, remaining - 16, i == 0 ? c0 : i == 1 ? c1 : i == 2 ? c2 : c3, spill);
                    }
                }
            }
        }

        /// <summary><see cref="StoreFilters"/> of a 512-bit vector of filters: its two halves, the second where it holds any.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreWide(Span<float> output, ref float y, int index, int remaining, Vector512<float> value, bool spill)
        {
            StoreFilters(output, ref y, index, remaining, value.GetLower().AsVector(), spill);
            if (remaining > 8)
            {
                StoreFilters(output, ref y, index + 8, remaining - 8, value.GetUpper().AsVector(), spill);
            }
        }

        /// <summary>
        /// Whether eight NHWC output pixels with eight filters run as <see cref="EightPixelsPairedNhwc"/>: on AVX-512,
        /// where <see cref="Vector{T}"/> keeps 256 bits (the runtime's default), a 512-bit vector holds the eight filters
        /// twice, for two inputs at once.
        /// </summary>
        private static bool PairsInputs
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Avx512F.IsSupported && Vector<float>.Count == 8 && Simd.RoundUp(default(TShape).OutChannels) == 8 && default(TShape).DilationWidth == 1;
        }

        /// <summary>
        /// Eight output pixels of a row with eight filters, as <see cref="EightPixelsNhwc"/> but on 512-bit vectors: each
        /// multiply-add takes two neighbouring values of a pixel's window (one 64-bit broadcast) against both of their
        /// weight vectors interleaved, so lanes 2f and 2f + 1 hold filter f's sums over the even and the odd values of the
        /// window, added at the end. Twice the multiply-adds per instruction of the 256-bit kernel (the 8 -> 8 3x3
        /// Conv2D of mini-Xception). A kernel row of odd length leaves one value, taken on 256 bits. A method of its own
        /// (see <see cref="EightPixelsNhwc"/>).
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        private static void EightPixelsPairedNhwc(ref float x, ref float y, ref float w, Vector<float> bias, Span<float> output, int pixel, int iy0, int ix0, int kyFirst, int kyEnd)
        {
            TShape s = default;
            int inChannels = s.InChannels, filters = s.OutChannels, step = s.StrideWidth * inChannels, length = s.KernelWidth * inChannels;
            Vector512<int> interleave = Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
            Vector512<float> a0 = Avx512F.PermuteVar16x32(Vector512.Create(bias.AsVector256(), Vector256<float>.Zero), interleave);
            Vector512<float> a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            Vector256<float> t0 = Vector256<float>.Zero, t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
            for (int ky = kyFirst; ky < kyEnd; ky++)
            {
                ref float p = ref Unsafe.Add(ref x, ((iy0 + ky * s.DilationHeight) * s.InputWidth + ix0) * inChannels);
                ref float q = ref Unsafe.Add(ref w, ky * length * 8);
                int j = 0;
                for (; j + 2 <= length; j += 2, p = ref Unsafe.Add(ref p, 2), q = ref Unsafe.Add(ref q, 16))
                {
                    Vector512<float> k = Avx512F.PermuteVar16x32(Vector512.LoadUnsafe(ref q), interleave);
                    a0 = Avx512F.FusedMultiplyAdd(Pair(ref p, 0), k, a0);
                    a1 = Avx512F.FusedMultiplyAdd(Pair(ref p, step), k, a1);
                    a2 = Avx512F.FusedMultiplyAdd(Pair(ref p, 2 * step), k, a2);
                    a3 = Avx512F.FusedMultiplyAdd(Pair(ref p, 3 * step), k, a3);
                    a4 = Avx512F.FusedMultiplyAdd(Pair(ref p, 4 * step), k, a4);
                    a5 = Avx512F.FusedMultiplyAdd(Pair(ref p, 5 * step), k, a5);
                    a6 = Avx512F.FusedMultiplyAdd(Pair(ref p, 6 * step), k, a6);
                    a7 = Avx512F.FusedMultiplyAdd(Pair(ref p, 7 * step), k, a7);
                }

                if (length % 2 != 0)
                {
                    Vector256<float> k = Vector256.LoadUnsafe(ref q);
                    t0 = Fma.MultiplyAdd(Vector256.Create(p), k, t0);
                    t1 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, step)), k, t1);
                    t2 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, 2 * step)), k, t2);
                    t3 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, 3 * step)), k, t3);
                    t4 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, 4 * step)), k, t4);
                    t5 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, 5 * step)), k, t5);
                    t6 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, 6 * step)), k, t6);
                    t7 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref p, 7 * step)), k, t7);
                }
            }

            StorePairs(output, ref y, pixel, filters, a0, a1, t0, t1);
            StorePairs(output, ref y, pixel + 2 * filters, filters, a2, a3, t2, t3);
            StorePairs(output, ref y, pixel + 4 * filters, filters, a4, a5, t4, t5);
            StorePairs(output, ref y, pixel + 6 * filters, filters, a6, a7, t6, t7);
        }

        /// <summary>Two neighbouring values from <paramref name="offset"/>, repeated across a 512-bit vector.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Pair(ref float p, int offset) =>
            Vector512.Create(Unsafe.ReadUnaligned<double>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref p, offset)))).AsSingle();

        /// <summary>Two pixels' interleaved sums added lane pair by lane pair, with their odd values' sums, then stored one pixel after the other.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StorePairs(Span<float> output, ref float y, int pixel, int filters, Vector512<float> first, Vector512<float> second, Vector256<float> firstOdd, Vector256<float> secondOdd)
        {
            Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            Vector512<float> sum = Avx512F.PermuteVar16x32x2(first, even, second) + Avx512F.PermuteVar16x32x2(first, even + Vector512<int>.One, second);
            if (default(TShape).KernelWidth * default(TShape).InChannels % 2 != 0)
            {
                sum += Vector512.Create(firstOdd, secondOdd);
            }

            StoreFilters(output, ref y, pixel, filters, sum.GetLower().AsVector());
            StoreFilters(output, ref y, pixel + filters, filters, sum.GetUpper().AsVector());
        }
    }
}
#endif

#if NET8_0_OR_GREATER
using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SepConvGen.Kernels
{
    public static partial class Convolution<TShape>
    {
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
        /// Conv2D of mini-Xception). A kernel row of odd length leaves one value, taken on 256 bits.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

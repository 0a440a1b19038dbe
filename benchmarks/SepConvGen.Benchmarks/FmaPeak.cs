using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// This machine's single-core FP32 FMA peak: 12 independent FMA chains (enough to cover the latency on two
    /// FMA pipes) of the widest accelerated vectors, timed over a fixed count. A layer's GFLOP/s is reported as
    /// a share of it.
    /// </summary>
    public static class FmaPeak
    {
        /// <summary>The vector width the peak was measured with.</summary>
        public static int Bits => Vector512.IsHardwareAccelerated ? 512 : 256;

        public static double MeasureGflops()
        {
            int lanes = Bits / 32;
            const long iterations = 20_000_000;
            Run(1000);
            Run512(1000);
            double best = 0;
            for (int attempt = 0; attempt < 5; attempt++)
            {
                long start = Stopwatch.GetTimestamp();
                float sink = Bits == 512 ? Run512(iterations) : Run(iterations);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                double gflops = iterations * 12 * lanes * 2 / seconds / 1e9 + (sink == 42 ? 1e-9 : 0);
                best = System.Math.Max(best, gflops);
            }

            return best;
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Run(long iterations)
        {
            Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            Vector256<float> x = Vector256.Create(0.999999f), y = Vector256.Create(1e-7f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
                a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
                a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
                a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
                a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
                a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
            }

            Vector256<float> sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
            return Vector256.Sum(sum);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Run512(long iterations)
        {
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            Vector512<float> x = Vector512.Create(0.999999f), y = Vector512.Create(1e-7f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
                a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
                a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
                a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
                a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
                a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            }

            Vector512<float> sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
            return Vector512.Sum(sum);
        }
    }
}

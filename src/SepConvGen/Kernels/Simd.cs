using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace SepConvGen.Kernels
{
    /// <summary>
    /// Vector helpers of the shape-generic kernels: unchecked loads and stores (each kernel checks its spans once at
    /// entry) and a multiply-add that is one fused instruction where the hardware has it.
    /// </summary>
    internal static class Simd
    {
        /// <summary>
        /// AggressiveOptimization (absent from netstandard2.0's enum, honored by every .NET runtime since Core 3.0): the
        /// kernels are compiled fully optimized on their first call, since tier-0 code of their loops runs many times
        /// slower (docs/benchmarks.md, "From the first call").
        /// </summary>
        public const MethodImplOptions OptimizeFully = (MethodImplOptions)512;

        public static int Lanes
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector<float>.Count;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Load(ref float origin, int index) =>
            Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref origin, index)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(ref float origin, int index, Vector<float> value) =>
            Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref origin, index)), value);

        /// <summary>A vector from <paramref name="index"/>; at the very end of <paramref name="span"/> the lanes past it read as zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> LoadClipped(ReadOnlySpan<float> span, ref float origin, int index)
        {
            if (index + Vector<float>.Count <= span.Length)
            {
                return Load(ref origin, index);
            }

            return LoadTail(span, index);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Vector<float> LoadTail(ReadOnlySpan<float> span, int index)
        {
            Span<float> tail = stackalloc float[Vector<float>.Count];
            tail.Clear();
            span.Slice(index).CopyTo(tail);
            return Load(ref MemoryMarshal.GetReference(tail), 0);
        }

        /// <summary><c>a * b + c</c>, fused (one rounding) where the hardware has FMA.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c)
        {
#if NET8_0_OR_GREATER
            if (System.Runtime.Intrinsics.X86.Fma.IsSupported && Vector<float>.Count == 8)
            {
                return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a.AsVector256(), b.AsVector256(), c.AsVector256()).AsVector();
            }

            if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && Vector<float>.Count == 16)
            {
                return System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a.AsVector512(), b.AsVector512(), c.AsVector512()).AsVector();
            }

            if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported && Vector<float>.Count == 4)
            {
                return System.Runtime.Intrinsics.Arm.AdvSimd.FusedMultiplyAdd(c.AsVector128(), a.AsVector128(), b.AsVector128()).AsVector();
            }
#endif
            return a * b + c;
        }

        /// <summary>
        /// The epilogue activations (ReLU, ReLU6) on a vector; NaN stays NaN, as in <see cref="Activate(float, Activation)"/>.
        /// The others leave it as it is: the kernels apply them to whole rows (<see cref="ActsOnRows"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Activate(Vector<float> value, Activation activation)
        {
            if (activation != Activation.Relu && activation != Activation.Relu6)
            {
                return value;
            }

            // Selects rather than Max/Min, which turn NaN into 0 on x86.
            value = Vector.ConditionalSelect(Vector.LessThan(value, Vector<float>.Zero), Vector<float>.Zero, value);
            if (activation == Activation.Relu6)
            {
                var six = new Vector<float>(6f);
                value = Vector.ConditionalSelect(Vector.GreaterThan(value, six), six, value);
            }

            return value;
        }

        /// <summary>Whether a kernel applies <paramref name="activation"/> to each output row it has written (<see cref="Elementwise.Activate"/>) rather than in its epilogue.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool ActsOnRows(Activation activation) => activation >= Activation.Elu;

        /// <summary>The epilogue activations on one value (the others leave it as it is).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Activate(float value, Activation activation) => activation switch
        {
            Activation.Relu => value < 0f ? 0f : value,
            Activation.Relu6 => value < 0f ? 0f : value > 6f ? 6f : value,
            _ => value,
        };

        /// <summary>Rounds up to whole vectors (inlined, so that a constant count gives a constant).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int RoundUp(int count) => (count + Lanes - 1) / Lanes * Lanes;
    }
}

namespace SepConvGen.Generator.Planning
{
    /// <summary>
    /// An instruction set the kernels are written for: scalar, or vectors of <see cref="Bits"/> bits, with what the
    /// kernel paths ask of it. Vector512 and Vector256 kernels run on x86 (AVX-512, AVX2); Vector128 is the width
    /// Arm64 accelerates, and its kernels use nothing x86-specific.
    /// </summary>
    internal readonly record struct Isa(int Bits)
    {
        public static readonly Isa Scalar = new(0);

        public bool IsScalar => Bits == 0;

        /// <summary>Floats per vector.</summary>
        public int Lanes => Bits / 32;

        /// <summary>The System.Runtime.Intrinsics type: <c>Vector512</c>.</summary>
        public string VectorType => "Vector" + Bits;

        /// <summary>The kernel-name suffix: <c>Scalar</c>, <c>Vec512</c>.</summary>
        public string Name => IsScalar ? "Scalar" : "Vec" + Bits;

        /// <summary>AVX-512's 32 vector registers (AVX2 and Neon kernels plan for 16): room for 24 accumulators.</summary>
        public bool HasWideRegisterFile => Bits == 512;

        /// <summary>x86 shuffles within and across 128-bit lanes (AVX2's vpalignr, vpermps; AVX-512's permutes).</summary>
        public bool HasX86Shuffles => Bits >= 256;

        /// <summary>AVX-512's valignd: a window of lanes out of two vectors in one shuffle.</summary>
        public bool HasAlignRight32 => Bits == 512;

        /// <summary>The next narrower width: half the lanes.</summary>
        public Isa Narrower => new(Bits / 2);

        /// <summary>a * b + c for vectors a, b, c of this width: fused where the hardware has FMA.</summary>
        public string MultiplyAdd => Bits switch
        {
            512 => "Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c",
            256 => "Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c",
            _ => "Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(c, a, b) : a * b + c",
        };

        /// <summary>The x86 class whose <c>IsSupported</c> guards this width's shuffles.</summary>
        public string X86Class => Bits == 512 ? "Avx512F" : "Avx2";
    }
}

namespace SepConvGen.Generator.Model
{
    /// <summary>
    /// The consuming project's NativeAOT and ReadyToRun settings, read from the build properties the package makes
    /// visible to the compiler (buildTransitive/SepConvGen.props): a value, so an unrelated edit leaves it cached.
    /// </summary>
    internal sealed record PublishSettings(bool PublishAot, string InstructionSet, string RuntimeIdentifier,
                                           bool PublishingReadyToRun = false, string Crossgen2Arguments = "")
    {
        /// <summary>
        /// The widest vectors whose kernels a ReadyToRun publish for x64 precompiles, from the instruction set named in
        /// <c>PublishReadyToRunCrossgen2ExtraArgs</c>: 512 for x86-64-v4 or AVX-512, 256 for x86-64-v3 or AVX2 (with FMA,
        /// which the 128-bit kernels use too), else 0. Crossgen2 compiles a method that asks for an instruction set
        /// outside the named ones as if it were absent, and the runtime then discards that code on a CPU that has it;
        /// a kernel left to the JIT keeps AggressiveOptimization, so that it never runs as tier-0 code.
        /// </summary>
        public int PrecompiledVectorBits
        {
            get
            {
                if (!PublishingReadyToRun || !RuntimeIdentifier.Contains("x64"))
                {
                    return 0;
                }

                string arguments = Crossgen2Arguments.ToLowerInvariant();
                int at = arguments.IndexOf("--instruction-set", System.StringComparison.Ordinal);
                if (at < 0)
                {
                    return 0;
                }

                // Crossgen2 spells its levels x86-x64-vN; x86-64-vN is taken too.
                string set = arguments.Substring(at).Replace("x86-x64-", "x86-64-");
                return set.Contains("x86-64-v4") || set.Contains("avx512f") ? 512
                    : set.Contains("x86-64-v3") || set.Contains("skylake") || (set.Contains("avx2") && set.Contains("fma")) ? 256
                    : 0;
            }
        }

        /// <summary>
        /// Whether a NativeAOT publish leaves the vector kernels without AVX2: no instruction set, or one below x86-64-v3,
        /// for an x64 target (Arm64's 128-bit vectors, which the kernels use there, are always on).
        /// </summary>
        public bool LosesVectorKernels
        {
            get
            {
                if (!PublishAot || RuntimeIdentifier.Contains("arm"))
                {
                    return false;
                }

                string set = InstructionSet.ToLowerInvariant();
                return !(set.Contains("native") || set.Contains("x86-64-v3") || set.Contains("x86-64-v4") || set.Contains("x86-x64-v3") ||
                         set.Contains("x86-x64-v4") || set.Contains("avx2") || set.Contains("avx512"));
            }
        }
    }
}

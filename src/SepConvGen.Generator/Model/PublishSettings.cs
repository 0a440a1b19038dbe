namespace SepConvGen.Generator.Model
{
    /// <summary>
    /// The consuming project's NativeAOT settings, read from the build properties the package makes visible to the
    /// compiler (buildTransitive/SepConvGen.props): a value, so an unrelated edit leaves it cached.
    /// </summary>
    internal sealed record PublishSettings(bool PublishAot, string InstructionSet, string RuntimeIdentifier)
    {
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

namespace SepConvGen.Generator.Model
{
    /// <summary>
    /// How the consuming project wants its kernels, read from its compilation: checked (DEBUG builds) or not,
    /// and the widest vectors to emit (0 where System.Runtime.Intrinsics is missing, as on netstandard2.0).
    /// A value type of two fields, so it caches like the layer specs.
    /// </summary>
    internal sealed record KernelOptions(bool IsChecked, int MaxVectorBits)
    {
        public static readonly KernelOptions Scalar = new(false, 0);

        /// <summary>The vector widths to emit, widest first: each is used when the hardware accelerates it.</summary>
        public int[] VectorWidths => MaxVectorBits switch
        {
            >= 512 => new[] { 512, 256, 128 },
            >= 256 => new[] { 256, 128 },
            >= 128 => new[] { 128 },
            _ => System.Array.Empty<int>(),
        };
    }
}

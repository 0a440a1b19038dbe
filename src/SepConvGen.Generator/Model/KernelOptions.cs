namespace SepConvGen.Generator.Model
{
    /// <summary>
    /// How the consuming project wants its kernels, read from its compilation: checked (DEBUG builds) or not,
    /// the widest vectors to emit (0 where System.Runtime.Intrinsics is missing, as on netstandard2.0), and the widest
    /// vectors a ReadyToRun publish precompiles (0 where the kernels are JIT-compiled, see
    /// <see cref="PublishSettings.PrecompiledVectorBits"/>). A value of three fields, so it caches like the layer specs.
    /// </summary>
    internal sealed record KernelOptions(bool IsChecked, int MaxVectorBits, int PrecompiledVectorBits = 0)
    {
        public static readonly KernelOptions Scalar = new(false, 0);

        /// <summary>The vector instruction sets to emit, widest first: each is used when the hardware accelerates it.</summary>
        public Planning.Isa[] VectorWidths => MaxVectorBits switch
        {
            >= 512 => new[] { new Planning.Isa(512), new Planning.Isa(256), new Planning.Isa(128) },
            >= 256 => new[] { new Planning.Isa(256), new Planning.Isa(128) },
            >= 128 => new[] { new Planning.Isa(128) },
            _ => System.Array.Empty<Planning.Isa>(),
        };
    }
}

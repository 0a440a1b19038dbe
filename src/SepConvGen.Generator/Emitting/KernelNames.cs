using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// How kernel code names the layer's sizes and reaches memory. A fixed-size layer has its sizes as
    /// constants of the class; a run-time sized one passes a <c>SepConvGeometry</c> computed once per call.
    /// Memory is reached through <c>ref float</c> and <c>Unsafe.Add</c> (no bounds checks; every offset is
    /// covered by the length checks at the top of <c>Forward</c>), or, in checked mode (DEBUG builds),
    /// through spans sliced to their exact extents, so that any index outside them throws.
    /// </summary>
    internal sealed class KernelNames
    {
        private readonly LayerSpec _spec;
        private readonly KernelPlan _plan;

        public KernelNames(LayerSpec spec, KernelOptions options, KernelPlan plan)
        {
            _spec = spec;
            _plan = plan;
            IsChecked = options.IsChecked;
            HasVectors = options.VectorWidths.Length > 0;
        }

        /// <summary>Writes AggressiveOptimization before a kernel method for <paramref name="isa"/> (null: of no instruction set) where the plan asks for it.</summary>
        public void EmitKernelAttribute(SourceWriter writer, Isa? isa = null)
        {
            if (_plan.OptimizesFirstCallOf(isa))
            {
                writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
            }
        }

        /// <summary>Whether vector kernels are emitted.</summary>
        public bool HasVectors { get; }

        /// <summary>Whether NCHW depthwise methods take the tile's rows at once with their padded slab (the plan's <see cref="KernelPlan.PadsRows"/>).</summary>
        public bool PadsRows => _plan.PadsRows;

        /// <summary>Checked mode: every access is bounds-checked through spans.</summary>
        public bool IsChecked { get; }

        /// <summary>A memory parameter of a kernel method.</summary>
        public string Param(string name, bool writable) => IsChecked ? $"{Span(writable)} {name}" : $"ref float {name}";

        /// <summary>A memory argument of a kernel call.</summary>
        public string Arg(string name) => IsChecked ? name : "ref " + name;

        /// <summary>A memory argument that starts <paramref name="offset"/> elements into <paramref name="name"/>.</summary>
        public string ArgAt(string name, string offset) => IsChecked ? $"{name}.Slice({offset})" : $"ref Unsafe.Add(ref {name}, {offset})";

        /// <summary>Declares <paramref name="name"/> as the memory <paramref name="offset"/> elements into <paramref name="source"/>.</summary>
        public string Let(string name, bool writable, string source, string offset) => offset == "0"
            ? (IsChecked ? $"{Span(writable)} {name} = {source};" : $"ref float {name} = ref {source};")
            : IsChecked
                ? $"{Span(writable)} {name} = {source}.Slice({offset});"
                : $"ref float {name} = ref Unsafe.Add(ref {source}, {offset});";

        /// <summary>Declares <paramref name="name"/> as a weight array, optionally from an offset.</summary>
        public string LetArray(string name, string field, string? offset = null) => IsChecked
            ? $"ReadOnlySpan<float> {name} = {field}{(offset is null ? string.Empty : $".AsSpan({offset})")};"
            : offset is null ? $"ref float {name} = ref {field}[0];" : $"ref float {name} = ref Unsafe.Add(ref {field}[0], {offset});";

        /// <summary>The element <paramref name="offset"/> elements into <paramref name="name"/> (readable and assignable).</summary>
        public string At(string name, string offset = "0") => IsChecked
            ? $"{name}[{offset}]"
            : offset == "0" ? name : $"Unsafe.Add(ref {name}, {offset})";

        private static string Span(bool writable) => writable ? "Span<float>" : "ReadOnlySpan<float>";

        /// <summary>A geometry value: a constant for fixed-size layers, <c>g.Name</c> otherwise.</summary>
        public string Size(string name) => _spec.IsFixed ? name : "g." + name;

        /// <summary>
        /// The trailing geometry parameter of kernel methods, by value: a copy on the callee's stack that no store
        /// through the kernels' refs can alias, so the JIT keeps its fields in registers (passed with <c>in</c>, every
        /// vector store made it reload them: S4's run-time-size NHWC depthwise step took 10 % longer).
        /// </summary>
        public string Parameter => _spec.IsFixed ? string.Empty : ", SepConvGeometry g";

        /// <summary>
        /// The pointwise step's tile parameters: the first output pixel and the pixel count of a tile of whole rows,
        /// and for NCHW the distance between two depthwise channels in the tile buffer.
        /// </summary>
        public string PointwiseTileParameters => ", int firstPixel, int pixels" + (_spec.Layout == LayoutKind.ChannelsFirst ? ", int channelStride" : string.Empty);

        public string PointwiseTileArguments => ", firstPixel, pixels" + (_spec.Layout == LayoutKind.ChannelsFirst ? ", channelStride" : string.Empty);

        /// <summary>
        /// NCHW depthwise methods take the tile buffer's channel stride; with padded rows they take all the tile's
        /// rows at once (their input rows are copied once per channel) and the padded rows' buffer.
        /// </summary>
        public string DepthwiseTileParameter => _spec.Layout == LayoutKind.ChannelsFirst
            ? (PadsRows ? ", int rows, int channelStride, " + Param("pad", writable: true) : ", int channelStride")
            : string.Empty;

        public string DepthwiseTileArgument => _spec.Layout == LayoutKind.ChannelsFirst
            ? (PadsRows ? ", rows, channelStride, " + Arg("pad") : ", channelStride")
            : string.Empty;

        /// <summary>The trailing geometry argument of kernel calls.</summary>
        public string Argument => _spec.IsFixed ? string.Empty : ", g";

        /// <summary>The suffix naming the instruction set (and checked mode) of the scalar kernel methods.</summary>
        public string Isa => IsaSuffix("Scalar");

        /// <summary>"_Vec256", or "_Vec256Checked" in checked mode.</summary>
        public string IsaSuffix(string isa) => "_" + isa + (IsChecked ? "Checked" : string.Empty);

        /// <summary>
        /// A vector of <paramref name="bits"/> loaded from <paramref name="offset"/> elements into <paramref name="name"/>
        /// (checked: <c>Create&lt;float&gt;</c>, so that writable spans convert too).
        /// </summary>
        public string LoadVector(Isa isa, string name, string offset) => offset == "0"
            ? (IsChecked ? $"{isa.VectorType}.Create<float>({name})" : $"{isa.VectorType}.LoadUnsafe(ref {name})")
            : IsChecked
                ? $"{isa.VectorType}.Create<float>({name}.Slice({offset}))"
                : $"{isa.VectorType}.LoadUnsafe(ref {name}, (nuint)({offset}))";

        /// <summary>Stores <paramref name="value"/> at <paramref name="offset"/> elements into <paramref name="name"/>.</summary>
        public string StoreVector(string value, string name, string offset) => IsChecked
            ? $"{value}.CopyTo({name}.Slice({offset}));"
            : $"{value}.StoreUnsafe(ref {name}, (nuint)({offset}));";

        /// <summary>Like XNNPACK's names: kernel, strides, dilation, channels and multiplier.</summary>
        public string DepthwiseBase =>
            $"Depthwise_k{_spec.Height.Kernel}x{_spec.Width.Kernel}_s{_spec.Height.Stride}x{_spec.Width.Stride}" +
            $"_d{_spec.Height.Dilation}x{_spec.Width.Dilation}_c{_spec.InChannels}m{_spec.DepthMultiplier}";

        /// <summary>
        /// The pointwise step's name without the instruction set (the dispatcher when there are vector kernels), with
        /// the activation its epilogue computes: Linear where the tiles take the activation after it.
        /// </summary>
        public string PointwiseBase => $"Pointwise_c{_spec.DepthwiseChannels}f{_spec.OutChannels}_{EpilogueActivation}";

        private ActivationKind EpilogueActivation => Activations.For(_spec.Activation).InEpilogue ? _spec.Activation : ActivationKind.Linear;

        public string Pointwise => PointwiseBase + Isa;

        /// <summary>The input row of kernel row 0 for output row <c>oy</c>.</summary>
        public string InputRow => _spec.Height.HasBorder ? $"oy * StrideHeight - {Size("PadTop")}" : "oy * StrideHeight";

        /// <summary>The input column of kernel column 0 for output column <c>ox</c>.</summary>
        public string InputColumn => _spec.Width.HasBorder ? $"ox * StrideWidth - {Size("PadLeft")}" : "ox * StrideWidth";
    }
}

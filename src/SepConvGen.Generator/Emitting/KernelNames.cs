using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// How kernel code names the layer's sizes. A fixed-size layer has them all as constants of the class;
    /// a run-time sized one passes a <c>SepConvGeometry</c> computed once per call.
    /// </summary>
    internal sealed class KernelNames
    {
        private readonly LayerSpec _spec;

        public KernelNames(LayerSpec spec) => _spec = spec;

        /// <summary>A geometry value: a constant for fixed-size layers, <c>g.Name</c> otherwise.</summary>
        public string Size(string name) => _spec.IsFixed ? name : "g." + name;

        /// <summary>The trailing geometry parameter of kernel methods.</summary>
        public string Parameter => _spec.IsFixed ? string.Empty : ", in SepConvGeometry g";

        /// <summary>The trailing geometry argument of kernel calls.</summary>
        public string Argument => _spec.IsFixed ? string.Empty : ", in g";

        /// <summary>The suffix naming the instruction set of every kernel method.</summary>
        public const string Isa = "_Scalar";

        /// <summary>Like XNNPACK's names: kernel, strides, dilation, channels and multiplier.</summary>
        public string Depthwise =>
            $"Depthwise_k{_spec.Height.Kernel}x{_spec.Width.Kernel}_s{_spec.Height.Stride}x{_spec.Width.Stride}" +
            $"_d{_spec.Height.Dilation}x{_spec.Width.Dilation}_c{_spec.InChannels}m{_spec.DepthMultiplier}{Isa}";

        public string Pointwise => $"Pointwise_c{_spec.DepthwiseChannels}f{_spec.OutChannels}_{_spec.Activation}{Isa}";

        /// <summary>The input row of kernel row 0 for output row <c>oy</c>.</summary>
        public string InputRow => _spec.Height.HasBorder ? $"oy * StrideHeight - {Size("PadTop")}" : "oy * StrideHeight";

        /// <summary>The input column of kernel column 0 for output column <c>ox</c>.</summary>
        public string InputColumn => _spec.Width.HasBorder ? $"ox * StrideWidth - {Size("PadLeft")}" : "ox * StrideWidth";
    }
}

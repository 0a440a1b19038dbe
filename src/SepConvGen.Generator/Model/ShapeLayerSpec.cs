namespace SepConvGen.Generator.Model
{
    /// <summary>The layers that run a kernel of the SepConvGen library, compiled for their shape's constants.</summary>
    internal enum ShapeLayerKind
    {
        Conv2D,
        DepthwiseConv2D,
        MaxPooling2D,
        AveragePooling2D,
        GlobalAveragePooling2D,
        GlobalMaxPooling2D,
        Dense,
    }

    /// <summary>
    /// One Conv2D, DepthwiseConv2D, pooling or Dense layer: everything its generated shape and members need, value-equatable
    /// like <see cref="LayerSpec"/>. Every size is fixed: <see cref="Height"/> and <see cref="Width"/> carry the input.
    /// </summary>
    /// <param name="InChannels">Input channels (Dense: inputs).</param>
    /// <param name="OutChannels">Output channels (Dense: units; pooling: the input channels).</param>
    /// <param name="Height">The window's rows: kernel or pool size, stride, dilation, padding, input rows (1 for Dense).</param>
    /// <param name="Width">The window's columns, likewise.</param>
    internal sealed record ShapeLayerSpec(
        string Namespace,
        EquatableArray<string> ContainingTypes,
        string TypeKeyword,
        string ClassName,
        string AttributeText,
        ShapeLayerKind Kind,
        int InChannels,
        int OutChannels,
        int DepthMultiplier,
        AxisPlan Height,
        AxisPlan Width,
        bool UseBias,
        LayoutKind Layout,
        ActivationKind Activation)
    {
        public bool IsConvolution => Kind is ShapeLayerKind.Conv2D or ShapeLayerKind.DepthwiseConv2D;

        public bool IsPooling => Kind is ShapeLayerKind.MaxPooling2D or ShapeLayerKind.AveragePooling2D;

        public bool IsGlobalPooling => Kind is ShapeLayerKind.GlobalAveragePooling2D or ShapeLayerKind.GlobalMaxPooling2D;

        /// <summary>Whether the layer has weights to load.</summary>
        public bool HasWeights => IsConvolution || Kind == ShapeLayerKind.Dense;

        public int OutputHeight => IsGlobalPooling || Kind == ShapeLayerKind.Dense ? 1 : Height.Output(Height.FixedInput);

        public int OutputWidth => IsGlobalPooling || Kind == ShapeLayerKind.Dense ? 1 : Width.Output(Width.FixedInput);

        /// <summary>The name of the generated file: <c>{Namespace}.{Containing types}.{Class}.{Kind}.g.cs</c>.</summary>
        public string HintName => QualifiedName + "." + Kind + ".g.cs";

        public string QualifiedName => TypeNames.Qualified(Namespace, ContainingTypes, ClassName);
    }
}

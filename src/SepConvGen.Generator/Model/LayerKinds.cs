namespace SepConvGen.Generator.Model
{
    // Mirrors of the public enums in the SepConvGen library. The generator never loads that library,
    // so it reads the attribute's integer values and maps them here.

    /// <summary>Keras padding mode.</summary>
    internal enum PaddingKind
    {
        Valid = 0,
        Same = 1,
    }

    /// <summary>Tensor layout.</summary>
    internal enum LayoutKind
    {
        ChannelsLast = 0,
        ChannelsFirst = 1,
    }

    /// <summary>Activation fused after the bias (the values of SepConvGen.Activation).</summary>
    internal enum ActivationKind
    {
        Linear = 0,
        Relu = 1,
        Relu6 = 2,
        Elu = 3,
        Sigmoid = 4,
        Tanh = 5,
        Swish = 6,
    }
}

using System.Collections.Generic;
using System.Globalization;

namespace SepConvGen.Testing
{
    /// <summary>One layer configuration, as the tests state it; prints itself as the attribute that declares it.</summary>
    public sealed record LayerConfig(
        int InChannels,
        int OutChannels,
        int KernelHeight,
        int KernelWidth,
        bool Same,
        int DepthMultiplier = 1,
        int StrideHeight = 1,
        int StrideWidth = 1,
        int DilationHeight = 1,
        int DilationWidth = 1,
        bool UseBias = true,
        bool ChannelsFirst = false,
        Activation Activation = Activation.Linear,
        int InputHeight = 0,
        int InputWidth = 0)
    {
        public int DepthwiseChannels => InChannels * DepthMultiplier;

        public bool IsFixed => InputHeight > 0 && InputWidth > 0;

        public int DepthwiseKernelLength => KernelHeight * KernelWidth * DepthwiseChannels;

        public int PointwiseKernelLength => DepthwiseChannels * OutChannels;

        public int EffectiveKernelHeight => ((KernelHeight - 1) * DilationHeight) + 1;

        public int EffectiveKernelWidth => ((KernelWidth - 1) * DilationWidth) + 1;

        public LayerConfig WithFixedInput(int height, int width) => this with { InputHeight = height, InputWidth = width };

        /// <summary>The attribute, with only the named arguments that differ from the defaults.</summary>
        public string ToAttribute()
        {
            var named = new List<string>();
            void Add(string name, int value, int defaultValue)
            {
                if (value != defaultValue)
                {
                    named.Add(string.Create(CultureInfo.InvariantCulture, $"{name} = {value}"));
                }
            }

            Add("DepthMultiplier", DepthMultiplier, 1);
            Add("StrideHeight", StrideHeight, 1);
            Add("StrideWidth", StrideWidth, 1);
            Add("DilationHeight", DilationHeight, 1);
            Add("DilationWidth", DilationWidth, 1);
            if (!UseBias)
            {
                named.Add("UseBias = false");
            }

            if (ChannelsFirst)
            {
                named.Add("DataFormat = DataFormat.ChannelsFirst");
            }

            if (Activation != Activation.Linear)
            {
                named.Add($"Activation = Activation.{Activation}");
            }

            Add("InputHeight", InputHeight, 0);
            Add("InputWidth", InputWidth, 0);
            string padding = Same ? "Padding.Same" : "Padding.Valid";
            string tail = named.Count == 0 ? string.Empty : ", " + string.Join(", ", named);
            return string.Create(CultureInfo.InvariantCulture,
                $"[SeparableConv({InChannels}, {OutChannels}, {KernelHeight}, {KernelWidth}, {padding}{tail})]");
        }

        public override string ToString() => ToAttribute();
    }
}

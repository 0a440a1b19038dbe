using System;

namespace SepConvGen.Generator.Model
{
    /// <summary>
    /// One spatial axis of the layer (height or width) and the TensorFlow padding arithmetic on it.
    /// All of it is plain integers, so the generator can decide at build time what the kernels need.
    /// </summary>
    /// <param name="Kernel">Kernel extent.</param>
    /// <param name="Stride">Stride.</param>
    /// <param name="Dilation">Dilation.</param>
    /// <param name="Padding">Valid or Same.</param>
    /// <param name="FixedInput">Input extent fixed by the attribute, or 0 when chosen at run time.</param>
    internal sealed record AxisPlan(int Kernel, int Stride, int Dilation, PaddingKind Padding, int FixedInput)
    {
        /// <summary>Extent of the dilated kernel: (k - 1) * d + 1.</summary>
        public int EffectiveKernel => ((Kernel - 1) * Dilation) + 1;

        public bool IsFixed => FixedInput > 0;

        /// <summary>Whether some input size makes a window cross the padding (always false for Valid).</summary>
        public bool CanPad => Padding == PaddingKind.Same && EffectiveKernel > 1;

        /// <summary>
        /// Whether the kernels need border code on this axis: some outputs have taps in the padding.
        /// For a fixed input this is exact; for a run-time input it is whether any size can pad.
        /// </summary>
        public bool HasBorder => IsFixed ? TotalPadding(FixedInput) > 0 : CanPad;

        /// <summary>Output extent: ceil(in / s) for Same, (in - effective) / s + 1 for Valid.</summary>
        public int Output(int input) =>
            Padding == PaddingKind.Same ? ((input - 1) / Stride) + 1 : ((input - EffectiveKernel) / Stride) + 1;

        /// <summary>TensorFlow SAME: max((out - 1) * s + effective - in, 0); 0 for Valid.</summary>
        public int TotalPadding(int input) =>
            Padding == PaddingKind.Same ? Math.Max(((Output(input) - 1) * Stride) - input + EffectiveKernel, 0) : 0;

        /// <summary>Padding before (top/left): floor(total / 2).</summary>
        public int PadBefore(int input) => TotalPadding(input) / 2;

        /// <summary>Padding after (bottom/right): the rest, so the odd extra row/column goes last.</summary>
        public int PadAfter(int input) => TotalPadding(input) - PadBefore(input);

        /// <summary>First output whose whole window lies inside the input.</summary>
        public int InteriorStart(int input) =>
            Math.Min((PadBefore(input) + Stride - 1) / Stride, Output(input));

        /// <summary>One past the last output whose whole window lies inside the input.</summary>
        public int InteriorEnd(int input)
        {
            int lastStart = input - EffectiveKernel + PadBefore(input);
            return lastStart < 0
                ? InteriorStart(input)
                : Math.Max(InteriorStart(input), Math.Min(Output(input), (lastStart / Stride) + 1));
        }
    }
}

using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>The geometry of a run-time input size: output size, padding and the outputs that need no padding.</summary>
    internal sealed partial class LayerEmitter
    {
        private void EmitGeometry()
        {
            SourceWriter w = _writer;
            AxisPlan h = _spec.Height;
            AxisPlan x = _spec.Width;
            w.WriteLine("/// <summary>Output size, padding and the outputs that need no padding, for one run-time input size.</summary>");
            w.WriteLine(_generatedCode);
            using (w.Block("private readonly struct SepConvGeometry"))
            {
                w.WriteLine("""
                    public readonly int InputHeight;
                    public readonly int InputWidth;
                    public readonly int OutputHeight;
                    public readonly int OutputWidth;
                    """);
                if (h.HasBorder)
                {
                    w.WriteLine("""
                        public readonly int PadTop;
                        public readonly int InteriorTop;
                        public readonly int InteriorBottom;
                        """);
                }

                if (x.HasBorder)
                {
                    w.WriteLine("""
                        public readonly int PadLeft;
                        public readonly int InteriorLeft;
                        public readonly int InteriorRight;
                        """);
                }

                w.WriteLine();
                using (w.Block("public SepConvGeometry(int inputHeight, int inputWidth)"))
                {
                    w.WriteLine("""
                        var output = GetOutputSize(inputHeight, inputWidth);
                        InputHeight = inputHeight;
                        InputWidth = inputWidth;
                        OutputHeight = output.Height;
                        OutputWidth = output.Width;
                        """);
                    if (h.HasBorder)
                    {
                        EmitAxisGeometry("Height", "inputHeight", "Top", "Bottom");
                    }

                    if (x.HasBorder)
                    {
                        EmitAxisGeometry("Width", "inputWidth", "Left", "Right");
                    }
                }
            }
        }

        private void EmitAxisGeometry(string axis, string input, string before, string after)
        {
            SourceWriter w = _writer;
            w.WriteLine();
            w.WriteLine($"// TensorFlow SAME: total = max((out - 1) * stride + effective kernel - in, 0); {before.ToLowerInvariant()} = floor(total / 2).");
            w.WriteLine($"Pad{before} = Math.Max((Output{axis} - 1) * Stride{axis} - {input} + EffectiveKernel{axis}, 0) / 2;");
            w.WriteLine($"// Outputs [Interior{before}, Interior{after}) have every tap inside the input.");
            w.WriteLine($"Interior{before} = Math.Min((Pad{before} + Stride{axis} - 1) / Stride{axis}, Output{axis});");
            w.WriteLine($"int last{axis}Start = {input} - EffectiveKernel{axis} + Pad{before};");
            w.WriteLine($"Interior{after} = last{axis}Start < 0 ? Interior{before} : Math.Max(Interior{before}, Math.Min(Output{axis}, last{axis}Start / Stride{axis} + 1));");
        }
    }
}

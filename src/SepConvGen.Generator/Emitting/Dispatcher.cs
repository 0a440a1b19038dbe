using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Writes a kernel dispatcher: the widest vector kernel the hardware accelerates, else the scalar one.
    /// <c>VectorN.IsHardwareAccelerated</c> is a JIT-time constant, so only the chosen call is compiled.
    /// </summary>
    internal static class Dispatcher
    {
        /// <param name="writer">Where to write.</param>
        /// <param name="step">"Depthwise step" or "Pointwise step", for the summary.</param>
        /// <param name="signature">The dispatcher's declaration.</param>
        /// <param name="methodBase">The kernels' name without the instruction-set suffix.</param>
        /// <param name="arguments">The arguments every kernel takes.</param>
        /// <param name="names">The suffixes (scalar, checked).</param>
        /// <param name="widths">The vector widths, widest first.</param>
        public static void Emit(SourceWriter writer, string step, string signature, string methodBase, string arguments, KernelNames names, Isa[] widths)
        {
            writer.WriteLine($"/// <summary>{step} with the widest vectors the hardware accelerates (decided when the JIT compiles this).</summary>");
            names.EmitKernelAttribute(writer);
            using (writer.Block(signature))
            {
                for (int i = 0; i < widths.Length; i++)
                {
                    using (writer.Block($"{(i == 0 ? "if" : "else if")} ({widths[i].VectorType}.IsHardwareAccelerated)"))
                    {
                        writer.WriteLine($"{methodBase}{names.IsaSuffix(widths[i].Name)}({arguments});");
                    }
                }

                using (writer.Block("else"))
                {
                    writer.WriteLine($"{methodBase}{names.Isa}({arguments});");
                }
            }
        }
    }
}

using System;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Writes the pointwise step with vectors of one width (Vector512, Vector256 or Vector128 of float), plus the
    /// dispatcher that picks the widest the hardware accelerates (the checks are JIT-time constants, so only one
    /// path survives). Each layout's register blocks are its own (ChannelsLast/, ChannelsFirst/); both start their
    /// accumulators at the bias and fuse the activation into the store.
    /// </summary>
    internal abstract class VectorPointwiseEmitter
    {
        protected VectorPointwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
        {
            Spec = spec;
            Names = names;
            Plan = plan;
        }

        protected LayerSpec Spec { get; }

        protected KernelPlan Plan { get; }

        protected KernelNames Names { get; }

        public static VectorPointwiseEmitter For(LayerSpec spec, KernelNames names, KernelPlan plan) => spec.Layout == LayoutKind.ChannelsFirst
            ? new ChannelsFirst.ChannelsFirstPointwiseEmitter(spec, names, plan)
            : new ChannelsLast.ChannelsLastPointwiseEmitter(spec, names, plan);

        /// <summary>The dispatcher: the widest accelerated vector kernel, else the scalar one.</summary>
        public void EmitDispatcher(SourceWriter writer, Isa[] widths) =>
            Dispatcher.Emit(writer, "Pointwise step",
                $"private void {Names.PointwiseBase}({Names.Param("row", writable: false)}, {Names.Param("result", writable: true)}{Names.PointwiseTileParameters}{Names.Parameter})",
                Names.PointwiseBase, $"{Names.Arg("row")}, {Names.Arg("result")}{Names.PointwiseTileArguments}{Names.Argument}", Names, widths);

        public void Emit(SourceWriter writer, Isa isa)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// Pointwise step with {isa.VectorType} for <paramref name=\"pixels\"/> output pixels from <paramref name=\"firstPixel\"/> on:");
            writer.WriteLine("/// DepthwiseChannels -> OutChannels, bias and activation fused.");
            writer.WriteLine("/// </summary>");
            Names.EmitKernelAttribute(writer, isa);
            writer.OpenBlock($"private void {Names.PointwiseBase + Names.IsaSuffix(isa.Name)}({Names.Param("row", writable: false)}, {Names.Param("result", writable: true)}{Names.PointwiseTileParameters}{Names.Parameter})");
            writer.WriteLine(Names.LetArray("weights", "_sepConvPointwise"));
            if (Spec.UseBias)
            {
                writer.WriteLine(Names.LetArray("bias", "_sepConvBias"));
            }

            PointwiseEmitter.EmitOutputStart(writer, Names, Spec.Layout == LayoutKind.ChannelsLast);
            EmitBlocks(writer, isa, isa.Lanes);
            writer.CloseBlock();
        }

        /// <summary>The multiply-add and activation helpers for one width.</summary>
        public void EmitHelpers(SourceWriter writer, Isa isa)
        {
            string type = $"{isa.VectorType}<float>";
            string fma = isa.MultiplyAdd;
            writer.WriteLine($"/// <summary>a * b + c, fused where the hardware has FMA.</summary>");
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.WriteLine($"private static {type} MultiplyAdd({type} a, {type} b, {type} c) => {fma};");
            ActivationForm activation = Activations.For(Spec.Activation);
            if (!activation.InEpilogue)
            {
                return;
            }

            writer.WriteLine();
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.OpenBlock($"private static {type} Activate({type} value)");
            foreach (string line in activation.Vector(isa))
            {
                writer.WriteLine(line);
            }

            writer.WriteLine("return value;");
            writer.CloseBlock();
        }

        /// <summary>Helpers the layout's kernels need besides those of each width.</summary>
        public virtual void EmitScalarHelper(SourceWriter writer)
        {
        }

        /// <summary>The kernel's body after the weights and the output start: the layout's register blocks.</summary>
        protected abstract void EmitBlocks(SourceWriter writer, Isa isa, int lanes);

        protected string Activated(string value) => Activations.For(Spec.Activation).InEpilogue ? $"Activate({value})" : value;

        protected static string Count(int n, string noun) => $"{Literal.Int(n)} {noun}{(n == 1 ? string.Empty : "s")}";
    }
}

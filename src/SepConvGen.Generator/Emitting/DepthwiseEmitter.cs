using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Writes the depthwise step of one output row: a method that splits the row into border and interior
    /// outputs, and a border-pixel method that clips the kernel window to the image. The layouts differ only
    /// in where a pixel's channels live; the tap arithmetic shared by both is here.
    /// </summary>
    internal abstract class DepthwiseEmitter
    {
        protected DepthwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
        {
            Spec = spec;
            Names = names;
            Plan = plan;
        }

        protected LayerSpec Spec { get; }

        protected KernelPlan Plan { get; }

        protected KernelNames Names { get; }

        /// <summary>Distance between two kernel columns in the input, in floats.</summary>
        protected abstract string ColumnStep { get; }

        /// <summary>Distance between two kernel rows in the input, in floats.</summary>
        protected abstract string RowStep { get; }

        public static DepthwiseEmitter For(LayerSpec spec, KernelNames names, KernelPlan plan) => spec.Layout == LayoutKind.ChannelsFirst
            ? new ChannelsFirst.ChannelsFirstDepthwiseEmitter(spec, names, plan)
            : new ChannelsLast.ChannelsLastDepthwiseEmitter(spec, names, plan);

        /// <summary>How the row buffer is laid out, for the row method's summary.</summary>
        protected abstract string RowLayout { get; }

        /// <summary>
        /// The row methods: one per vector width of the plan's depthwise paths and a scalar one, a dispatcher when there
        /// are several, and the border pixel.
        /// </summary>
        public void Emit(SourceWriter writer)
        {
            Isa[] widths = Plan.DepthwiseIsas.ToArray();
            if (widths.Length > 0)
            {
                EmitDispatcher(writer, widths);
                writer.WriteLine();
            }

            EmitRow(writer, Isa.Scalar);
            foreach (Isa isa in widths)
            {
                writer.WriteLine();
                EmitRow(writer, isa);
                EmitVectorHelpers(writer, isa);
            }

            if (widths.Length > 0)
            {
                EmitSharedVectorHelpers(writer);
            }

            if (Spec.HasBorder)
            {
                writer.WriteLine();
                EmitBorderPixel(writer);
                foreach (Isa isa in widths)
                {
                    EmitVectorBorderPixel(writer, isa);
                }
            }
        }

        /// <summary>Helper methods the vector rows of one width call, where the layout has some (the default has none).</summary>
        protected virtual void EmitVectorHelpers(SourceWriter writer, Isa isa)
        {
        }

        /// <summary>Members the vector rows of every width share, where the layout has some (the default has none).</summary>
        protected virtual void EmitSharedVectorHelpers(SourceWriter writer)
        {
        }

        /// <summary>A vector version of the border pixel, where the layout has one (the default has none).</summary>
        protected virtual void EmitVectorBorderPixel(SourceWriter writer, Isa isa)
        {
        }

        /// <summary>The name <c>ForwardCore</c> calls: the dispatcher, or the scalar method when nothing is vectorized.</summary>
        public string EntryName => Plan.VectorizesDepthwise ? Names.DepthwiseBase : Names.DepthwiseBase + Names.Isa;

        private void EmitDispatcher(SourceWriter writer, Isa[] widths) =>
            Dispatcher.Emit(writer, "Depthwise step",
                $"private void {Names.DepthwiseBase}({Names.Param("image", writable: false)}, {Names.Param("row", writable: true)}, int oy{Names.DepthwiseTileParameter}{Names.Parameter})",
                Names.DepthwiseBase, $"{Names.Arg("image")}, {Names.Arg("row")}, oy{Names.DepthwiseTileArgument}{Names.Argument}", Names, widths);

        private void EmitRow(SourceWriter writer, Isa isa)
        {
            string suffix = isa.IsScalar ? Names.Isa : Names.IsaSuffix(isa.Name);
            string parameters = Names.DepthwiseTileParameter;
            if (Names.PadsRows && isa.IsScalar)
            {
                // The vector methods take the tile's rows together; the scalar one takes them one by one.
                writer.WriteLine($"/// <summary>Depthwise step for the <paramref name=\"rows\"/> output rows from <paramref name=\"oy\"/> on, one by one.</summary>");
                Names.EmitKernelAttribute(writer);
            writer.OpenBlock($"private void {Names.DepthwiseBase}{suffix}({Names.Param("image", writable: false)}, {Names.Param("row", writable: true)}, int oy{parameters}{Names.Parameter})");
                writer.OpenBlock("for (int r = 0; r < rows; r++)");
                writer.WriteLine($"{Names.DepthwiseBase}{suffix}Row({Names.Arg("image")}, {Names.ArgAt("row", $"r * {Names.Size("OutputWidth")}")}, oy + r, channelStride{Names.Argument});");
                writer.CloseBlock();
                writer.CloseBlock();
                writer.WriteLine();
                suffix += "Row";
                parameters = ", int channelStride";
            }

            writer.WriteLine("/// <summary>");
            string rows = Names.PadsRows && !isa.IsScalar
                ? $"Depthwise step for the <paramref name=\"rows\"/> output rows from <paramref name=\"oy\"/> on, with {isa.VectorType}"
                : $"Depthwise step for output row <paramref name=\"oy\"/>{(isa.IsScalar ? string.Empty : $", interior with {isa.VectorType}")}";
            writer.WriteLine($"/// {rows}: fills <paramref name=\"row\"/> with");
            writer.WriteLine($"/// {RowLayout}.");
            writer.WriteLine("/// </summary>");
            Names.EmitKernelAttribute(writer, isa);
            writer.OpenBlock($"private void {Names.DepthwiseBase}{suffix}({Names.Param("image", writable: false)}, {Names.Param("row", writable: true)}, int oy{parameters}{Names.Parameter})");
            writer.WriteLine($"int iy = {Names.InputRow};");
            writer.WriteLine(Names.LetArray("weights", "_sepConvDepthwise"));
            EmitRowBody(writer, isa);
            writer.CloseBlock();
        }

        /// <summary>
        /// One vector block of <paramref name="chains"/> accumulators over every tap: a loop over the kernel rows
        /// (whose start <paramref name="rowSetup"/> declares as <c>xr</c>/<c>wr</c> for a row expression) with the
        /// columns unrolled. <paramref name="input"/> and <paramref name="weight"/> give the operands of a column
        /// expression and chain (<paramref name="weightPerChain"/>: whether chains read weights of their own, else one broadcast
        /// per column serves them all); <paramref name="store"/> the store of a chain. With <paramref name="splits"/> above 1
        /// each chain sums its unrolled kernel columns round robin into that many partial accumulators, added up
        /// before the store: independent multiply-adds hide their latency when a block has few chains.
        /// <paramref name="kernelRows"/> replaces <see cref="VectorKernelRows"/> where the caller clips the rows itself.
        /// </summary>
        protected void EmitVectorTaps(SourceWriter writer, Isa isa, int chains, Func<string, IEnumerable<string>> rowSetup,
                                      Func<TapColumn, int, string> input, Func<TapColumn, int, string> weight, bool weightPerChain, Func<int, string> store,
                                      int splits = 1, (string From, string To)? kernelRows = null)
        {
            (string kyFrom, string kyTo) = kernelRows ?? VectorKernelRows;
            string type = $"{isa.VectorType}<float>";
            bool unrolled = Spec.Width.Kernel <= KernelPlanner.MaxUnrolledColumns;
            splits = unrolled ? Math.Max(1, Math.Min(splits, Spec.Width.Kernel)) : 1;
            DeclareAccumulators(writer, type, "acc", chains, splits);

            bool rowLoop = Spec.Height.Kernel > 1;
            if (rowLoop)
            {
                writer.OpenBlock($"for (int ky = {kyFrom}; ky < {kyTo}; ky++)");
            }

            foreach (string line in rowSetup(rowLoop ? "ky" : "0"))
            {
                writer.WriteLine(line);
            }

            void TapsOfColumn(TapColumn kx, int split)
            {
                // A weight shared by every chain (a broadcast) is loaded once per column.
                bool shared = chains > 1 && !weightPerChain;
                if (shared)
                {
                    writer.WriteLine($"{type} weight{Sanitize(kx)} = {weight(kx, 0)};");
                }

                for (int q = 0; q < chains; q++)
                {
                    string acc = Accumulator("acc", q, split);
                    writer.WriteLine($"{acc} = MultiplyAdd({input(kx, q)}, {(shared ? "weight" + Sanitize(kx) : weight(kx, q))}, {acc});");
                }
            }

            if (unrolled)
            {
                for (int kx = 0; kx < Spec.Width.Kernel; kx++)
                {
                    TapsOfColumn(TapColumn.At(kx), kx % splits);
                }
            }
            else
            {
                writer.OpenBlock("for (int kx = 0; kx < KernelWidth; kx++)");
                TapsOfColumn(TapColumn.Loop, 0);
                writer.CloseBlock();
            }

            if (rowLoop)
            {
                writer.CloseBlock();
            }

            for (int q = 0; q < chains; q++)
            {
                EmitFoldSplits(writer, "acc", q, splits);
                writer.WriteLine(store(q));
            }
        }

        /// <summary>"acc2", or "acc2_1" for the second partial sum of chain 2 (<paramref name="name"/> "acc").</summary>
        protected static string Accumulator(string name, int chain, int split) =>
            split == 0 ? $"{name}{chain}" : $"{name}{chain}_{split}";

        /// <summary>Declares the zeroed partial sums of <paramref name="chains"/> chains, <paramref name="splits"/> each.</summary>
        protected static void DeclareAccumulators(SourceWriter writer, string type, string name, int chains, int splits)
        {
            for (int q = 0; q < chains; q++)
            {
                for (int s = 0; s < splits; s++)
                {
                    writer.WriteLine($"{type} {Accumulator(name, q, s)} = {type}.Zero;");
                }
            }
        }

        /// <summary>Adds chain <paramref name="chain"/>'s partial sums into its first one (nothing to add with one split).</summary>
        protected static void EmitFoldSplits(SourceWriter writer, string name, int chain, int splits)
        {
            if (splits == 1)
            {
                return;
            }

            var parts = new System.Text.StringBuilder(Accumulator(name, chain, 0));
            for (int s = 1; s < splits; s++)
            {
                parts.Append(" + ").Append(Accumulator(name, chain, s));
            }

            writer.WriteLine($"{Accumulator(name, chain, 0)} = {parts};");
        }

        /// <summary>
        /// The kernel rows vector rows run: all of them, or, where rows can reach the padding, the ones inside the
        /// image for this output row (so border rows still run their interior columns on vectors).
        /// </summary>
        protected virtual (string From, string To) VectorKernelRows => Spec.Height.HasBorder ? ("kyStart", "kyEnd") : ("0", "KernelHeight");

        /// <summary>
        /// Declares kyStart/kyEnd for the output row whose kernel row 0 reads input row <paramref name="inputRow"/>
        /// (vector rows whose height can pad).
        /// </summary>
        protected void EmitRowClip(SourceWriter writer, string inputRow = "iy")
        {
            if (Spec.Height.HasBorder)
            {
                writer.WriteLine("// Kernel rows inside the image for this output row: all of them away from the top and bottom border.");
                writer.WriteLine($"int kyStart = {inputRow} >= 0 ? 0 : (DilationHeight - 1 - {inputRow}) / DilationHeight;");
                writer.WriteLine($"int kyEnd = Math.Min(KernelHeight, ({Names.Size("InputHeight")} - 1 - {inputRow}) / DilationHeight + 1);");
            }
        }

        /// <summary>
        /// A scalar output as a compact loop over the kernel rows <see cref="VectorKernelRows"/> and all columns, for
        /// the few channels or pixels a vector row leaves over. The index expressions may use <c>ky</c> and <c>kx</c>.
        /// </summary>
        protected void EmitScalarTapLoop(SourceWriter writer, string input, string inputIndex, string weights, string weightIndex, string target,
                                         string kxFrom = "0", string kxTo = "KernelWidth")
        {
            (string kyFrom, string kyTo) = VectorKernelRows;
            writer.WriteLine("float sum = 0f;");
            writer.OpenBlock($"for (int ky = {kyFrom}; ky < {kyTo}; ky++)");
            writer.OpenBlock($"for (int kx = {kxFrom}; kx < {kxTo}; kx++)");
            writer.WriteLine($"sum += {Names.At(input, inputIndex)} * {Names.At(weights, weightIndex)};");
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine($"{target} = sum;");
        }

        /// <summary>
        /// The input row of kernel row <paramref name="ky"/> when kernel row 0 reads <paramref name="row"/>: "iy" or
        /// "(iy + ky * DilationHeight)".
        /// </summary>
        protected static string InputRowOf(string ky, string row = "iy") => ky == "0" ? row : $"({row} + {ky} * DilationHeight)";

        private static string Sanitize(TapColumn kx) => kx.Index is int index ? Literal.Int(index) : string.Empty;

        /// <summary>"kx * TapColumnStep" for a column expression ("0" gives nothing).</summary>
        protected static string? Column(TapColumn kx, string step) => kx.Index == 0 ? null : $"{kx} * {step}";

        /// <summary>"c", "c + 16", "c + 32"...: the start of chain q.</summary>
        protected static string Chain(string start, int q, int lanes) => q == 0 ? start : $"{start} + {q * lanes}";

        /// <summary>The row method after <c>iy</c> (input row of kernel row 0) and <c>weights</c>; <paramref name="bits"/> 0 is scalar.</summary>
        protected abstract void EmitRowBody(SourceWriter writer, Isa isa);

        protected abstract void EmitBorderPixel(SourceWriter writer);

        /// <summary>The outputs [start, end) of a row whose windows all lie inside the image.</summary>
        protected (string Start, string End) InteriorColumns => Spec.Width.HasBorder
            ? (Names.Size("InteriorLeft"), Names.Size("InteriorRight"))
            : ("0", Names.Size("OutputWidth"));

        /// <summary>Declares the kernel-row (unless <paramref name="rows"/> is false) and kernel-column steps the interior taps are offset by.</summary>
        protected void EmitTapSteps(SourceWriter writer, bool rows = true)
        {
            if (rows && Spec.Height.Kernel > 1)
            {
                writer.WriteLine($"{(Spec.IsFixed ? "const int" : "int")} tapRowStep = {RowStep};");
            }

            if (Spec.Width.Kernel > 1)
            {
                writer.WriteLine($"const int TapColumnStep = {ColumnStep};");
            }
        }

        /// <summary>
        /// Computes every depthwise output of one window whose origin is <c>x</c>, with the channel's
        /// weights at <c>w</c> (multiplier 0; each tap's weights DepthwiseChannels apart).
        /// </summary>
        protected void EmitWindow(SourceWriter writer, Func<string, string> targetOfMultiplier)
        {
            if (!Spec.UnrollTaps)
            {
                EmitMultiplierLoop(writer, targetOfMultiplier, weights => EmitTapLoop(writer, weights), multiline: false);
                return;
            }

            // Straight-line taps: load each input once, reuse it for every multiplier.
            for (int ky = 0; ky < Spec.Height.Kernel; ky++)
            {
                for (int kx = 0; kx < Spec.Width.Kernel; kx++)
                {
                    string offset = Join(ky == 0 ? null : $"{ky} * tapRowStep", kx == 0 ? null : $"{kx} * TapColumnStep");
                    writer.WriteLine($"float {Tap(ky, kx)} = {Names.At("x", offset.Length == 0 ? "0" : offset)};");
                }
            }

            EmitMultiplierLoop(writer, targetOfMultiplier, EmitTapSum, multiline: Spec.Taps > 1);
        }

        /// <param name="multiline">Whether the sum is written tap by tap on lines of its own.</param>
        private void EmitMultiplierLoop(SourceWriter writer, Func<string, string> targetOfMultiplier, Func<string, string> sum, bool multiline)
        {
            if (Spec.DepthMultiplier == 1)
            {
                EmitAssignment(writer, targetOfMultiplier("0"), sum("w"), multiline);
                return;
            }

            writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
            writer.WriteLine(Names.Let("wm", writable: false, "w", "m * InChannels"));
            EmitAssignment(writer, targetOfMultiplier("m"), sum("wm"), multiline);
            writer.CloseBlock();
        }

        private static void EmitAssignment(SourceWriter writer, string target, string value, bool multiline) =>
            writer.WriteLine(multiline ? $"{target} =\n    {value};" : $"{target} = {value};");

        /// <summary>The dot product of the loaded taps with the weights at <paramref name="weights"/>, tap by tap.</summary>
        private string EmitTapSum(string weights)
        {
            var sum = new System.Text.StringBuilder();
            for (int ky = 0; ky < Spec.Height.Kernel; ky++)
            {
                for (int kx = 0; kx < Spec.Width.Kernel; kx++)
                {
                    int tap = (ky * Spec.Width.Kernel) + kx;
                    string weight = Names.At(weights, tap == 0 ? "0" : $"{tap} * DepthwiseChannels");
                    sum.Append(tap == 0 ? string.Empty : "\n    + ").Append($"{Tap(ky, kx)} * {weight}");
                }
            }

            return sum.ToString();
        }

        /// <summary>The compact form for large kernels: the taps as two loops accumulating into acc.</summary>
        private string EmitTapLoop(SourceWriter writer, string weights)
        {
            string? row = Spec.Height.Kernel > 1 ? "ky * tapRowStep" : null;
            string? column = Spec.Width.Kernel > 1 ? "kx * TapColumnStep" : null;
            writer.WriteLine("float acc = 0f;");
            writer.OpenBlock("for (int ky = 0; ky < KernelHeight; ky++)");
            writer.OpenBlock("for (int kx = 0; kx < KernelWidth; kx++)");
            writer.WriteLine($"acc += {Names.At("x", Join(row, column))} * {Names.At(weights, "(ky * KernelWidth + kx) * DepthwiseChannels")};");
            writer.CloseBlock();
            writer.CloseBlock();
            return "acc";
        }

        /// <summary>Declares kyStart/kyEnd and kxStart/kxEnd: the taps of a window at (iy, ix) that land in the image.</summary>
        protected void EmitClippedTapRange(SourceWriter writer)
        {
            if (Spec.Height.HasBorder)
            {
                writer.WriteLine("// Kernel rows with iy + ky * DilationHeight inside [0, InputHeight); iy never passes the last row.");
                writer.WriteLine("int kyStart = iy >= 0 ? 0 : (DilationHeight - 1 - iy) / DilationHeight;");
                writer.WriteLine($"int kyEnd = Math.Min(KernelHeight, ({Names.Size("InputHeight")} - 1 - iy) / DilationHeight + 1);");
            }

            if (Spec.Width.HasBorder)
            {
                EmitColumnClip(writer);
            }
        }

        /// <summary>Declares kxStart/kxEnd: the kernel columns of a window at column <c>ix</c> that land in the image.</summary>
        protected void EmitColumnClip(SourceWriter writer)
        {
            writer.WriteLine("// Kernel columns with ix + kx * DilationWidth inside [0, InputWidth).");
            writer.WriteLine("int kxStart = ix >= 0 ? 0 : (DilationWidth - 1 - ix) / DilationWidth;");
            writer.WriteLine($"int kxEnd = Math.Min(KernelWidth, ({Names.Size("InputWidth")} - 1 - ix) / DilationWidth + 1);");
        }

        protected string KyStart => Spec.Height.HasBorder ? "kyStart" : "0";

        protected string KyEnd => Spec.Height.HasBorder ? "kyEnd" : "KernelHeight";

        protected string KxStart => Spec.Width.HasBorder ? "kxStart" : "0";

        protected string KxEnd => Spec.Width.HasBorder ? "kxEnd" : "KernelWidth";

        /// <summary>
        /// Where intermediate channel (c, m) lives in a row: multiplier-major (m * InChannels + c), so that one
        /// multiplier's outputs (and weights) are contiguous over the input channels and vectorize.
        /// </summary>
        protected string Intermediate(string c, string m) => Spec.DepthMultiplier == 1 || m == "0" ? c : $"{m} * InChannels + {c}";

        /// <summary>Opens "for (int m ...)" when there is a multiplier; returns whether it did, to close it.</summary>
        protected bool OpenMultiplierLoop(SourceWriter writer)
        {
            if (Spec.DepthMultiplier == 1)
            {
                return false;
            }

            writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
            return true;
        }

        /// <summary>The offset of multiplier m's rows of intermediate channels in an NCHW tile.</summary>
        protected const string MultiplierRows = "m * InChannels * channelStride";

        protected static string Tap(int ky, int kx) => $"x{ky}_{kx}";

        protected static string OrZero(string offset) => offset.Length == 0 ? "0" : offset;

        protected static string Join(string? first, string? second) =>
            first is null ? second ?? string.Empty : second is null ? first : $"{first} + {second}";
    }
}

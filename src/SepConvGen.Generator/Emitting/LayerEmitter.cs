using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Prints one <see cref="LayerSpec"/> as a C# file: constants, weight loaders, the validating public
    /// <c>Forward</c>, and the specialized kernels. It only prints: every decision is read off the spec.
    /// The output compiles as C# 7.3 so that netstandard2.0 consumers get the same (scalar) code.
    /// </summary>
    internal sealed partial class LayerEmitter
    {
        private const string Checks = "global::SepConvGen.LayerChecks";

        private readonly LayerSpec _spec;
        private readonly KernelNames _names;
        private readonly KernelOptions _options;
        private readonly KernelPlan _plan;
        private readonly SourceWriter _writer = new SourceWriter();

        private readonly string _generatedCode;

        private LayerEmitter(LayerSpec spec, KernelOptions options, string version)
        {
            _generatedCode = $"[global::System.CodeDom.Compiler.GeneratedCode(\"SepConvGen\", \"{version}\")]";
            _spec = spec;
            _options = options;
            _plan = KernelPlanner.Plan(spec, options);
            _names = new KernelNames(spec, options, _plan);
        }

        /// <summary>The file for <paramref name="spec"/>, with the kernels <paramref name="options"/> ask for.</summary>
        public static string Emit(LayerSpec spec, string version, KernelOptions options)
        {
            var emitter = new LayerEmitter(spec, options, version);
            emitter.EmitFile(version);
            return emitter._writer.ToString();
        }

        private void EmitFile(string version)
        {
            SourceWriter w = _writer;
            HeaderEmitter.Emit(w, _spec, version, _options, _plan);
            w.WriteLine();
            w.WriteLine("using System;");
            w.WriteLine("using System.Runtime.CompilerServices;");
            w.WriteLine("using System.Runtime.InteropServices;");
            if (_options.VectorWidths.Length > 0)
            {
                w.WriteLine("using System.Runtime.Intrinsics;");
                w.WriteLine("using System.Runtime.Intrinsics.Arm;");
                w.WriteLine("using System.Runtime.Intrinsics.X86;");
            }

            w.WriteLine();
            using SourceWriter.Frame frame = w.TypeFrame(_spec.Namespace, _spec.ContainingTypes, _spec.TypeKeyword, _spec.ClassName);
            EmitConstants();
            w.WriteLine();
            EmitFields();
            w.WriteLine();
            EmitKerasLoader();
            w.WriteLine();
            EmitPyTorchLoader();
            w.WriteLine();
            EmitPackedIndex();
            w.WriteLine();
            EmitGetOutputSize();
            w.WriteLine();
            EmitForward();
            w.WriteLine();
            EmitForwardParallel();
            w.WriteLine();
            EmitForwardCore();
            w.WriteLine();
            DepthwiseEmitter.For(_spec, _names, _plan).Emit(w);
            w.WriteLine();
            new PointwiseEmitter(_spec, _names).Emit(w);
            EmitVectorKernels();
            ActivationForm activation = Activations.For(_spec.Activation);
            if (activation.InEpilogue)
            {
                w.WriteLine();
                w.WriteLine($"/// <summary>{activation.Summary}</summary>");
                w.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                w.WriteLine($"private static float Activate(float value) => {activation.Scalar};");
            }

            if (!_spec.IsFixed)
            {
                w.WriteLine();
                EmitGeometry();
            }
        }

        private void EmitConstants()
        {
            SourceWriter w = _writer;
            Constant("public", "InChannels", _spec.InChannels, "Input channels.");
            Constant("public", "OutChannels", _spec.OutChannels, "Output channels (Keras filters).");
            Constant("public", "KernelHeight", _spec.Height.Kernel, "Depthwise kernel height.");
            Constant("public", "KernelWidth", _spec.Width.Kernel, "Depthwise kernel width.");
            Constant("public", "DepthMultiplier", _spec.DepthMultiplier, "Depthwise outputs per input channel.");
            Constant("public", "StrideHeight", _spec.Height.Stride, "Vertical stride.");
            Constant("public", "StrideWidth", _spec.Width.Stride, "Horizontal stride.");
            Constant("public", "DilationHeight", _spec.Height.Dilation, "Vertical dilation.");
            Constant("public", "DilationWidth", _spec.Width.Dilation, "Horizontal dilation.");
            Constant("public", "DepthwiseChannels", "InChannels * DepthMultiplier", "Channels between the depthwise and the pointwise step.");
            Constant("public", "DepthwiseKernelLength", "KernelHeight * KernelWidth * DepthwiseChannels", "Length of the Keras depthwise kernel (kh, kw, in, dm).");
            Constant("public", "PointwiseKernelLength", "DepthwiseChannels * OutChannels", "Length of the Keras pointwise kernel (1, 1, in * dm, out).");
            if (_spec.IsFixed)
            {
                AxisPlan h = _spec.Height;
                AxisPlan x = _spec.Width;
                int inH = h.FixedInput;
                int inW = x.FixedInput;
                Constant("public", "InputHeight", inH, "Fixed input height.");
                Constant("public", "InputWidth", inW, "Fixed input width.");
                Constant("public", "OutputHeight", h.Output(inH), "Output height.");
                Constant("public", "OutputWidth", x.Output(inW), "Output width.");
                Constant("public", "PadTop", h.PadBefore(inH), "Zero rows above the input (TensorFlow: floor(total / 2)).");
                Constant("public", "PadBottom", h.PadAfter(inH), "Zero rows below the input (the rest of the total).");
                Constant("public", "PadLeft", x.PadBefore(inW), "Zero columns left of the input.");
                Constant("public", "PadRight", x.PadAfter(inW), "Zero columns right of the input.");
                if (h.HasBorder)
                {
                    Constant("private", "InteriorTop", h.InteriorStart(inH), "First output row whose window needs no padding.");
                    Constant("private", "InteriorBottom", h.InteriorEnd(inH), "One past the last output row whose window needs no padding.");
                }

                if (x.HasBorder)
                {
                    Constant("private", "InteriorLeft", x.InteriorStart(inW), "First output column whose window needs no padding.");
                    Constant("private", "InteriorRight", x.InteriorEnd(inW), "One past the last output column whose window needs no padding.");
                }
            }

            w.WriteLine();
            w.WriteLine("// Dilated kernel extents: (k - 1) * d + 1.");
            w.WriteLine("private const int EffectiveKernelHeight = (KernelHeight - 1) * DilationHeight + 1;");
            w.WriteLine("private const int EffectiveKernelWidth = (KernelWidth - 1) * DilationWidth + 1;");
            w.WriteLine("private const int KernelTaps = KernelHeight * KernelWidth;");
            w.WriteLine("// Pointwise weights are packed in panels of PackBlock filters: [panel][depthwise channel][PackBlock],");
            w.WriteLine($"// zero-padded to whole panels. {(_spec.Layout == LayoutKind.ChannelsLast ? "Vector kernels read a panel row as whole vectors" : "Every kernel broadcasts one panel row of PackBlock filters")}.");
            w.WriteLine($"private const int PackBlock = {LayerSpec.PackBlock(_spec.Layout)};");
            w.WriteLine("private const int PackedBlocks = (OutChannels + PackBlock - 1) / PackBlock;");
            w.WriteLine("private const int PackedFilters = PackedBlocks * PackBlock;");
            w.WriteLine("private const int PanelLength = DepthwiseChannels * PackBlock;");
            w.WriteLine("// Output rows are processed in tiles of about TilePixels pixels whose depthwise results fit in L2.");
            if (_spec.IsFixed)
            {
                int outH = _spec.Height.Output(_spec.Height.FixedInput), outW = _spec.Width.Output(_spec.Width.FixedInput);
                w.WriteLine($"private const int RowTile = {_plan.RowTile};");
            }
            else
            {
                w.WriteLine($"private const int TilePixels = {LayerSpec.TilePixels};");
                w.WriteLine($"private const int MaxTileFloats = {LayerSpec.MaxTileFloats};");
            }

            w.WriteLine("// Scalar register blocks: FilterBlock filters x PixelBlock pixels of accumulators.");
            w.WriteLine($"private const int FilterBlock = {PointwiseEmitter.FilterBlock};");
            w.WriteLine($"private const int PixelBlock = {PointwiseEmitter.PixelBlock};");
            w.WriteLine("private const int FullFilterBlocks = OutChannels / FilterBlock;");
        }

        private void Constant(string access, string name, int value, string summary) =>
            Constant(access, name, Literal.Int(value), summary);

        private void Constant(string access, string name, string value, string summary)
        {
            _writer.WriteLine($"/// <summary>{summary}</summary>");
            _writer.WriteLine($"{access} const int {name} = {value};");
        }

        private void EmitFields()
        {
            SourceWriter w = _writer;
            w.WriteLine("// Depthwise weights tap-major like Keras (kh, kw, in, dm), so one tap's weights for all intermediate");
            w.WriteLine($"// channels are contiguous, at tap * DepthwiseChannels + {(_spec.DepthMultiplier == 1 ? "c" : "m * InChannels + c (multiplier-major)")}.");
            w.WriteLine("private readonly float[] _sepConvDepthwise = new float[DepthwiseKernelLength];");
            w.WriteLine("// Pointwise weights packed in panels (see PackBlock); the bias zero-padded to whole panels.");
            w.WriteLine("private readonly float[] _sepConvPointwise = new float[PackedBlocks * PanelLength];");
            if (_spec.UseBias)
            {
                w.WriteLine("private readonly float[] _sepConvBias = new float[PackedFilters];");
            }

            w.WriteLine("private volatile bool _sepConvLoaded;");
        }

        /// <summary>Vector kernels for every width the compilation allows, their dispatcher and helpers.</summary>
        private void EmitVectorKernels()
        {
            Isa[] widths = _options.VectorWidths;
            if (widths.Length == 0)
            {
                return;
            }

            var vector = VectorPointwiseEmitter.For(_spec, _names, _plan);
            _writer.WriteLine();
            vector.EmitDispatcher(_writer, widths);
            foreach (Isa isa in widths)
            {
                _writer.WriteLine();
                vector.Emit(_writer, isa);
            }

            foreach (Isa isa in widths)
            {
                _writer.WriteLine();
                vector.EmitHelpers(_writer, isa);
            }

            vector.EmitScalarHelper(_writer);
        }
    }
}

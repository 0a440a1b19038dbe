using System;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>
    /// Prints one <see cref="LayerSpec"/> as a C# file: constants, weight loaders, the validating public
    /// <c>Forward</c>, and the specialized kernels. It only prints: every decision is read off the spec.
    /// The output compiles as C# 7.3 so that netstandard2.0 consumers get the same (scalar) code.
    /// </summary>
    internal sealed class LayerEmitter
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
            if (_spec.Namespace.Length > 0)
            {
                w.OpenBlock($"namespace {_spec.Namespace}");
            }

            foreach (string outer in _spec.ContainingTypes)
            {
                w.OpenBlock(outer);
            }

            w.OpenBlock($"partial {_spec.TypeKeyword} {_spec.ClassName}");
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
            if (!activation.IsLinear)
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

            w.CloseBlock();
            foreach (string _ in _spec.ContainingTypes)
            {
                w.CloseBlock();
            }

            if (_spec.Namespace.Length > 0)
            {
                w.CloseBlock();
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

        private void EmitKerasLoader()
        {
            var depthwise = new LoaderParameter("depthwiseKernel", "(kh, kw, in, dm)",
                $"({_spec.Height.Kernel}, {_spec.Width.Kernel}, {_spec.InChannels}, {_spec.DepthMultiplier})");
            var pointwise = new LoaderParameter("pointwiseKernel", "(1, 1, in * dm, out)",
                $"(1, 1, {_spec.DepthwiseChannels}, {_spec.OutChannels})");
            EmitLoader("LoadKerasWeights", "Keras", depthwise, pointwise, w =>
            {
                if (_spec.DepthMultiplier == 1)
                {
                    w.WriteLine("// The Keras depthwise layout is the one the kernels read.");
                    w.WriteLine("depthwiseKernel.CopyTo(_sepConvDepthwise);");
                }
                else
                {
                    w.WriteLine("// Tap-major like Keras, with each tap's channels in the kernels' multiplier-major order.");
                    EmitNestedLoops(w, "tap", "KernelTaps", "j", "DepthwiseChannels",
                        "_sepConvDepthwise[tap * DepthwiseChannels + Intermediate(j)] = depthwiseKernel[tap * DepthwiseChannels + j];");
                }

                EmitNestedLoops(w, "j", "DepthwiseChannels", "f", "OutChannels",
                    $"_sepConvPointwise[PackedPointwiseIndex({Intermediate("j")}, f)] = pointwiseKernel[j * OutChannels + f];");
            });
        }

        private void EmitPyTorchLoader()
        {
            var depthwise = new LoaderParameter("depthwiseWeight", "(in * dm, 1, kh, kw) of Conv2d(groups = in)",
                $"({_spec.DepthwiseChannels}, 1, {_spec.Height.Kernel}, {_spec.Width.Kernel})");
            var pointwise = new LoaderParameter("pointwiseWeight", "(out, in * dm, 1, 1)",
                $"({_spec.OutChannels}, {_spec.DepthwiseChannels}, 1, 1)");
            EmitLoader("LoadPyTorchWeights", "PyTorch", depthwise, pointwise, w =>
            {
                w.WriteLine("// Channel-major (PyTorch) to tap-major (Keras).");
                EmitNestedLoops(w, "j", "DepthwiseChannels", "tap", "KernelTaps",
                    $"_sepConvDepthwise[tap * DepthwiseChannels + {Intermediate("j")}] = depthwiseWeight[j * KernelTaps + tap];");
                w.WriteLine();
                EmitNestedLoops(w, "f", "OutChannels", "j", "DepthwiseChannels",
                    $"_sepConvPointwise[PackedPointwiseIndex({Intermediate("j")}, f)] = pointwiseWeight[f * DepthwiseChannels + j];");
            });
        }

        /// <summary>A weight span of a loader: its name, its layout in words, and that layout with this layer's numbers.</summary>
        private readonly struct LoaderParameter
        {
            public LoaderParameter(string name, string layout, string shape)
            {
                Name = name;
                Layout = layout;
                Shape = shape;
            }

            public string Name { get; }

            public string Layout { get; }

            public string Shape { get; }

            /// <summary>The layout without the words after it, e.g. "(kh, kw, in, dm)".</summary>
            public string Dimensions => Layout.Substring(0, Layout.IndexOf(')') + 1);
        }

        /// <summary>A loader: checks every length first, then copies into the kernels' layouts.</summary>
        private void EmitLoader(string method, string framework, LoaderParameter depthwise, LoaderParameter pointwise, Action<SourceWriter> copy)
        {
            SourceWriter w = _writer;
            string bias = _spec.UseBias ? ", <paramref name=\"bias\"/> (out)" : string.Empty;
            w.WriteLine("/// <summary>");
            w.WriteLine($"/// Loads weights in the {framework} layout: <paramref name=\"{depthwise.Name}\"/> {depthwise.Layout},");
            w.WriteLine($"/// <paramref name=\"{pointwise.Name}\"/> {pointwise.Layout}{bias}.");
            w.WriteLine("/// All lengths are checked before anything is copied. Not to be called while Forward runs.");
            w.WriteLine("/// </summary>");
            w.WriteLine(_generatedCode);
            w.OpenBlock($"public void {method}(ReadOnlySpan<float> {depthwise.Name}, ReadOnlySpan<float> {pointwise.Name}{BiasParameter})");
            w.WriteLine($"{Checks}.RequireLength({depthwise.Name}.Length, DepthwiseKernelLength, nameof({depthwise.Name}), \"{depthwise.Dimensions} = {depthwise.Shape}\");");
            w.WriteLine($"{Checks}.RequireLength({pointwise.Name}.Length, PointwiseKernelLength, nameof({pointwise.Name}), \"{pointwise.Dimensions} = {pointwise.Shape}\");");
            if (_spec.UseBias)
            {
                w.WriteLine($"{Checks}.RequireLength(bias.Length, OutChannels, nameof(bias), \"(out) = ({_spec.OutChannels})\");");
            }

            w.WriteLine();
            copy(w);
            if (_spec.UseBias)
            {
                w.WriteLine();
                w.WriteLine("bias.CopyTo(_sepConvBias);");
            }

            w.WriteLine("_sepConvLoaded = true;");
            w.CloseBlock();
        }

        private static void EmitNestedLoops(SourceWriter w, string outer, string outerCount, string inner, string innerCount, string statement)
        {
            w.OpenBlock($"for (int {outer} = 0; {outer} < {outerCount}; {outer}++)");
            w.OpenBlock($"for (int {inner} = 0; {inner} < {innerCount}; {inner}++)");
            w.WriteLine(statement);
            w.CloseBlock();
            w.CloseBlock();
        }

        private string BiasParameter => _spec.UseBias ? ", ReadOnlySpan<float> bias" : string.Empty;

        /// <summary>"Intermediate(j)" with a multiplier, "j" without: where Keras/PyTorch channel j = c * dm + m goes.</summary>
        private string Intermediate(string j) => _spec.DepthMultiplier == 1 ? j : $"Intermediate({j})";

        private void EmitPackedIndex()
        {
            if (_spec.DepthMultiplier > 1)
            {
                _writer.WriteLine("/// <summary>");
                _writer.WriteLine("/// Where Keras/PyTorch intermediate channel j = c * DepthMultiplier + m lives in the kernels' rows:");
                _writer.WriteLine("/// m * InChannels + c, multiplier-major, so one multiplier's channels are contiguous and vectorize.");
                _writer.WriteLine("/// </summary>");
                _writer.WriteLine("private static int Intermediate(int j) => j % DepthMultiplier * InChannels + j / DepthMultiplier;");
                _writer.WriteLine();
            }

            _writer.WriteLine("/// <summary>Where pointwise weight (j, f) lives in the packed microkernel layout.</summary>");
            _writer.WriteLine("private static int PackedPointwiseIndex(int j, int f) => (f / PackBlock) * PanelLength + j * PackBlock + f % PackBlock;");
        }

        private void EmitGetOutputSize()
        {
            SourceWriter w = _writer;
            bool same = _spec.Height.Padding == PaddingKind.Same;
            w.WriteLine("/// <summary>");
            w.WriteLine(same
                ? "/// The output size for an input of the given size (TensorFlow SAME: ceil(in / stride))."
                : "/// The output size for an input of the given size (Valid: (in - effective kernel) / stride + 1).");
            w.WriteLine("/// </summary>");
            w.WriteLine(_generatedCode);
            w.OpenBlock("public static (int Height, int Width) GetOutputSize(int inputHeight, int inputWidth)");
            w.WriteLine($"{Checks}.RequirePositive(inputHeight, nameof(inputHeight));");
            w.WriteLine($"{Checks}.RequirePositive(inputWidth, nameof(inputWidth));");
            if (same)
            {
                w.WriteLine("return ((inputHeight - 1) / StrideHeight + 1, (inputWidth - 1) / StrideWidth + 1);");
            }
            else
            {
                EmitKernelFits("inputHeight", _spec.Height, "EffectiveKernelHeight");
                EmitKernelFits("inputWidth", _spec.Width, "EffectiveKernelWidth");
                w.WriteLine("return ((inputHeight - EffectiveKernelHeight) / StrideHeight + 1, (inputWidth - EffectiveKernelWidth) / StrideWidth + 1);");
            }

            w.CloseBlock();
        }

        private void EmitKernelFits(string input, AxisPlan axis, string effective)
        {
            // A 1-wide window fits every positive size.
            if (axis.EffectiveKernel > 1)
            {
                _writer.OpenBlock($"if ({input} < {effective})");
                _writer.WriteLine($"{Checks}.ThrowInputSmallerThanKernel(nameof({input}), {input}, {effective});");
                _writer.CloseBlock();
            }
        }

        private void EmitForward()
        {
            SourceWriter w = _writer;
            string layout = InputLayout, outLayout = OutputLayout;
            w.WriteLine("/// <summary>");
            w.WriteLine($"/// Runs the layer on <paramref name=\"batch\"/> images: <paramref name=\"input\"/> is {layout},");
            w.WriteLine($"/// <paramref name=\"output\"/> is {outLayout}, both row-major and of exactly that length.");
            w.WriteLine("/// Allocates nothing in steady state; safe to call from many threads once the weights are loaded.");
            w.WriteLine("/// </summary>");
            w.WriteLine(_generatedCode);
            w.OpenBlock("public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, int inputHeight, int inputWidth)");
            if (_spec.IsFixed)
            {
                EmitFixedSizeCheck();
                w.WriteLine("Forward(input, output, batch);");
                w.CloseBlock();
                w.WriteLine();
                w.WriteLine("/// <summary>");
                w.WriteLine($"/// Runs the layer on <paramref name=\"batch\"/> images of the fixed size: <paramref name=\"input\"/> is {layout},");
                w.WriteLine($"/// <paramref name=\"output\"/> is {outLayout}, both row-major and of exactly that length.");
                w.WriteLine("/// Allocates nothing in steady state; safe to call from many threads once the weights are loaded.");
                w.WriteLine("/// </summary>");
                w.WriteLine(_generatedCode);
                w.OpenBlock("public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch = 1)");
            }

            EmitBatchChecks();
            w.WriteLine($"ForwardCore(input, output, batch{_names.Argument});");
            w.CloseBlock();
        }

        /// <summary>
        /// The batch and tensor-length checks of a Forward (after its size checks); for run-time sizes they declare
        /// <c>g</c>, the call's geometry.
        /// </summary>
        private void EmitBatchChecks()
        {
            SourceWriter w = _writer;
            w.WriteLine($"{Checks}.RequirePositive(batch, nameof(batch));");
            if (_spec.IsFixed)
            {
                EmitLengthChecks("InputHeight", "InputWidth", "OutputHeight", "OutputWidth");
            }
            else
            {
                w.WriteLine("var g = new SepConvGeometry(inputHeight, inputWidth);");
                EmitLengthChecks("inputHeight", "inputWidth", "g.OutputHeight", "g.OutputWidth");
            }
        }

        private string InputLayout => _spec.Layout == LayoutKind.ChannelsLast ? "(batch, H, W, InChannels)" : "(batch, InChannels, H, W)";

        private string OutputLayout => _spec.Layout == LayoutKind.ChannelsLast ? "(batch, OutH, OutW, OutChannels)" : "(batch, OutChannels, OutH, OutW)";

        /// <summary>A fixed-size layer accepts only its own size.</summary>
        private void EmitFixedSizeCheck()
        {
            SourceWriter w = _writer;
            w.WriteLine($"{Checks}.RequirePositive(inputHeight, nameof(inputHeight));");
            w.WriteLine($"{Checks}.RequirePositive(inputWidth, nameof(inputWidth));");
            w.OpenBlock("if (inputHeight != InputHeight || inputWidth != InputWidth)");
            w.WriteLine($"{Checks}.ThrowFixedSizeMismatch(InputHeight, InputWidth, inputHeight, inputWidth);");
            w.CloseBlock();
            w.WriteLine();
        }

        private void EmitImageLengths()
        {
            _writer.WriteLine($"int inputImageLength = InChannels * {_names.Size("InputHeight")} * {_names.Size("InputWidth")};");
            _writer.WriteLine($"int outputImageLength = OutChannels * {_names.Size("OutputHeight")} * {_names.Size("OutputWidth")};");
        }

        /// <summary>The opt-in multi-threaded Forward: batch x row-tile work items on the thread pool.</summary>
        private void EmitForwardParallel()
        {
            SourceWriter w = _writer;
            string outH = _names.Size("OutputHeight");
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Forward on up to <paramref name=\"threads\"/> threads: each image's output rows in one part per thread, spread");
            w.WriteLine("/// over the thread pool; the results are bit for bit those of <see cref=\"Forward(ReadOnlySpan{float}, Span{float}, int, int, int)\"/>.");
            w.WriteLine("/// Opt-in: unlike Forward it allocates a little per call (the work items), and it blocks until all are done.");
            w.WriteLine("/// </summary>");
            w.WriteLine(_generatedCode);
            w.OpenBlock("public void ForwardParallel(ReadOnlyMemory<float> input, Memory<float> output, int batch, int inputHeight, int inputWidth, int threads)");
            w.WriteLine($"{Checks}.RequirePositive(threads, nameof(threads));");
            if (_spec.IsFixed)
            {
                EmitFixedSizeCheck();
            }

            EmitBatchChecks();
            EmitImageLengths();
            w.WriteLine($"int rowTile = {(_spec.IsFixed ? "RowTile" : $"RowTileFor({outH}, {_names.Size("OutputWidth")})")};");
            w.WriteLine("// Each image's rows in one part per thread, of even height, so that the threads get the same work (tiles");
            w.WriteLine("// of 4 of 19 rows on 2 threads would be 12 rows against 7); each part in tiles of even height.");
            w.WriteLine($"int parts = Math.Min({outH}, threads);");
            w.OpenBlock("if (batch * parts == 1)");
            w.WriteLine("// A single work item (one image, on one thread or of one row) runs here, without the thread pool.");
            w.WriteLine($"ForwardCore(input.Span, output.Span, batch{_names.Argument});");
            w.WriteLine("return;");
            w.CloseBlock();
            w.WriteLine();
            w.WriteLine("var options = new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = threads };");
            w.OpenBlock("System.Threading.Tasks.Parallel.For(0, batch * parts, options, item =>");
            w.WriteLine("int b = item / parts, part = item % parts;");
            w.WriteLine($"int firstRow = (int)((long)part * {outH} / parts);");
            w.WriteLine($"int rows = (int)((long)(part + 1) * {outH} / parts) - firstRow;");
            w.WriteLine("int tiles = (rows + rowTile - 1) / rowTile;");
            w.OpenBlock("for (int tile = 0; tile < tiles; tile++)");
            w.WriteLine("int from = firstRow + tile * rows / tiles, to = firstRow + (tile + 1) * rows / tiles;");
            w.WriteLine("ForwardTile(input.Span.Slice(b * inputImageLength, inputImageLength), output.Span.Slice(b * outputImageLength, outputImageLength),");
            w.WriteLine($"    from, to - from{_names.Argument});");
            w.CloseBlock();
            w.CloseBlock(");");
            w.CloseBlock();
        }

        private void EmitLengthChecks(string inH, string inW, string outH, string outW)
        {
            SourceWriter w = _writer;
            w.WriteLine($"int inputLength = {Checks}.TensorLength(batch, InChannels, {inH}, {inW}, nameof(batch));");
            w.WriteLine($"int outputLength = {Checks}.TensorLength(batch, OutChannels, {outH}, {outW}, nameof(batch));");
            w.WriteLine($"{Checks}.RequireLength(input.Length, inputLength, nameof(input), \"{InputLayout}\");");
            w.WriteLine($"{Checks}.RequireLength(output.Length, outputLength, nameof(output), \"{OutputLayout}\");");
            w.OpenBlock("if (!_sepConvLoaded)");
            w.WriteLine($"{Checks}.ThrowWeightsNotLoaded(\"{_spec.ClassName}\");");
            w.CloseBlock();
            w.WriteLine();
        }

        /// <summary>
        /// The thread's scratch buffer (one <c>[ThreadStatic]</c> array, as the layer classes may live in collectible
        /// contexts). Vector kernels use it from its first 64-byte line on, so a tile's vector loads never straddle two
        /// lines: the array has 15 floats of slack, and the start is found from the array's address on every call. The
        /// GC may move the array after that (large arrays it leaves in place), which costs alignment, never bounds.
        /// </summary>
        private void EmitScratch()
        {
            SourceWriter w = _writer;
            bool aligned = _plan.AlignsScratch;
            w.WriteLine("// Each thread's scratch for ForwardCore: grown when a call needs more, never shared between threads.");
            w.WriteLine("[ThreadStatic]");
            w.WriteLine("private static float[] t_sepConvScratch;");
            w.WriteLine();
            w.WriteLine(aligned
                ? "/// <summary>The calling thread's scratch: <paramref name=\"length\"/> floats from <paramref name=\"start\"/> on, the array's first 64-byte line.</summary>"
                : "/// <summary>The calling thread's scratch, at least <paramref name=\"length\"/> floats (allocated once per thread and size).</summary>");
            w.OpenBlock(aligned ? "private static float[] Scratch(int length, out int start)" : "private static float[] Scratch(int length)");
            w.WriteLine("float[] scratch = t_sepConvScratch;");
            w.OpenBlock(aligned ? "if (scratch == null || scratch.Length < length + 15)" : "if (scratch == null || scratch.Length < length)");
            w.WriteLine(aligned ? "t_sepConvScratch = scratch = new float[length + 15];" : "t_sepConvScratch = scratch = new float[length];");
            w.CloseBlock();
            w.WriteLine();
            if (aligned)
            {
                w.WriteLine("// Where the array is now (if the GC moves it later, only the alignment is lost).");
                w.WriteLine("long address = Marshal.UnsafeAddrOfPinnedArrayElement(scratch, 0).ToInt64();");
                w.WriteLine("start = (int)((64 - (address & 63)) & 63) / sizeof(float);");
            }

            w.WriteLine("return scratch;");
            w.CloseBlock();
        }

        private void EmitForwardCore()
        {
            SourceWriter w = _writer;
            bool channelsLast = _spec.Layout == LayoutKind.ChannelsLast;
            string outH = _names.Size("OutputHeight");
            string outW = _names.Size("OutputWidth");
            string rowTile = _spec.IsFixed ? "RowTile" : $"RowTileFor({outH}, {outW})";
            w.WriteLine("/// <summary>Runs validated arguments, image by image and tile of output rows by tile.</summary>");
            w.OpenBlock($"private void ForwardCore(ReadOnlySpan<float> input, Span<float> output, int batch{_names.Parameter})");
            EmitImageLengths();
            w.WriteLine($"int rowTile = {rowTile};");
            w.OpenBlock("for (int b = 0; b < batch; b++)");
            w.OpenBlock($"for (int firstRow = 0; firstRow < {outH}; firstRow += rowTile)");
            w.WriteLine("ForwardTile(input.Slice(b * inputImageLength, inputImageLength), output.Slice(b * outputImageLength, outputImageLength),");
            w.WriteLine($"    firstRow, Math.Min(rowTile, {outH} - firstRow){_names.Argument});");
            w.CloseBlock();
            w.CloseBlock();
            w.CloseBlock();
            w.WriteLine();

            w.WriteLine("/// <summary>");
            w.WriteLine("/// One image's output rows [firstRow, firstRow + rows): the depthwise step fills a tile buffer that the");
            w.WriteLine("/// pointwise step consumes at once, so the intermediate tensor is never materialized. The buffer is the");
            w.WriteLine("/// calling thread's scratch, which keeps the layer free of per-call state and safe to share between threads.");
            w.WriteLine("/// </summary>");
            w.OpenBlock($"private void ForwardTile(ReadOnlySpan<float> input, Span<float> output, int firstRow, int rows{_names.Parameter})");
            bool aligned = _plan.AlignsScratch;
            string startOut = aligned ? ", out int start" : string.Empty;
            string Start(string offset) => !aligned ? offset : offset == "0" ? "start" : "start + " + offset;
            w.WriteLine($"int tilePixels = rows * {outW};");
            if (!channelsLast)
            {
                w.WriteLine("// Channel rows a whole number of 64-byte lines apart: from the aligned scratch of the vector kernels, the");
                w.WriteLine("// pointwise step's vectors of pixels never straddle two lines.");
                w.WriteLine("int channelStride = (tilePixels + 15) & ~15;");
                w.WriteLine("int tileLength = channelStride * DepthwiseChannels;");
            }
            else
            {
                w.WriteLine("int tileLength = tilePixels * DepthwiseChannels;");
            }

            if (_names.PadsRows)
            {
                w.WriteLine("// After the tile: zero-padded copies of the input rows the tile reads (zeroed per tile), and 16 floats");
                w.WriteLine("// of slack: the vector rows may load one vector past the end of the last padded row.");
                w.WriteLine("int slabRows = (rows - 1) * StrideHeight + (KernelHeight - 1) * DilationHeight + 1;");
                bool pairs = _plan.PairsSlabRows;
                if (pairs)
                {
                    w.WriteLine("// Two rows more for rows in pairs: the zero row an odd last row's partner reads, and the row it writes.");
                }

                w.WriteLine($"int padLength = {(pairs ? "(slabRows + 2)" : "slabRows")} * StrideWidth * ({outW} + (KernelWidth - 1) * DilationWidth / StrideWidth) + 16;");
                w.WriteLine($"float[] scratch = Scratch(tileLength + padLength{startOut});");
                w.WriteLine($"Array.Clear(scratch, {Start("tileLength")}, padLength);");
            }
            else
            {
                w.WriteLine($"float[] scratch = Scratch(tileLength{startOut});");
            }

            if (_names.IsChecked)
            {
                w.WriteLine("// Checked mode: every buffer is a span of its exact extent, so any stray index throws.");
                w.WriteLine("ReadOnlySpan<float> image = input;");
                w.WriteLine("Span<float> result = output;");
                w.WriteLine($"Span<float> row = scratch.AsSpan({Start("0")}, tileLength);");
                if (_names.PadsRows)
                {
                    w.WriteLine($"Span<float> pad = scratch.AsSpan({Start("tileLength")}, padLength);");
                }
            }
            else
            {
                w.WriteLine("// Lengths were checked by the caller: every offset below stays inside input, output and scratch");
                w.WriteLine("// (the DEBUG build of this code checks each access).");
                w.WriteLine("ref float image = ref MemoryMarshal.GetReference(input);");
                w.WriteLine("ref float result = ref MemoryMarshal.GetReference(output);");
                w.WriteLine($"ref float row = ref scratch[{Start("0")}];");
                if (_names.PadsRows)
                {
                    w.WriteLine($"ref float pad = ref scratch[{Start("tileLength")}];");
                }
            }

            string depthwise = DepthwiseEmitter.For(_spec, _names, _plan).EntryName;
            if (_names.PadsRows)
            {
                w.WriteLine($"{depthwise}({_names.Arg("image")}, {_names.Arg("row")}, firstRow{_names.DepthwiseTileArgument}{_names.Argument});");
            }
            else
            {
                w.OpenBlock("for (int r = 0; r < rows; r++)");
                string rowStart = channelsLast ? $"r * {outW} * DepthwiseChannels" : $"r * {outW}";
                w.WriteLine($"{depthwise}({_names.Arg("image")}, {_names.ArgAt("row", rowStart)}, firstRow + r{_names.DepthwiseTileArgument}{_names.Argument});");
                w.CloseBlock();
            }

            w.WriteLine();
            string pointwise = _options.VectorWidths.Length > 0 ? _names.PointwiseBase : _names.Pointwise;
            w.WriteLine($"int firstPixel = firstRow * {outW};");
            w.WriteLine("int pixels = tilePixels;");
            w.WriteLine($"{pointwise}({_names.Arg("row")}, {_names.Arg("result")}{_names.PointwiseTileArguments}{_names.Argument});");
            w.CloseBlock();

            w.WriteLine();
            EmitScratch();

            if (!_spec.IsFixed)
            {
                w.WriteLine();
                w.WriteLine("/// <summary>Output rows per tile: about TilePixels pixels for the pointwise kernels, at most MaxTileFloats buffered.</summary>");
                const string rows = "(int)Math.Max(1, Math.Min(outputHeight, Math.Min((TilePixels + outputWidth - 1) / outputWidth, MaxTileFloats / ((long)DepthwiseChannels * outputWidth))))";
                if (_spec.Layout == LayoutKind.ChannelsLast)
                {
                    w.WriteLine("private static int RowTileFor(int outputHeight, int outputWidth) =>");
                    w.WriteLine($"    {rows};");
                }
                else
                {
                    w.OpenBlock("private static int RowTileFor(int outputHeight, int outputWidth)");
                    w.WriteLine($"int rows = {rows};");
                    w.WriteLine("// One row more where that leaves fewer unused lanes in the tile's last 16-float pixel vector, relative to the tile.");
                    w.WriteLine("if (rows < outputHeight && (long)(rows + 1) * outputWidth * DepthwiseChannels <= MaxTileFloats &&");
                    w.WriteLine("    LaneWaste((rows + 1) * outputWidth) * rows < LaneWaste(rows * outputWidth) * (rows + 1))");
                    w.OpenBlock();
                    w.WriteLine("rows++;");
                    w.CloseBlock();
                    w.WriteLine();
                    w.WriteLine("return rows;");
                    w.CloseBlock();
                    w.WriteLine();
                    w.WriteLine("/// <summary>Lanes past the last of <paramref name=\"pixels\"/> in whole 16-float vectors.</summary>");
                    w.WriteLine("private static int LaneWaste(int pixels) => (16 - (pixels % 16)) % 16;");
                }
            }
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

        private void EmitGeometry()
        {
            SourceWriter w = _writer;
            AxisPlan h = _spec.Height;
            AxisPlan x = _spec.Width;
            w.WriteLine("/// <summary>Output size, padding and the outputs that need no padding, for one run-time input size.</summary>");
            w.WriteLine(_generatedCode);
            w.OpenBlock("private readonly struct SepConvGeometry");
            w.WriteLine("public readonly int InputHeight;");
            w.WriteLine("public readonly int InputWidth;");
            w.WriteLine("public readonly int OutputHeight;");
            w.WriteLine("public readonly int OutputWidth;");
            if (h.HasBorder)
            {
                w.WriteLine("public readonly int PadTop;");
                w.WriteLine("public readonly int InteriorTop;");
                w.WriteLine("public readonly int InteriorBottom;");
            }

            if (x.HasBorder)
            {
                w.WriteLine("public readonly int PadLeft;");
                w.WriteLine("public readonly int InteriorLeft;");
                w.WriteLine("public readonly int InteriorRight;");
            }

            w.WriteLine();
            w.OpenBlock("public SepConvGeometry(int inputHeight, int inputWidth)");
            w.WriteLine("var output = GetOutputSize(inputHeight, inputWidth);");
            w.WriteLine("InputHeight = inputHeight;");
            w.WriteLine("InputWidth = inputWidth;");
            w.WriteLine("OutputHeight = output.Height;");
            w.WriteLine("OutputWidth = output.Width;");
            if (h.HasBorder)
            {
                EmitAxisGeometry("Height", "inputHeight", "Top", "Bottom");
            }

            if (x.HasBorder)
            {
                EmitAxisGeometry("Width", "inputWidth", "Left", "Right");
            }

            w.CloseBlock();
            w.CloseBlock();
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

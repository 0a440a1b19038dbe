using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>GetOutputSize, Forward and ForwardParallel: the public entry points and their argument checks.</summary>
    internal sealed partial class LayerEmitter
    {
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
            void Summary(string images)
            {
                w.WriteLine("/// <summary>");
                w.WriteLine($"/// Runs the layer on <paramref name=\"batch\"/> {images}: <paramref name=\"input\"/> is {layout},");
                w.WriteLine($"/// <paramref name=\"output\"/> is {outLayout}, both row-major and of exactly that length.");
                w.WriteLine("/// Allocates nothing in steady state; safe to call from many threads once the weights are loaded.");
                w.WriteLine("/// </summary>");
                w.WriteLine(_generatedCode);
            }

            Summary("images");
            w.OpenBlock("public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, int inputHeight, int inputWidth)");
            if (_spec.IsFixed)
            {
                EmitFixedSizeCheck();
                w.WriteLine("Forward(input, output, batch);");
                w.CloseBlock();
                w.WriteLine();
                Summary("images of the fixed size");
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
    }
}

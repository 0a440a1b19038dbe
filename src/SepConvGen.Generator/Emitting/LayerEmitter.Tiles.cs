using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>ForwardCore and ForwardTile: images in tiles of output rows through the depthwise and pointwise steps, and the thread's scratch.</summary>
    internal sealed partial class LayerEmitter
    {
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
            // The same first 64-byte line as a written model's workspace (SepConvGen.Kernels.Alignment).
            string slack = aligned ? " + global::SepConvGen.Kernels.Alignment.Slack" : string.Empty;
            w.OpenBlock($"if (scratch == null || scratch.Length < length{slack})");
            w.WriteLine($"t_sepConvScratch = scratch = new float[length{slack}];");
            w.CloseBlock();
            w.WriteLine();
            if (aligned)
            {
                w.WriteLine("start = global::SepConvGen.Kernels.Alignment.FirstLine(scratch);");
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
            _names.EmitKernelAttribute(w);
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
            _names.EmitKernelAttribute(w);
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
            if (Activations.For(_spec.Activation).TileFunction is string function)
            {
                string activate = "global::SepConvGen.Kernels.Elementwise." + function;
                w.WriteLine();
                w.WriteLine("// The activation on the tile's output just written, while it is in cache (the same function as the model step).");
                if (channelsLast)
                {
                    w.WriteLine($"{activate}(output.Slice(firstPixel * OutChannels, pixels * OutChannels));");
                }
                else
                {
                    w.WriteLine($"int outputPlane = {_names.Size("OutputHeight")} * {outW};");
                    w.OpenBlock("for (int f = 0; f < OutChannels; f++)");
                    w.WriteLine($"{activate}(output.Slice(f * outputPlane + firstPixel, pixels));");
                    w.CloseBlock();
                }
            }

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
    }
}

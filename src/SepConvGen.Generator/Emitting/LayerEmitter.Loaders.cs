using System;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>The weight loaders: every length checked, then the Keras or PyTorch layout copied into the kernels' (packed pointwise panels).</summary>
    internal sealed partial class LayerEmitter
    {
        private void EmitKerasLoader()
        {
            var depthwise = new LoaderParameter("depthwiseKernel", "(kh, kw, in, dm)", string.Empty,
                $"({_spec.Height.Kernel}, {_spec.Width.Kernel}, {_spec.InChannels}, {_spec.DepthMultiplier})");
            var pointwise = new LoaderParameter("pointwiseKernel", "(1, 1, in * dm, out)", string.Empty,
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
            var depthwise = new LoaderParameter("depthwiseWeight", "(in * dm, 1, kh, kw)", " of Conv2d(groups = in)",
                $"({_spec.DepthwiseChannels}, 1, {_spec.Height.Kernel}, {_spec.Width.Kernel})");
            var pointwise = new LoaderParameter("pointwiseWeight", "(out, in * dm, 1, 1)", string.Empty,
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

        /// <summary>A weight span of a loader: its name, its dimensions, words on them, and the dimensions with this layer's numbers.</summary>
        private readonly struct LoaderParameter
        {
            public LoaderParameter(string name, string dimensions, string note, string shape)
            {
                Name = name;
                Dimensions = dimensions;
                Note = note;
                Shape = shape;
            }

            public string Name { get; }

            /// <summary>The dimensions, e.g. "(kh, kw, in, dm)".</summary>
            public string Dimensions { get; }

            /// <summary>Words after the dimensions in the summary, e.g. " of Conv2d(groups = in)".</summary>
            public string Note { get; }

            public string Shape { get; }

            public string Layout => Dimensions + Note;
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
            using (w.Block($"for (int {outer} = 0; {outer} < {outerCount}; {outer}++)"))
            using (w.Block($"for (int {inner} = 0; {inner} < {innerCount}; {inner}++)"))
            {
                w.WriteLine(statement);
            }
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
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using SepConvGen.Keras;
using SepConvGen.Keras.Model;

namespace SepConvGen.Tool.Models
{
    /// <summary>What writing a model gives: the C# file, or the layers that keep it from running.</summary>
    internal sealed record ModelCode(string? Code, IReadOnlyList<UnsupportedLayer> Unsupported, ModelPlan? Plan);

    /// <summary>
    /// Writes one self-contained C# file for a whole Keras model: a class with its input and output sizes as
    /// constants, one nested generated layer per Conv2D, DepthwiseConv2D, SeparableConv2D, pooling and Dense layer
    /// (BatchNormalization folded and activations fused where the plan says), the steps between them, and
    /// <c>FromKerasFile</c> (or, with embedded weights, <c>Create</c>) and <c>Predict</c>.
    /// </summary>
    internal static class ModelWriter
    {
        public static ModelCode Write(KerasWeights file, string targetNamespace, string className, bool embedWeights, string sourceName)
        {
            KerasModel model = KerasModel.From(file);
            if (model.Unsupported.Count > 0)
            {
                return new ModelCode(null, model.Unsupported, null);
            }

            ModelPlan plan = ModelPlan.Plan(model, className);
            var code = new StringBuilder();
            var w = new Writer(code);
            w.Line($"// Written by 'sepconvgen model' from {sourceName}. Do not edit: run the command again instead.");
            w.Line("// The nested classes' attributes restate the Keras layers (BatchNormalization folded into the layer before it,");
            w.Line("// its activation fused into it); SepConvGen generates each of them at build time.");
            w.Line("#nullable enable");
            w.Line();
            w.Line("using System;");
            w.Line("using System.Collections.Generic;");
            w.Line("using System.IO;");
            w.Line("using SepConvGen;");
            w.Line("using SepConvGen.Kernels;");
            if (!embedWeights)
            {
                w.Line("using SepConvGen.Keras;");
            }

            w.Line();
            w.Open($"namespace {targetNamespace}");
            w.Line($"/// <summary>The Keras model of {Doc(sourceName)}, compiled for its shapes: input {Shape(plan.Input.Shape)}, output {Shape(plan.Output.Shape)}.</summary>");
            w.Open($"public sealed partial class {className}");
            WriteConstants(w, plan);
            WriteLayers(w, plan);
            WriteFactories(w, plan, className, embedWeights ? Embedded(file, plan) : null);
            WriteLoad(w, plan);
            WritePredict(w, plan);
            WriteWorkspace(w, plan);
            w.Close();
            w.Close();
            return new ModelCode(code.ToString(), Array.Empty<UnsupportedLayer>(), plan);
        }

        private static void WriteConstants(Writer w, ModelPlan plan)
        {
            IReadOnlyList<int> input = plan.Input.Shape;
            w.Line("/// <summary>The input's shape without the batch, in the model's layout.</summary>");
            w.Line($"public static readonly IReadOnlyList<int> InputShape = new[] {{ {string.Join(", ", input)} }};");
            w.Line();
            for (int axis = 0; axis < input.Count; axis++)
            {
                w.Line($"/// <summary>Input axis {axis} (without the batch).</summary>");
                w.Line($"public const int InputAxis{axis} = {input[axis]};");
                w.Line();
            }

            w.Line("/// <summary>Values of one input item.</summary>");
            w.Line($"public const int InputLength = {input.Aggregate(1, (a, d) => a * d)};");
            w.Line();
            w.Line("/// <summary>Values of one output item: the classes.</summary>");
            w.Line($"public const int OutputLength = {plan.Output.Shape.Aggregate(1, (a, d) => a * d)};");
            w.Line();
        }

        private static void WriteLayers(Writer w, ModelPlan plan)
        {
            foreach ((LayerStep step, string doc) in plan.Steps.SelectMany(Declared))
            {
                w.Line($"/// <summary>{Doc(doc)}</summary>");
                w.Line(step.Attribute);
                w.Line($"private sealed partial class {step.ClassName} {{ }}");
                w.Line();
                w.Line($"private readonly {step.ClassName} {step.Field} = new {step.ClassName}();");
                w.Line();
            }

            foreach (NormalizeStep step in plan.Steps.OfType<NormalizeStep>())
            {
                w.Line($"// BatchNormalization '{step.Layer.Name}' on its own: a scale and a shift per channel.");
                w.Line($"private readonly float[] {step.Field} = new float[{step.Channels}], {step.Field}Shift = new float[{step.Channels}];");
                w.Line();
            }

            w.Line("// Each thread that calls Predict gets its own buffers, made on its first call.");
            w.Line("private readonly System.Threading.ThreadLocal<Workspace> _workspace = new System.Threading.ThreadLocal<Workspace>(() => new Workspace());");
            w.Line();
        }

        /// <summary>The generated layers a step declares, each with what it computes of the Keras model.</summary>
        private static IEnumerable<(LayerStep Step, string Doc)> Declared(PlannedStep step)
        {
            static string Folded(LayerStep s) => s.FoldedNormalization is null ? string.Empty : $", with '{s.FoldedNormalization.Name}' folded in";
            switch (step)
            {
                case LayerStep layer:
                    yield return (layer, $"Keras layer '{layer.Layer.Name}' ({layer.Layer.ClassName}){Folded(layer)}.");
                    break;
                case CommutedStep pair:
                    yield return (pair.Column, $"Keras layer '{pair.Column.Layer.Name}' ({pair.Column.Layer.ClassName}){Folded(pair.Column)}, run first: " +
                                               $"its column filter on the input of '{pair.Row.Layer.Name}' (both are linear, so they commute).");
                    yield return (pair.Row, $"Keras layer '{pair.Row.Layer.Name}' ({pair.Row.Layer.ClassName}){Folded(pair.Row)}, run second: " +
                                            $"its row filter on each channel of '{pair.Column.Layer.Name}', with both biases.");
                    break;
            }
        }

        private static void WriteFactories(Writer w, ModelPlan plan, string className, (string[] Names, int[][] Lengths, string Base64)? embedded)
        {
            w.Open($"private {className}()");
            w.Close();
            w.Line();
            if (embedded is null)
            {
                w.Line("/// <summary>Creates the model with its weights read from the Keras file it was written from (or one of the same architecture).</summary>");
                w.Line("/// <exception cref=\"FileNotFoundException\">There is no such file.</exception>");
                w.Line("/// <exception cref=\"InvalidDataException\">The file is damaged, or its layers or weights do not match this model.</exception>");
                w.Open($"public static {className} FromKerasFile(string path)");
                w.Line("using KerasWeights file = KerasWeights.Open(path);");
                w.Line($"var model = new {className}();");
                w.Open("try");
                w.Line("model.Load(file.ReadLayerWeights);");
                w.Close();
                w.Open("catch (Exception e) when (e is KeyNotFoundException or ArgumentException)");
                w.Line($"throw new InvalidDataException($\"'{{path}}' does not hold the weights of this model ({className}): {{e.Message}}\", e);");
                w.Close();
                w.Line();
                w.Line("return model;");
                w.Close();
                w.Line();
                return;
            }

            (string[] names, int[][] lengths, string base64) = embedded.Value;
            w.Line("/// <summary>Creates the model with the weights compiled into this assembly.</summary>");
            w.Open($"public static {className} Create()");
            w.Line("byte[] bytes = Convert.FromBase64String(EmbeddedWeights);");
            w.Line("var weights = new Dictionary<string, IReadOnlyList<float[]>>(StringComparer.Ordinal);");
            w.Line("int offset = 0;");
            w.Open("for (int layer = 0; layer < EmbeddedLayers.Length; layer++)");
            w.Line("var arrays = new float[EmbeddedLengths[layer].Length][];");
            w.Open("for (int i = 0; i < arrays.Length; i++)");
            w.Line("arrays[i] = new float[EmbeddedLengths[layer][i]];");
            w.Line("Buffer.BlockCopy(bytes, offset, arrays[i], 0, arrays[i].Length * sizeof(float));");
            w.Line("offset += arrays[i].Length * sizeof(float);");
            w.Close();
            w.Line();
            w.Line("weights[EmbeddedLayers[layer]] = arrays;");
            w.Close();
            w.Line();
            w.Line($"var model = new {className}();");
            w.Line("model.Load(name => weights[name]);");
            w.Line("return model;");
            w.Close();
            w.Line();
            w.Line($"private static readonly string[] EmbeddedLayers = {{ {string.Join(", ", names.Select(n => "\"" + Escape(n) + "\""))} }};");
            w.Line();
            w.Line($"private static readonly int[][] EmbeddedLengths = {{ {string.Join(", ", lengths.Select(l => "new[] { " + string.Join(", ", l) + " }"))} }};");
            w.Line();
            w.Line("// The weights as little-endian floats, layer after layer.");
            w.Line($"private const string EmbeddedWeights = \"{base64}\";");
            w.Line();
        }

        /// <summary>The weights of every layer the model loads, in order, for <c>--embed-weights</c>.</summary>
        private static (string[] Names, int[][] Lengths, string Base64) Embedded(KerasWeights file, ModelPlan plan)
        {
            string[] names = WeightedLayers(plan).ToArray();
            var lengths = new int[names.Length][];
            using var bytes = new MemoryStream();
            for (int i = 0; i < names.Length; i++)
            {
                IReadOnlyList<float[]> arrays = file.ReadLayerWeights(names[i]);
                lengths[i] = arrays.Select(a => a.Length).ToArray();
                foreach (float[] array in arrays)
                {
                    var raw = new byte[array.Length * sizeof(float)];
                    Buffer.BlockCopy(array, 0, raw, 0, raw.Length);
                    if (!BitConverter.IsLittleEndian)
                    {
                        throw new PlatformNotSupportedException("Embedding weights needs a little-endian machine.");
                    }

                    bytes.Write(raw);
                }
            }

            return (names, lengths, Convert.ToBase64String(bytes.ToArray()));
        }

        private static IEnumerable<string> WeightedLayers(ModelPlan plan)
        {
            foreach (PlannedStep step in plan.Steps.SelectMany(s => s is CommutedStep c ? new PlannedStep[] { c.Row, c.Column } : new[] { s }))
            {
                if (step is LayerStep { Layer.Operation: ConvolutionOperation or DenseOperation } layer)
                {
                    yield return layer.Layer.Name;
                    if (layer.FoldedNormalization is not null)
                    {
                        yield return layer.FoldedNormalization.Name;
                    }
                }
                else if (step is NormalizeStep norm)
                {
                    yield return norm.Layer.Name;
                }
            }
        }

        private static void WriteLoad(Writer w, ModelPlan plan)
        {
            w.Line("/// <summary>Loads every layer's weights, as Keras orders them, by layer name.</summary>");
            w.Open("private void Load(Func<string, IReadOnlyList<float[]>> weights)");
            foreach (PlannedStep step in plan.Steps)
            {
                switch (step)
                {
                    case LayerStep { Layer.Operation: ConvolutionOperation or DenseOperation } layer:
                        WriteLayerLoad(w, layer);
                        break;
                    case CommutedStep commuted:
                        WriteCommutedLoad(w, commuted);
                        break;
                    case NormalizeStep norm:
                        var op = (BatchNormalizationOperation)norm.Layer.Operation;
                        w.Open();
                        w.Line($"IReadOnlyList<float[]> n = Read(weights, \"{Escape(norm.Layer.Name)}\", {NormalizationArrays(op)});");
                        w.Line($"BatchNormalization.ScaleAndShift({NormalizationArguments(op)}, {Double(op.Epsilon)}, {norm.Field}, {norm.Field}Shift);");
                        w.Close();
                        break;
                }
            }

            w.Close();
            w.Line();
            w.Line("/// <summary>A layer's weight arrays, checked to be as many as the model expects.</summary>");
            w.Open("private static IReadOnlyList<float[]> Read(Func<string, IReadOnlyList<float[]>> weights, string layer, int count)");
            w.Line("IReadOnlyList<float[]> arrays = weights(layer);");
            w.Line("return arrays.Count == count ? arrays : throw new InvalidDataException($\"Layer '{layer}' has {arrays.Count} weight arrays; this model expects {count}.\");");
            w.Close();
            w.Line();
        }

        private static void WriteLayerLoad(Writer w, LayerStep layer)
        {
            bool separable = layer.Layer.Operation is ConvolutionOperation { Kind: "SeparableConv2D" };
            w.Line($"// {layer.Layer.Name}{(layer.FoldedNormalization is null ? string.Empty : " + " + layer.FoldedNormalization.Name)}");
            w.Open();
            (string kernel, string bias) = WriteReadAndFold(w, layer.Layer, layer.FoldedNormalization, layer.OutputChannels, new LoadNames("w", "bias", "n"));
            string arguments = separable ? "w[0], " + kernel : kernel;
            w.Line($"{layer.Field}.LoadKerasWeights({arguments}{(layer.UsesBias ? ", " + bias : string.Empty)});");
            w.Close();
        }

        private static void WriteCommutedLoad(Writer w, CommutedStep step)
        {
            LayerStep row = step.Row, column = step.Column;
            w.Line($"// {row.Layer.Name}, then {column.Layer.Name}, commuted: the depthwise column filter runs first (the same function, fewer multiply-adds)");
            w.Open();
            (string rowKernel, string rowBias) = WriteReadAndFold(w, row.Layer, row.FoldedNormalization, step.Filters, new LoadNames("rowWeights", "rowBias", "rowNormalization"));
            (string columnKernel, string columnBias) = WriteReadAndFold(w, column.Layer, column.FoldedNormalization, column.OutputChannels, new LoadNames("columnWeights", "columnBias", "columnNormalization"));
            w.Line($"{column.Field}.LoadKerasWeights({columnKernel});");
            w.Line($"{row.Field}.LoadKerasWeights(CommutedConvolutions.RowKernel({rowKernel}, {step.Filters}, {step.DepthMultiplier}), CommutedConvolutions.Bias({rowBias}, {columnKernel}, {columnBias}));");
            w.Close();
        }

        /// <summary>The variables a layer's load block writes: its weight arrays, its bias, its normalization's arrays.</summary>
        private sealed record LoadNames(string Weights, string Bias, string Normalization);

        /// <summary>
        /// Writes the reading of a layer's weights, with its BatchNormalization folded into the last kernel and the bias
        /// (zeros where the layer has none); returns the expressions of that kernel and bias.
        /// </summary>
        private static (string Kernel, string Bias) WriteReadAndFold(Writer w, ModelLayer layer, ModelLayer? folded, int channels, LoadNames names)
        {
            (int kernels, bool ownBias) = layer.Operation switch
            {
                ConvolutionOperation c => (c.Kind == "SeparableConv2D" ? 2 : 1, c.UseBias),
                DenseOperation d => (1, d.UseBias),
                _ => (1, false),
            };
            w.Line($"IReadOnlyList<float[]> {names.Weights} = Read(weights, \"{Escape(layer.Name)}\", {kernels + (ownBias ? 1 : 0)});");
            string bias = ownBias ? $"{names.Weights}[{kernels}]" : $"new float[{channels}]";
            string kernel = $"{names.Weights}[{kernels - 1}]";
            if (folded is null)
            {
                return (kernel, bias);
            }

            var op = (BatchNormalizationOperation)folded.Operation;
            w.Line($"float[] {names.Bias} = {bias};");
            w.Line($"IReadOnlyList<float[]> {names.Normalization} = Read(weights, \"{Escape(folded.Name)}\", {NormalizationArrays(op)});");
            w.Line($"BatchNormalization.Fold({kernel}, {names.Bias}, {NormalizationArguments(op, names.Normalization)}, {Double(op.Epsilon)});");
            return (kernel, names.Bias);
        }

        private static int NormalizationArrays(BatchNormalizationOperation op) => 2 + (op.Scale ? 1 : 0) + (op.Center ? 1 : 0);

        /// <summary>gamma, beta, mean, variance from the arrays Keras stores (gamma and beta only where scale and center are on).</summary>
        private static string NormalizationArguments(BatchNormalizationOperation op, string n = "n")
        {
            int i = 0;
            string gamma = op.Scale ? $"{n}[{i++}]" : "ReadOnlySpan<float>.Empty";
            string beta = op.Center ? $"{n}[{i++}]" : "ReadOnlySpan<float>.Empty";
            return $"{gamma}, {beta}, {n}[{i}], {n}[{i + 1}]";
        }

        private static void WritePredict(Writer w, ModelPlan plan)
        {
            string shape = "(batch, " + string.Join(", ", plan.Input.Shape) + ")";
            w.Line("/// <summary>");
            w.Line($"/// Runs the model on <paramref name=\"batch\"/> inputs {Doc(shape)}, row-major in the model's layout; writes (batch, {plan.Output.Shape.Aggregate(1, (a, d) => a * d)}).");
            w.Line("/// Allocates nothing after a thread's first call; safe to call from many threads at once.");
            w.Line("/// </summary>");
            w.Line("/// <exception cref=\"ArgumentOutOfRangeException\"><paramref name=\"batch\"/> is below 1.</exception>");
            w.Line("/// <exception cref=\"ArgumentException\">A span does not hold exactly batch items.</exception>");
            w.Open("public void Predict(ReadOnlySpan<float> input, Span<float> output, int batch = 1)");
            w.Line("LayerChecks.RequirePositive(batch, nameof(batch));");
            w.Line($"LayerChecks.RequireLength(input.Length, LayerChecks.TensorLength(batch, InputLength, 1, 1, nameof(input)), nameof(input), \"{Escape(shape)}\");");
            w.Line("LayerChecks.RequireLength(output.Length, LayerChecks.TensorLength(batch, OutputLength, 1, 1, nameof(output)), nameof(output), \"(batch, classes)\");");
            w.Line("Workspace b = _workspace.Value!;");
            if (plan.Storage.Count > 0)
            {
                w.Line("// Each array is used from its first 64-byte line on: whole vector loads of a pixel's channels then stay in one cache line.");
                w.Line("int " + string.Join(", ", Enumerable.Range(0, plan.Storage.Count).Select(i => $"o{i} = Alignment.FirstLine(b.B{i})")) + ";");
            }

            w.Open("for (int n = 0; n < batch; n++)");
            w.Line("ReadOnlySpan<float> x = input.Slice(n * InputLength, InputLength);");
            foreach (PlannedStep step in plan.Steps)
            {
                foreach (string line in Statement(plan, step).Split('\n'))
                {
                    w.Line(line);
                }
            }

            w.Line($"{Span(plan, plan.OutputBuffer)}.CopyTo(output.Slice(n * OutputLength, OutputLength));");
            w.Close();
            w.Close();
            w.Line();
        }

        private static string Statement(ModelPlan plan, PlannedStep step)
        {
            string B(int buffer) => Span(plan, buffer);
            return step switch
            {
                LayerStep { Layer.Operation: DenseOperation d } s =>
                    $"{s.Field}.Forward({B(s.Input)}, {B(s.Output)}, {Length(s.Layer.Shape) / d.Units}); // {s.Layer.Name}",
                LayerStep s => $"{s.Field}.Forward({B(s.Input)}, {B(s.Output)}); // {s.Layer.Name}",
                CommutedStep s => $"{Statement(plan, s.Column)}\n{Statement(plan, s.Row)}",
                NormalizeStep s => $"BatchNormalization.Apply({B(s.Buffer)}, {s.Field}, {s.Field}Shift, {s.Inner}); // {s.Layer.Name}",
                ActivateStep s => Activation(s, B(s.Buffer)) + $" // {s.LayerName}",
                CopyStep s => $"{B(s.Input)}.CopyTo({B(s.Output)});",
                AddStep s => $"Elementwise.Add({B(s.Left)}, {B(s.Right)}, {B(s.Output)});",
                FlattenStep s => $"Elementwise.FlattenChannelsFirst({B(s.Input)}, {B(s.Output)}, {s.Channels}, {s.Height}, {s.Width});",
                _ => throw new ArgumentException(step.GetType().Name, nameof(step)),
            };
        }

        private static string Activation(ActivateStep s, string data)
        {
            ActivationFunction f = s.Activation;
            return f.Kind switch
            {
                "relu" => $"Elementwise.Relu({data}, {Float(f.Alpha)}, {(f.MaxValue is double max ? Float(max) : "float.PositiveInfinity")}, {Float(f.Threshold)});",
                "elu" => $"Elementwise.Elu({data}, {Float(f.Alpha)});",
                "sigmoid" => $"Elementwise.Sigmoid({data});",
                "tanh" => $"Elementwise.Tanh({data});",
                "swish" => $"Elementwise.Swish({data});",
                "softmax" => $"Elementwise.Softmax({data}, {s.LastAxis});",
                _ => "// linear",
            };
        }

        private static void WriteWorkspace(Writer w, ModelPlan plan)
        {
            w.Line("/// <summary>One thread's buffers: the values between steps; values whose lives do not overlap share an array.</summary>");
            w.Open("private sealed class Workspace");
            for (int i = 0; i < plan.Storage.Count; i++)
            {
                w.Line($"public readonly float[] B{i} = new float[{plan.Storage[i]} + Alignment.Slack];");
            }

            w.Close();
        }

        /// <summary>A value as a span of the workspace array that holds it (<c>x</c> for the model's input).</summary>
        private static string Span(ModelPlan plan, int buffer) =>
            buffer < 0 ? "x" : $"b.B{plan.Buffers[buffer].Storage}.AsSpan(o{plan.Buffers[buffer].Storage}, {plan.Buffers[buffer].Length})";

        private static int Length(IReadOnlyList<int> shape) => shape.Aggregate(1, (a, d) => a * d);

        private static string Shape(IReadOnlyList<int> shape) => "(" + string.Join(", ", shape) + ")";

        private static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

        private static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>Text inside a C# string literal.</summary>
        private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);

        /// <summary>Text inside an XML documentation comment.</summary>
        private static string Doc(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);

        /// <summary>Lines with four-space indentation.</summary>
        private sealed class Writer
        {
            private readonly StringBuilder _text;
            private int _indent;

            public Writer(StringBuilder text) => _text = text;

            public void Line(string line = "") => _text.Append(line.Length == 0 ? string.Empty : new string(' ', _indent * 4) + line).Append('\n');

            public void Open(string? header = null)
            {
                if (header is not null)
                {
                    Line(header);
                }

                Line("{");
                _indent++;
            }

            public void Close()
            {
                _indent--;
                Line("}");
            }
        }
    }
}

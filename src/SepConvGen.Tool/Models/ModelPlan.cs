using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SepConvGen.Keras.Model;

namespace SepConvGen.Tool.Models
{
    /// <summary>
    /// A value between two steps (-1 is the model's input, read only), and the workspace array that holds it: values
    /// whose lives do not overlap share one array.
    /// </summary>
    internal sealed record PlannedBuffer(int Index, int Length, int Storage);

    /// <summary>One step of Predict, in order.</summary>
    internal abstract record PlannedStep;

    /// <summary>A generated layer: its class, its attribute, where it reads and writes, and how its weights load.</summary>
    /// <param name="FoldedNormalization">A BatchNormalization folded into the weights, or null.</param>
    internal sealed record LayerStep(string ClassName, string Field, string Attribute, ModelLayer Layer, int Input, int Output,
                                     ModelLayer? FoldedNormalization, bool UsesBias, int OutputChannels) : PlannedStep;

    /// <summary>
    /// A Conv2D over one input channel with a one-row kernel, and the DepthwiseConv2D with a one-column kernel that
    /// alone reads it (each with its BatchNormalization folded in), run the other way round: <paramref name="Column"/>
    /// is a Conv2D with the depthwise kernel, over the input; <paramref name="Row"/> a DepthwiseConv2D with the Conv2D's
    /// kernel, with both biases and the activation after the pair. Both are linear, so the order does not change the
    /// function, and the column filter first does a fraction of the work when it shrinks the height (EEGNet).
    /// </summary>
    internal sealed record CommutedStep(LayerStep Column, LayerStep Row, int Filters, int DepthMultiplier) : PlannedStep;

    /// <summary>A BatchNormalization on its own: a scale and shift per channel, in place.</summary>
    internal sealed record NormalizeStep(ModelLayer Layer, string Field, int Buffer, int Channels, int Inner) : PlannedStep;

    /// <summary>An activation not fused into the layer before it, in place.</summary>
    internal sealed record ActivateStep(string LayerName, ActivationFunction Activation, int Buffer, int LastAxis) : PlannedStep;

    internal sealed record CopyStep(int Input, int Output) : PlannedStep;

    internal sealed record AddStep(int Left, int Right, int Output) : PlannedStep;

    internal sealed record FlattenStep(int Input, int Output, int Channels, int Height, int Width) : PlannedStep;

    /// <summary>
    /// How a <see cref="KerasModel"/> runs as generated layers and steps between them: which BatchNormalization folds
    /// into the layer before it, which activation fuses into its epilogue, which steps run in place, and the buffers.
    /// </summary>
    internal sealed class ModelPlan
    {
        private readonly KerasModel _model;
        private readonly Dictionary<string, ModelLayer> _byName;
        private readonly Dictionary<string, int> _readers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _bufferOf = new(StringComparer.Ordinal);
        private readonly HashSet<string> _fused = new(StringComparer.Ordinal);
        private readonly HashSet<string> _classNames = new(StringComparer.Ordinal);

        private ModelPlan(KerasModel model, string className)
        {
            _model = model;
            _byName = model.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
            _classNames.Add(className);
            foreach (ModelLayer layer in model.Layers)
            {
                foreach (string input in layer.Inputs.Distinct())
                {
                    _readers[Root(input)] = Readers(input) + (IsAlias(layer) ? 0 : 1);
                }
            }

            _readers[Root(model.Outputs[0])] = Readers(model.Outputs[0]) + 1;
        }

        public List<PlannedBuffer> Buffers { get; } = new();

        /// <summary>The length of each array of the per-thread workspace.</summary>
        public List<int> Storage { get; } = new();

        public List<PlannedStep> Steps { get; } = new();

        public ModelLayer Input => _model.Input;

        public ModelLayer Output => _byName[_model.Outputs[0]];

        /// <summary>The buffer Predict copies the output from.</summary>
        public int OutputBuffer => _bufferOf[_model.Outputs[0]];

        public static ModelPlan Plan(KerasModel model, string className)
        {
            var plan = new ModelPlan(model, className);
            plan.Build();
            plan.ShareStorage();
            return plan;
        }

        private void Build()
        {
            _bufferOf[Input.Name] = -1;
            foreach (ModelLayer layer in _model.Layers.Skip(1))
            {
                if (_fused.Contains(layer.Name))
                {
                    continue;
                }

                int input = layer.Inputs.Count > 0 ? _bufferOf[layer.Inputs[0]] : -1;
                switch (layer.Operation)
                {
                    case IdentityOperation:
                    case FlattenOperation { ChannelsFirst: false }:
                    case FlattenOperation when _byName[layer.Inputs[0]].Shape.Count != 3:
                        _bufferOf[layer.Name] = input;
                        break;
                    case FlattenOperation:
                        IReadOnlyList<int> image = _byName[layer.Inputs[0]].Shape;
                        Steps.Add(new FlattenStep(input, _bufferOf[layer.Name] = NewBuffer(layer), image[0], image[1], image[2]));
                        break;
                    case AddOperation:
                        int sum = _bufferOf[layer.Name] = NewBuffer(layer);
                        Steps.Add(new AddStep(input, _bufferOf[layer.Inputs[1]], sum));
                        foreach (string more in layer.Inputs.Skip(2))
                        {
                            Steps.Add(new AddStep(sum, _bufferOf[more], sum));
                        }

                        break;
                    case ActivationOperation activation:
                        int activated = InPlace(layer, input);
                        Steps.Add(new ActivateStep(layer.Name, activation.Activation, activated, layer.Shape[^1]));
                        break;
                    case BatchNormalizationOperation norm:
                        int normalized = InPlace(layer, input);
                        Steps.Add(new NormalizeStep(layer, Field(layer.Name) + "Scale", normalized, layer.Shape[norm.Axis], layer.Shape.Skip(norm.Axis + 1).Aggregate(1, (a, d) => a * d)));
                        break;
                    default:
                        PlanLayer(layer, input);
                        break;
                }
            }
        }

        /// <summary>
        /// Gives each value an array of the workspace, reusing the arrays of values no later step reads: the workspace is
        /// the model's widest point rather than the sum of its tensors, and stays in the core's cache (mini-Xception:
        /// 1.6 MB of values in 0.6 MB). A step never writes an array that one of its inputs still occupies.
        /// </summary>
        private void ShareStorage()
        {
            var lastUse = new int[Buffers.Count];
            var steps = Steps.SelectMany(Flatten).ToList();
            for (int i = 0; i < steps.Count; i++)
            {
                foreach (int buffer in Uses(steps[i]).Where(b => b >= 0))
                {
                    lastUse[buffer] = i;
                }
            }

            if (OutputBuffer >= 0)
            {
                lastUse[OutputBuffer] = steps.Count;
            }

            var storageOf = Enumerable.Repeat(-1, Buffers.Count).ToArray();
            var free = new List<int>();
            for (int i = 0; i < steps.Count; i++)
            {
                foreach (int buffer in Uses(steps[i]).Where(b => b >= 0 && storageOf[b] < 0))
                {
                    storageOf[buffer] = Take(free, Buffers[buffer].Length);
                }

                free.AddRange(Uses(steps[i]).Where(b => b >= 0 && lastUse[b] == i).Distinct().Select(b => storageOf[b]));
            }

            for (int i = 0; i < Buffers.Count; i++)
            {
                Buffers[i] = Buffers[i] with { Storage = storageOf[i] >= 0 ? storageOf[i] : Take(free, Buffers[i].Length) };
            }
        }

        /// <summary>The free array that fits <paramref name="length"/> most closely, else the largest one grown, else a new one.</summary>
        private int Take(List<int> free, int length)
        {
            int best = -1;
            foreach (int storage in free)
            {
                if (best < 0 || Better(storage, best))
                {
                    best = storage;
                }
            }

            if (best < 0)
            {
                Storage.Add(length);
                return Storage.Count - 1;
            }

            free.Remove(best);
            Storage[best] = Math.Max(Storage[best], length);
            return best;

            bool Better(int a, int b)
            {
                bool aFits = Storage[a] >= length, bFits = Storage[b] >= length;
                return aFits != bFits ? aFits : aFits ? Storage[a] < Storage[b] : Storage[a] > Storage[b];
            }
        }

        private static IEnumerable<PlannedStep> Flatten(PlannedStep step) => step is CommutedStep c ? new PlannedStep[] { c.Column, c.Row } : new[] { step };

        /// <summary>The values a step reads or writes, in any order.</summary>
        private static IEnumerable<int> Uses(PlannedStep step) => step switch
        {
            LayerStep s => new[] { s.Input, s.Output },
            NormalizeStep s => new[] { s.Buffer },
            ActivateStep s => new[] { s.Buffer },
            CopyStep s => new[] { s.Input, s.Output },
            AddStep s => new[] { s.Left, s.Right, s.Output },
            FlattenStep s => new[] { s.Input, s.Output },
            _ => throw new ArgumentException(step.GetType().Name, nameof(step)),
        };

        /// <summary>A generated layer, with the BatchNormalization and the activation after it where they fuse.</summary>
        private void PlanLayer(ModelLayer layer, int input)
        {
            if (CommutingDepthwise(layer) is ModelLayer depthwise)
            {
                PlanCommuted(layer, depthwise, input);
                return;
            }

            ActivationFunction? own = layer.Operation switch
            {
                ConvolutionOperation c => c.Activation,
                DenseOperation d => d.Activation,
                _ => null,
            };
            (ModelLayer last, ModelLayer? folded, string fused) = Epilogue(layer, own);
            string className = UniqueClass(Scaffolder.ClassName(layer.Name) + "Layer");
            int output = NewBuffer(layer);
            _bufferOf[layer.Name] = output;
            _bufferOf[last.Name] = output;
            if (folded is not null)
            {
                _bufferOf[folded.Name] = output;
            }

            IReadOnlyList<int> inShape = _byName[layer.Inputs[0]].Shape;
            bool usesBias = folded is not null || layer.Operation switch
            {
                ConvolutionOperation c => c.UseBias,
                DenseOperation d => d.UseBias,
                _ => false,
            };
            int channels = layer.Operation is DenseOperation or GlobalPoolingOperation ? layer.Shape[^1] : Channels(layer.Operation, layer.Shape);
            Steps.Add(new LayerStep(className, Field(className), ModelAttributes.For(layer.Operation, inShape, usesBias, fused), layer, input, output, folded, usesBias, channels));
            if (own is not null && !own.IsLinear && Fusable(own) is null)
            {
                Steps.Add(new ActivateStep(layer.Name, own, output, layer.Shape[^1]));
            }
        }

        /// <summary>
        /// The BatchNormalization a layer with a linear activation folds (the one reader of its output, on its channel
        /// axis), and the activation it fuses after that (see <see cref="Fusable"/>); both are marked as planned.
        /// </summary>
        private (ModelLayer Last, ModelLayer? Folded, string Fused) Epilogue(ModelLayer layer, ActivationFunction? own)
        {
            ModelLayer last = layer;
            ModelLayer? folded = null;
            if (own is { IsLinear: true } && FoldableNormalization(layer) is ModelLayer next)
            {
                folded = next;
                last = next;
                _fused.Add(next.Name);
            }

            string fused = own is null ? "Linear" : Fusable(own) ?? "Linear";
            if (own is { IsLinear: true } && SoleReader(last) is { Operation: ActivationOperation after } activation && Fusable(after.Activation) is string kind)
            {
                fused = kind;
                last = activation;
                _fused.Add(activation.Name);
            }

            return (last, folded, fused);
        }

        private ModelLayer? FoldableNormalization(ModelLayer layer) =>
            SoleReader(layer) is { Operation: BatchNormalizationOperation norm } next && norm.Axis == ChannelAxis(layer) ? next : null;

        /// <summary>
        /// The DepthwiseConv2D that commutes with <paramref name="layer"/> (see <see cref="CommutedStep"/>), where doing
        /// so saves multiply-adds: a linear Conv2D over one input channel with a one-row kernel, read (through a folded
        /// BatchNormalization at most) only by a DepthwiseConv2D of the same data format with a one-column kernel, a
        /// stride of one across and no padding of rows.
        /// </summary>
        private ModelLayer? CommutingDepthwise(ModelLayer layer)
        {
            if (layer.Operation is not ConvolutionOperation { Kind: "Conv2D", KernelHeight: 1, StrideHeight: 1 } row || !row.Activation.IsLinear ||
                Channels(row, _byName[layer.Inputs[0]].Shape) != 1)
            {
                return null;
            }

            if (SoleReader(FoldableNormalization(layer) ?? layer) is not { Operation: ConvolutionOperation { Kind: "DepthwiseConv2D", KernelWidth: 1, StrideWidth: 1 } column } depthwise ||
                column.ChannelsFirst != row.ChannelsFirst || (column.Same && column.KernelHeight > 1))
            {
                return null;
            }

            // Multiply-adds per filter: rows x output width x kernel width, then output rows x output width x multiplier
            // x kernel height; commuted: output rows x input width x multiplier x kernel height, then output rows x
            // output width x multiplier x kernel width.
            (int height, int width) = Plane(row, _byName[layer.Inputs[0]].Shape);
            (int rows, int outWidth) = Plane(column, depthwise.Shape);
            long m = column.DepthMultiplier;
            long before = (long)height * outWidth * row.KernelWidth + rows * outWidth * m * column.KernelHeight;
            long after = rows * width * m * column.KernelHeight + rows * outWidth * m * row.KernelWidth;
            return after < before ? depthwise : null;
        }

        private void PlanCommuted(ModelLayer conv, ModelLayer depthwise, int input)
        {
            var row = (ConvolutionOperation)conv.Operation;
            var column = (ConvolutionOperation)depthwise.Operation;
            ModelLayer? rowNormalization = FoldableNormalization(conv);
            if (rowNormalization is not null)
            {
                _fused.Add(rowNormalization.Name);
            }

            _fused.Add(depthwise.Name);
            (ModelLayer last, ModelLayer? columnNormalization, string fused) = Epilogue(depthwise, column.Activation);
            int channels = Channels(column, depthwise.Shape);
            IReadOnlyList<int> inShape = _byName[conv.Inputs[0]].Shape;
            (int rows, _) = Plane(column, depthwise.Shape);
            int width = Plane(row, inShape).Width;
            int[] middleShape = row.ChannelsFirst ? new[] { channels, rows, width } : new[] { rows, width, channels };

            // The column filter: a Conv2D over the input with the depthwise kernel, its rows' strides and dilation.
            var columnOperation = new ConvolutionOperation("Conv2D", channels, column.KernelHeight, 1, column.StrideHeight, 1, column.DilationHeight, 1,
                column.Same, column.ChannelsFirst, 1, UseBias: false, ActivationFunction.Linear);
            int middle = NewBuffer(middleShape.Aggregate(1, (a, d) => checked(a * d)));
            string columnClass = UniqueClass(Scaffolder.ClassName(depthwise.Name) + "ColumnsLayer");
            var first = new LayerStep(columnClass, Field(columnClass), ModelAttributes.For(columnOperation, inShape, useBias: false, "Linear"),
                depthwise, input, middle, columnNormalization, UsesBias: false, channels);

            // The row filter: a DepthwiseConv2D over the columns' output with the Conv2D's kernel, padding, stride and dilation across.
            var rowOperation = new ConvolutionOperation("DepthwiseConv2D", 0, 1, row.KernelWidth, 1, row.StrideWidth, 1, row.DilationWidth,
                row.Same, row.ChannelsFirst, 1, UseBias: true, ActivationFunction.Linear);
            int output = NewBuffer(Length(depthwise));
            string rowClass = UniqueClass(Scaffolder.ClassName(conv.Name) + "RowsLayer");
            var second = new LayerStep(rowClass, Field(rowClass), ModelAttributes.For(rowOperation, middleShape, useBias: true, fused),
                conv, middle, output, rowNormalization, UsesBias: true, channels);
            Steps.Add(new CommutedStep(first, second, row.Filters, column.DepthMultiplier));
            foreach (ModelLayer planned in new[] { conv, depthwise, last }.Concat(new[] { rowNormalization, columnNormalization }.OfType<ModelLayer>()))
            {
                _bufferOf[planned.Name] = output;
            }

            if (!column.Activation.IsLinear && Fusable(column.Activation) is null)
            {
                Steps.Add(new ActivateStep(depthwise.Name, column.Activation, output, depthwise.Shape[^1]));
            }
        }

        /// <summary>
        /// The activations a generated layer fuses (<c>SepConvGen.Activation</c>): ReLU and ReLU6 without slope or
        /// threshold, ELU with alpha 1, sigmoid, tanh and swish. Softmax, LeakyReLU and the other parameters stay steps.
        /// </summary>
        private static string? Fusable(ActivationFunction f) => f switch
        {
            { IsLinear: true } => "Linear",
            { Kind: "relu", Alpha: 0, Threshold: 0 } => f.MaxValue switch { null => "Relu", 6 => "Relu6", _ => null },
            { Kind: "elu", Alpha: 1 } => "Elu",
            { Kind: "sigmoid" } => "Sigmoid",
            { Kind: "tanh" } => "Tanh",
            { Kind: "swish" } => "Swish",
            _ => null,
        };

        private static int ChannelAxis(ModelLayer layer) => layer.Operation switch
        {
            ConvolutionOperation { ChannelsFirst: true } => 0,
            _ => layer.Shape.Count - 1,
        };

        private static int Channels(Operation operation, IReadOnlyList<int> shape) =>
            operation is ConvolutionOperation { ChannelsFirst: true } or PoolingOperation { ChannelsFirst: true } ? shape[0] : shape[^1];

        /// <summary>Height and width of an image shape in a convolution's data format.</summary>
        private static (int Height, int Width) Plane(ConvolutionOperation operation, IReadOnlyList<int> shape) =>
            operation.ChannelsFirst ? (shape[1], shape[2]) : (shape[0], shape[1]);

        /// <summary>The one layer that reads <paramref name="layer"/>, when it is the only reader and not the model's output.</summary>
        private ModelLayer? SoleReader(ModelLayer layer)
        {
            if (Readers(layer.Name) != 1 || _model.Outputs[0] == layer.Name)
            {
                return null;
            }

            ModelLayer[] readers = _model.Layers.Where(l => l.Inputs.Contains(layer.Name)).ToArray();
            return readers.Length == 1 ? readers[0] : null;
        }

        /// <summary>The buffer an in-place step works on: its input's, where nothing else reads that; else a copy.</summary>
        private int InPlace(ModelLayer layer, int input)
        {
            if (input >= 0 && Readers(layer.Inputs[0]) == 1)
            {
                return _bufferOf[layer.Name] = input;
            }

            int copy = _bufferOf[layer.Name] = NewBuffer(layer);
            Steps.Add(new CopyStep(input, copy));
            return copy;
        }

        private int NewBuffer(ModelLayer layer) => NewBuffer(Length(layer));

        private int NewBuffer(int length)
        {
            Buffers.Add(new PlannedBuffer(Buffers.Count, length, Storage: -1));
            return Buffers.Count - 1;
        }

        private static int Length(ModelLayer layer) => layer.Shape.Aggregate(1, (a, d) => checked(a * d));

        /// <summary>Layers that only rename their input (Dropout and the like, Flatten of channels-last data) share its buffer.</summary>
        private bool IsAlias(ModelLayer layer) => layer.Operation is IdentityOperation or FlattenOperation { ChannelsFirst: false } ||
                                                  (layer.Operation is FlattenOperation && _byName[layer.Inputs[0]].Shape.Count != 3);

        private string Root(string name)
        {
            ModelLayer layer = _byName[name];
            return IsAlias(layer) ? Root(layer.Inputs[0]) : name;
        }

        /// <summary>The layers that read a value, through the aliases of it.</summary>
        private int Readers(string name) => _readers.TryGetValue(Root(name), out int count) ? count : 0;

        private string UniqueClass(string name)
        {
            string unique = name;
            for (int i = 2; !_classNames.Add(unique); i++)
            {
                unique = name + i.ToString(CultureInfo.InvariantCulture);
            }

            return unique;
        }

        /// <summary><c>_conv2d1</c> for <c>conv2d_1</c>.</summary>
        private static string Field(string kerasName)
        {
            string pascal = Scaffolder.ClassName(kerasName);
            return "_" + char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        }
    }
}

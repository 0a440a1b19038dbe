using System;
using System.Collections.Generic;
using System.Linq;
using Onnx;
using SepConvGen.Keras;
using SepConvGen.Keras.Model;
using static SepConvGen.Ort.OnnxProto;

namespace SepConvGen.Ort
{
    /// <summary>
    /// A whole Keras model run by ONNX Runtime: the model graph of SepConvGen.Keras translated node by node into ONNX
    /// (images NCHW inside, a Transpose at an NHWC input and before Flatten, Keras' TensorFlow SAME as explicit pads),
    /// the way a converter such as tf2onnx would. It is the independent implementation whole models are checked
    /// against and the competition they are measured against. Input and output are bound once to the caller's arrays.
    /// </summary>
    public sealed class OrtKerasModel : OrtGraphSession
    {
        private readonly GraphProto _graph = new() { Name = "keras_model" };
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private int _names;

        /// <param name="path">The Keras file.</param>
        /// <param name="input">Batch 1, in the model's own layout.</param>
        /// <param name="output">The model's output, batch 1.</param>
        /// <param name="threads">ONNX Runtime's intra-op threads.</param>
        public OrtKerasModel(string path, float[] input, float[] output, int threads = 1)
        {
            using KerasWeights file = KerasWeights.Open(path);
            KerasModel model = KerasModel.From(file);
            if (model.Unsupported.Count > 0)
            {
                throw new NotSupportedException(string.Join("; ", model.Unsupported));
            }

            long[] inputShape = model.Input.Shape.Select(d => (long)d).Prepend(1).ToArray();
            _graph.Input.Add(TensorInfo("x", inputShape));
            foreach (ModelLayer layer in model.Layers)
            {
                _values[layer.Name] = Translate(layer, model, file);
            }

            ModelLayer last = model.Layers.Single(l => l.Name == model.Outputs[0]);

            // An image output of a channels-last model goes back from the graph's NCHW to the model's layout.
            string result = last.Shape.Count == 3 && !ChannelsFirstModel(model) ? Add("Transpose", new[] { _values[last.Name] }, Ints("perm", 0, 2, 3, 1)) : _values[last.Name];
            _graph.Node.Add(Node("Identity", new[] { result }, "y"));
            long[] outputShape = last.Shape.Select(d => (long)d).Prepend(1).ToArray();
            _graph.Output.Add(TensorInfo("y", outputShape));

            Start(_graph, input, inputShape, output, outputShape, threads);
        }

        private string Translate(ModelLayer layer, KerasModel model, KerasWeights file)
        {
            string In(int i = 0) => _values[layer.Inputs[i]];
            IReadOnlyList<int> InShape() => model.Layers.Single(l => l.Name == layer.Inputs[0]).Shape;
            IReadOnlyList<float[]> weights = file.ReadLayerWeights(layer.Name);
            switch (layer.Operation)
            {
                case InputOperation:
                    return layer.Shape.Count == 3 && !ChannelsFirstModel(model) ? Add("Transpose", new[] { "x" }, Ints("perm", 0, 3, 1, 2)) : "x";
                case ConvolutionOperation c:
                    return Activate(Convolution(c, In(), InShape(), weights), c.Activation);
                case BatchNormalizationOperation n:
                    int channels = layer.Shape[n.Axis];
                    int k = 0;
                    float[] gamma = n.Scale ? weights[k++] : Enumerable.Repeat(1f, channels).ToArray();
                    float[] beta = n.Center ? weights[k++] : new float[channels];
                    return Add("BatchNormalization", new[] { In(), Constant(gamma), Constant(beta), Constant(weights[k]), Constant(weights[k + 1]) },
                        new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = (float)n.Epsilon });
                case ActivationOperation a:
                    return Activate(In(), a.Activation);
                case DenseOperation d:
                    var gemm = new List<string> { In(), Constant(weights[0], InShape()[^1], d.Units) };
                    if (d.UseBias)
                    {
                        gemm.Add(Constant(weights[1]));
                    }

                    return Activate(Add("Gemm", gemm.ToArray()), d.Activation);
                case PoolingOperation p:
                    (int h, int w) = p.ChannelsFirst ? (InShape()[1], InShape()[2]) : (InShape()[0], InShape()[1]);
                    return Add(p.Max ? "MaxPool" : "AveragePool", new[] { In() }, Ints("kernel_shape", p.PoolHeight, p.PoolWidth), Ints("strides", p.StrideHeight, p.StrideWidth),
                        Pads(h, w, p.PoolHeight, p.PoolWidth, p.StrideHeight, p.StrideWidth, 1, 1, p.Same));
                case GlobalPoolingOperation g:
                    return Add("Flatten", new[] { Add(g.Max ? "GlobalMaxPool" : "GlobalAveragePool", new[] { In() }) });
                case FlattenOperation:
                    return InShape().Count == 3 ? Add("Flatten", new[] { Add("Transpose", new[] { In() }, Ints("perm", 0, 2, 3, 1)) }) : In();
                case AddOperation:
                    return layer.Inputs.Skip(1).Aggregate(In(), (sum, next) => Add("Add", new[] { sum, _values[next] }));
                case IdentityOperation:
                    return In();
                default:
                    throw new NotSupportedException(layer.ClassName);
            }
        }

        private static bool ChannelsFirstModel(KerasModel model) =>
            model.Layers.Select(l => l.Operation).Any(o => o is ConvolutionOperation { ChannelsFirst: true } or PoolingOperation { ChannelsFirst: true } or GlobalPoolingOperation { ChannelsFirst: true } or FlattenOperation { ChannelsFirst: true });

        private string Convolution(ConvolutionOperation c, string input, IReadOnlyList<int> inShape, IReadOnlyList<float[]> weights)
        {
            (int channels, int h, int w) = c.ChannelsFirst ? (inShape[0], inShape[1], inShape[2]) : (inShape[2], inShape[0], inShape[1]);
            int taps = c.KernelHeight * c.KernelWidth, dm = c.DepthMultiplier;
            AttributeProto[] window =
            {
                Ints("kernel_shape", c.KernelHeight, c.KernelWidth), Ints("strides", c.StrideHeight, c.StrideWidth),
                Ints("dilations", c.DilationHeight, c.DilationWidth),
                Pads(h, w, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.StrideWidth, c.DilationHeight, c.DilationWidth, c.Same),
            };
            float[] kernel = weights[0];
            if (c.Kind == "Conv2D")
            {
                // Keras (kh, kw, in, out) to ONNX (out, in, kh, kw).
                var w0 = new float[kernel.Length];
                for (int t = 0; t < taps; t++)
                {
                    for (int ci = 0; ci < channels; ci++)
                    {
                        for (int f = 0; f < c.Filters; f++)
                        {
                            w0[(f * channels + ci) * taps + t] = kernel[(t * channels + ci) * c.Filters + f];
                        }
                    }
                }

                var inputs = new List<string> { input, Constant(w0, c.Filters, channels, c.KernelHeight, c.KernelWidth) };
                if (c.UseBias)
                {
                    inputs.Add(Constant(weights[1]));
                }

                return Add("Conv", inputs.ToArray(), window);
            }

            // Depthwise (kh, kw, in, dm) to ONNX (in * dm, 1, kh, kw), one group per input channel.
            var depthwise = new float[kernel.Length];
            for (int t = 0; t < taps; t++)
            {
                for (int o = 0; o < channels * dm; o++)
                {
                    depthwise[o * taps + t] = kernel[(t * channels + o / dm) * dm + o % dm];
                }
            }

            var dwInputs = new List<string> { input, Constant(depthwise, channels * dm, 1, c.KernelHeight, c.KernelWidth) };
            if (c.Kind == "DepthwiseConv2D" && c.UseBias)
            {
                dwInputs.Add(Constant(weights[1]));
            }

            string spatial = Add("Conv", dwInputs.ToArray(), window.Append(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = channels }).ToArray());
            if (c.Kind == "DepthwiseConv2D")
            {
                return spatial;
            }

            // Pointwise (1, 1, in * dm, filters) to ONNX (filters, in * dm, 1, 1).
            float[] pointwise = weights[1];
            int mid = channels * dm;
            var pw = new float[pointwise.Length];
            for (int m = 0; m < mid; m++)
            {
                for (int f = 0; f < c.Filters; f++)
                {
                    pw[f * mid + m] = pointwise[m * c.Filters + f];
                }
            }

            var pwInputs = new List<string> { spatial, Constant(pw, c.Filters, mid, 1, 1) };
            if (c.UseBias)
            {
                pwInputs.Add(Constant(weights[2]));
            }

            return Add("Conv", pwInputs.ToArray(), Ints("kernel_shape", 1, 1));
        }

        private string Activate(string input, ActivationFunction f) => f switch
        {
            { IsLinear: true } => input,
            { Kind: "relu", Alpha: 0, Threshold: 0, MaxValue: null } => Add("Relu", new[] { input }),
            { Kind: "relu", Alpha: 0, Threshold: 0, MaxValue: double max } => Add("Clip", new[] { input, Constant(new[] { 0f }, Array.Empty<int>()), Constant(new[] { (float)max }, Array.Empty<int>()) }),
            { Kind: "relu", Threshold: 0, MaxValue: null } => Add("LeakyRelu", new[] { input }, new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = (float)f.Alpha }),
            { Kind: "elu" } => Add("Elu", new[] { input }, new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = (float)f.Alpha }),
            { Kind: "sigmoid" } => Add("Sigmoid", new[] { input }),
            { Kind: "tanh" } => Add("Tanh", new[] { input }),
            { Kind: "softmax" } => Add("Softmax", new[] { input }),
            { Kind: "swish" } => Add("Mul", new[] { input, Add("Sigmoid", new[] { input }) }),
            _ => throw new NotSupportedException($"activation {f}"),
        };

        /// <summary>TensorFlow SAME as explicit ONNX pads (top, left, bottom, right): the odd one at the bottom and right.</summary>
        private static AttributeProto Pads(int h, int w, int kh, int kw, int sh, int sw, int dh, int dw, bool same)
        {
            (int Before, int After) Axis(int size, int k, int s, int d)
            {
                if (!same)
                {
                    return (0, 0);
                }

                int output = (size + s - 1) / s, total = Math.Max((output - 1) * s + (k - 1) * d + 1 - size, 0);
                return (total / 2, total - total / 2);
            }

            (int top, int bottom) = Axis(h, kh, sh, dh);
            (int left, int right) = Axis(w, kw, sw, dw);
            return Ints("pads", top, left, bottom, right);
        }

        private string Add(string op, string[] inputs, params AttributeProto[] attributes)
        {
            string name = $"v{_names++}";
            NodeProto node = Node(op, inputs, name);
            node.Attribute.AddRange(attributes);
            _graph.Node.Add(node);
            return name;
        }

        private string Constant(float[] values, params int[] shape)
        {
            string name = $"c{_names++}";
            _graph.Initializer.Add(Tensor(name, values, shape.Select(d => (long)d).ToArray()));
            return name;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Keras.Model;

namespace SepConvGen.Keras.Tests.Reference
{
    /// <summary>A tensor of one image (no batch): values and shape in its layer's layout.</summary>
    public sealed record Tensor(double[] Values, int[] Shape);

    /// <summary>
    /// Runs a <see cref="KerasModel"/> in float64 with naive loops written from Keras' inference semantics: the
    /// oracle the generated models will be checked against, itself checked against keras-models-whole.json.
    /// </summary>
    internal sealed class ReferenceModel
    {
        private readonly KerasModel _model;
        private readonly Func<string, IReadOnlyList<(float[] Values, int[] Shape)>> _weights;

        public ReferenceModel(KerasModel model, Func<string, IReadOnlyList<(float[] Values, int[] Shape)>> weights)
        {
            _model = model;
            _weights = weights;
        }

        /// <summary>Every layer's output for one input, by layer name.</summary>
        public Dictionary<string, Tensor> Run(double[] input)
        {
            var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (ModelLayer layer in _model.Layers)
            {
                Tensor[] inputs = layer.Inputs.Select(i => outputs[i]).ToArray();
                IReadOnlyList<(float[] Values, int[] Shape)> weights = _weights(layer.Name);
                Tensor output = layer.Operation switch
                {
                    InputOperation => new Tensor(input, layer.Shape.ToArray()),
                    ConvolutionOperation conv => Convolution(conv, inputs[0], weights, layer.Shape.ToArray()),
                    BatchNormalizationOperation norm => BatchNormalization(norm, inputs[0], weights),
                    ActivationOperation a => Activate(a.Activation, inputs[0]),
                    DenseOperation dense => Dense(dense, inputs[0], weights),
                    PoolingOperation pool => Pooling(pool, inputs[0], layer.Shape.ToArray()),
                    GlobalPoolingOperation global => GlobalPooling(global, inputs[0], layer.Shape.ToArray()),
                    FlattenOperation flatten => Flatten(flatten, inputs[0]),
                    AddOperation => new Tensor(inputs.Aggregate(new double[inputs[0].Values.Length], (sum, t) => sum.Zip(t.Values, (a, b) => a + b).ToArray()), inputs[0].Shape),
                    IdentityOperation => inputs[0],
                    _ => throw new NotSupportedException(layer.ClassName),
                };
                outputs[layer.Name] = output;
            }

            return outputs;
        }

        /// <summary>(height, width, channels) and an indexer for an image tensor in its layout.</summary>
        private static (int H, int W, int C, Func<int, int, int, int> At) Image(int[] shape, bool channelsFirst) => channelsFirst
            ? (shape[1], shape[2], shape[0], (y, x, c) => (c * shape[1] + y) * shape[2] + x)
            : (shape[0], shape[1], shape[2], (y, x, c) => (y * shape[1] + x) * shape[2] + c);

        /// <summary>TensorFlow SAME: the padding before the image, floor(total / 2).</summary>
        private static int PadBefore(int input, int output, int kernel, int stride, int dilation, bool same) =>
            same ? Math.Max((output - 1) * stride + (kernel - 1) * dilation + 1 - input, 0) / 2 : 0;

        public static Tensor Convolution(ConvolutionOperation op, Tensor input, IReadOnlyList<(float[] Values, int[] Shape)> weights, int[] shape)
        {
            (int h, int w, int c, Func<int, int, int, int> at) = Image(input.Shape, op.ChannelsFirst);
            (int oh, int ow, int oc, Func<int, int, int, int> outAt) = Image(shape, op.ChannelsFirst);
            int top = PadBefore(h, oh, op.KernelHeight, op.StrideHeight, op.DilationHeight, op.Same);
            int left = PadBefore(w, ow, op.KernelWidth, op.StrideWidth, op.DilationWidth, op.Same);
            float[] kernel = weights[0].Values;
            int dm = op.DepthMultiplier;
            int mid = op.Kind == "Conv2D" ? oc : c * dm; // channels after the spatial step
            var spatial = new double[oh * ow * mid];
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    for (int ky = 0; ky < op.KernelHeight; ky++)
                    {
                        int iy = oy * op.StrideHeight - top + ky * op.DilationHeight;
                        for (int kx = 0; kx < op.KernelWidth; kx++)
                        {
                            int ix = ox * op.StrideWidth - left + kx * op.DilationWidth;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            {
                                continue;
                            }

                            for (int ci = 0; ci < c; ci++)
                            {
                                double x = input.Values[at(iy, ix, ci)];
                                if (op.Kind == "Conv2D")
                                {
                                    for (int f = 0; f < oc; f++)
                                    {
                                        spatial[(oy * ow + ox) * mid + f] += x * kernel[((ky * op.KernelWidth + kx) * c + ci) * oc + f];
                                    }
                                }
                                else
                                {
                                    for (int m = 0; m < dm; m++)
                                    {
                                        spatial[(oy * ow + ox) * mid + ci * dm + m] += x * kernel[((ky * op.KernelWidth + kx) * c + ci) * dm + m];
                                    }
                                }
                            }
                        }
                    }
                }
            }

            var output = new double[oh * ow * oc];
            float[]? pointwise = op.Kind == "SeparableConv2D" ? weights[1].Values : null;
            float[]? bias = op.UseBias ? weights[^1].Values : null;
            for (int p = 0; p < oh * ow; p++)
            {
                for (int f = 0; f < oc; f++)
                {
                    double sum = bias?[f] ?? 0;
                    if (pointwise is null)
                    {
                        sum += spatial[p * mid + f];
                    }
                    else
                    {
                        for (int k = 0; k < mid; k++)
                        {
                            sum += spatial[p * mid + k] * pointwise[k * oc + f];
                        }
                    }

                    output[outAt(p / ow, p % ow, f)] = sum;
                }
            }

            return Activate(op.Activation, new Tensor(output, shape));
        }

        private static Tensor BatchNormalization(BatchNormalizationOperation op, Tensor input, IReadOnlyList<(float[] Values, int[] Shape)> weights)
        {
            int i = 0;
            float[]? gamma = op.Scale ? weights[i++].Values : null;
            float[]? beta = op.Center ? weights[i++].Values : null;
            float[] mean = weights[i++].Values, variance = weights[i].Values;
            int inner = input.Shape.Skip(op.Axis + 1).Aggregate(1, (a, d) => a * d);
            int channels = input.Shape[op.Axis];
            var output = new double[input.Values.Length];
            for (int k = 0; k < output.Length; k++)
            {
                int ch = k / inner % channels;
                output[k] = (input.Values[k] - mean[ch]) / Math.Sqrt(variance[ch] + op.Epsilon) * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0);
            }

            return new Tensor(output, input.Shape);
        }

        public static Tensor Dense(DenseOperation op, Tensor input, IReadOnlyList<(float[] Values, int[] Shape)> weights)
        {
            int n = input.Shape[^1];
            int rows = input.Values.Length / n;
            var output = new double[rows * op.Units];
            for (int r = 0; r < rows; r++)
            {
                for (int u = 0; u < op.Units; u++)
                {
                    double sum = op.UseBias ? weights[1].Values[u] : 0;
                    for (int k = 0; k < n; k++)
                    {
                        sum += input.Values[r * n + k] * weights[0].Values[k * op.Units + u];
                    }

                    output[r * op.Units + u] = sum;
                }
            }

            return Activate(op.Activation, new Tensor(output, input.Shape.Take(input.Shape.Length - 1).Append(op.Units).ToArray()));
        }

        public static Tensor Pooling(PoolingOperation op, Tensor input, int[] shape)
        {
            (int h, int w, int c, Func<int, int, int, int> at) = Image(input.Shape, op.ChannelsFirst);
            (int oh, int ow, _, Func<int, int, int, int> outAt) = Image(shape, op.ChannelsFirst);
            int top = PadBefore(h, oh, op.PoolHeight, op.StrideHeight, 1, op.Same);
            int left = PadBefore(w, ow, op.PoolWidth, op.StrideWidth, 1, op.Same);
            var output = new double[shape.Aggregate(1, (a, d) => a * d)];
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        double result = op.Max ? double.NegativeInfinity : 0;
                        int count = 0;
                        for (int py = 0; py < op.PoolHeight; py++)
                        {
                            for (int px = 0; px < op.PoolWidth; px++)
                            {
                                int iy = oy * op.StrideHeight - top + py, ix = ox * op.StrideWidth - left + px;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                {
                                    continue; // SAME: padding takes no part, in the maximum or in the average
                                }

                                double x = input.Values[at(iy, ix, ch)];
                                result = op.Max ? Math.Max(result, x) : result + x;
                                count++;
                            }
                        }

                        output[outAt(oy, ox, ch)] = op.Max ? result : result / count;
                    }
                }
            }

            return new Tensor(output, shape);
        }

        public static Tensor GlobalPooling(GlobalPoolingOperation op, Tensor input, int[] shape)
        {
            (int h, int w, int c, Func<int, int, int, int> at) = Image(input.Shape, op.ChannelsFirst);
            var output = new double[c];
            for (int ch = 0; ch < c; ch++)
            {
                double result = op.Max ? double.NegativeInfinity : 0;
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        result = op.Max ? Math.Max(result, input.Values[at(y, x, ch)]) : result + input.Values[at(y, x, ch)];
                    }
                }

                output[ch] = op.Max ? result : result / (h * w);
            }

            return new Tensor(output, shape);
        }

        /// <summary>Keras' channels_first Flatten moves the channels last before flattening.</summary>
        private static Tensor Flatten(FlattenOperation op, Tensor input)
        {
            if (!op.ChannelsFirst || input.Shape.Length != 3)
            {
                return new Tensor(input.Values, new[] { input.Values.Length });
            }

            (int h, int w, int c, Func<int, int, int, int> at) = Image(input.Shape, channelsFirst: true);
            var output = new double[input.Values.Length];
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        output[(y * w + x) * c + ch] = input.Values[at(y, x, ch)];
                    }
                }
            }

            return new Tensor(output, new[] { output.Length });
        }

        public static Tensor Activate(ActivationFunction activation, Tensor input)
        {
            double[] x = input.Values;
            double[] y = activation.Kind switch
            {
                "linear" => x,
                "relu" => x.Select(v => Relu(activation, v)).ToArray(),
                "elu" => x.Select(v => v > 0 ? v : activation.Alpha * (Math.Exp(v) - 1)).ToArray(),
                "sigmoid" => x.Select(Sigmoid).ToArray(),
                "tanh" => x.Select(Math.Tanh).ToArray(),
                "swish" => x.Select(v => v * Sigmoid(v)).ToArray(),
                "softmax" => Softmax(x, input.Shape[^1]),
                _ => throw new NotSupportedException(activation.Kind),
            };
            return new Tensor(y, input.Shape);
        }

        /// <summary>Keras' relu: max_value above it, the slope below the threshold, the value in between.</summary>
        private static double Relu(ActivationFunction a, double v) =>
            a.MaxValue is double max && v >= max ? max : v >= a.Threshold ? v : a.Alpha * (v - a.Threshold);

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        private static double[] Softmax(double[] x, int n)
        {
            var y = new double[x.Length];
            for (int r = 0; r < x.Length; r += n)
            {
                double max = x.Skip(r).Take(n).Max();
                double sum = 0;
                for (int k = r; k < r + n; k++)
                {
                    y[k] = Math.Exp(x[k] - max);
                    sum += y[k];
                }

                for (int k = r; k < r + n; k++)
                {
                    y[k] /= sum;
                }
            }

            return y;
        }
    }
}

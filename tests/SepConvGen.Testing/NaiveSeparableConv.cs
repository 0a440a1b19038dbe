using System;

namespace SepConvGen.Testing
{
    /// <summary>
    /// The plainest possible SeparableConv2D, in float64 with explicit bounds tests, written from the Keras
    /// definition and nothing else: the reference the generated kernels are compared with. It also returns,
    /// per output, the sum of the absolute values of every product that went into it, which scales the
    /// tolerance for float32 rounding.
    /// </summary>
    public static class NaiveSeparableConv
    {
        public static (int Height, int Width) OutputSize(LayerConfig c, int inputHeight, int inputWidth) => c.Same
            ? (Ceil(inputHeight, c.StrideHeight), Ceil(inputWidth, c.StrideWidth))
            : (((inputHeight - c.EffectiveKernelHeight) / c.StrideHeight) + 1, ((inputWidth - c.EffectiveKernelWidth) / c.StrideWidth) + 1);

        /// <summary>TensorFlow SAME: padding before = floor(total / 2).</summary>
        public static (int Top, int Left) PadBefore(LayerConfig c, int inputHeight, int inputWidth)
        {
            if (!c.Same)
            {
                return (0, 0);
            }

            (int outH, int outW) = OutputSize(c, inputHeight, inputWidth);
            int totalH = Math.Max(((outH - 1) * c.StrideHeight) + c.EffectiveKernelHeight - inputHeight, 0);
            int totalW = Math.Max(((outW - 1) * c.StrideWidth) + c.EffectiveKernelWidth - inputWidth, 0);
            return (totalH / 2, totalW / 2);
        }

        /// <summary>Runs the layer with Keras-layout weights; input and output in the config's layout.</summary>
        public static (double[] Output, double[] Magnitude) Run(
            LayerConfig c, float[] input, int batch, int inputHeight, int inputWidth,
            float[] depthwiseKernel, float[] pointwiseKernel, float[]? bias) =>
            Run(c, input, batch, inputHeight, inputWidth, depthwiseKernel, pointwiseKernel, bias,
                PadBefore(c, inputHeight, inputWidth));

        /// <summary>The same with explicit top/left padding (to show what a wrong hand padding gives).</summary>
        public static (double[] Output, double[] Magnitude) Run(
            LayerConfig c, float[] input, int batch, int inputHeight, int inputWidth,
            float[] depthwiseKernel, float[] pointwiseKernel, float[]? bias, (int Top, int Left) pad)
        {
            (int outH, int outW) = OutputSize(c, inputHeight, inputWidth);
            int dwChannels = c.DepthwiseChannels;
            var output = new double[batch * c.OutChannels * outH * outW];
            var magnitude = new double[output.Length];
            var depthwise = new double[dwChannels];
            var depthwiseAbs = new double[dwChannels];

            for (int b = 0; b < batch; b++)
            {
                for (int oy = 0; oy < outH; oy++)
                {
                    for (int ox = 0; ox < outW; ox++)
                    {
                        for (int ch = 0; ch < c.InChannels; ch++)
                        {
                            for (int m = 0; m < c.DepthMultiplier; m++)
                            {
                                int j = (ch * c.DepthMultiplier) + m;
                                double sum = 0, sumAbs = 0;
                                for (int ky = 0; ky < c.KernelHeight; ky++)
                                {
                                    for (int kx = 0; kx < c.KernelWidth; kx++)
                                    {
                                        int iy = (oy * c.StrideHeight) - pad.Top + (ky * c.DilationHeight);
                                        int ix = (ox * c.StrideWidth) - pad.Left + (kx * c.DilationWidth);
                                        if (iy < 0 || iy >= inputHeight || ix < 0 || ix >= inputWidth)
                                        {
                                            continue; // zero padding
                                        }

                                        double x = input[InputIndex(c, b, ch, iy, ix, inputHeight, inputWidth)];
                                        double w = depthwiseKernel[(((ky * c.KernelWidth) + kx) * dwChannels) + j];
                                        sum += x * w;
                                        sumAbs += Math.Abs(x * w);
                                    }
                                }

                                depthwise[j] = sum;
                                depthwiseAbs[j] = sumAbs;
                            }
                        }

                        for (int f = 0; f < c.OutChannels; f++)
                        {
                            double sum = bias is null ? 0 : bias[f];
                            double sumAbs = Math.Abs(sum);
                            for (int j = 0; j < dwChannels; j++)
                            {
                                double w = pointwiseKernel[(j * c.OutChannels) + f];
                                sum += depthwise[j] * w;
                                sumAbs += depthwiseAbs[j] * Math.Abs(w);
                            }

                            int o = c.ChannelsFirst
                                ? (((((b * c.OutChannels) + f) * outH) + oy) * outW) + ox
                                : (((((b * outH) + oy) * outW) + ox) * c.OutChannels) + f;
                            output[o] = Activate(c.Activation, sum);
                            magnitude[o] = sumAbs;
                        }
                    }
                }
            }

            return (output, magnitude);
        }

        public static double Activate(Activation activation, double value) => activation switch
        {
            Activation.Relu => value < 0 ? 0 : value,
            Activation.Relu6 => value < 0 ? 0 : value > 6 ? 6 : value,
            Activation.Elu => value > 0 ? value : Math.Exp(value) - 1,
            Activation.Sigmoid => 1 / (1 + Math.Exp(-value)),
            Activation.Tanh => Math.Tanh(value),
            Activation.Swish => value / (1 + Math.Exp(-value)),
            _ => value,
        };

        private static int InputIndex(LayerConfig c, int b, int ch, int iy, int ix, int height, int width) => c.ChannelsFirst
            ? (((((b * c.InChannels) + ch) * height) + iy) * width) + ix
            : (((((b * height) + iy) * width) + ix) * c.InChannels) + ch;

        private static int Ceil(int value, int divisor) => (value + divisor - 1) / divisor;
    }
}

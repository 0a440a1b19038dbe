using System;

namespace SepConvGen.Sample
{
    /// <summary>
    /// SeparableConv2D written as directly as possible (float64, NHWC, batch 1, stride 1, no dilation), with
    /// the padding before the image as a parameter, so the sample can show what a wrong padding does.
    /// </summary>
    internal static class NaiveLoop
    {
        /// <summary>One NCHW image as NHWC.</summary>
        public static float[] ToNhwc(float[] nchw, int channels, int height, int width)
        {
            var nhwc = new float[nchw.Length];
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < height * width; i++)
                {
                    nhwc[(i * channels) + c] = nchw[(c * height * width) + i];
                }
            }

            return nhwc;
        }

        /// <summary>One NHWC image as NCHW.</summary>
        public static double[] ToNchw(double[] nhwc, int channels, int height, int width)
        {
            var nchw = new double[nhwc.Length];
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < height * width; i++)
                {
                    nchw[(c * height * width) + i] = nhwc[(i * channels) + c];
                }
            }

            return nchw;
        }

        public static double[] Run(float[] input, int height, int width, int inChannels, int outChannels,
                                   int kernelHeight, int kernelWidth, int padTop, int padLeft,
                                   float[] depthwise, float[] pointwise, float[]? bias, Func<double, double> activation)
        {
            var output = new double[height * width * outChannels];
            var intermediate = new double[inChannels];
            for (int oy = 0; oy < height; oy++)
            {
                for (int ox = 0; ox < width; ox++)
                {
                    for (int c = 0; c < inChannels; c++)
                    {
                        double sum = 0;
                        for (int ky = 0; ky < kernelHeight; ky++)
                        {
                            for (int kx = 0; kx < kernelWidth; kx++)
                            {
                                int iy = oy - padTop + ky, ix = ox - padLeft + kx;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width)
                                {
                                    sum += (double)input[((iy * width) + ix) * inChannels + c] * depthwise[((ky * kernelWidth) + kx) * inChannels + c];
                                }
                            }
                        }

                        intermediate[c] = sum;
                    }

                    for (int f = 0; f < outChannels; f++)
                    {
                        double sum = bias?[f] ?? 0;
                        for (int c = 0; c < inChannels; c++)
                        {
                            sum += intermediate[c] * pointwise[(c * outChannels) + f];
                        }

                        output[((oy * width) + ox) * outChannels + f] = activation(sum);
                    }
                }
            }

            return output;
        }
    }
}

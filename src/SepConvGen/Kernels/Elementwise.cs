using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// The steps of a model between its layers, in place where they can be: Keras' activations with their
    /// parameters, Add, and Flatten of a channels_first tensor. Called by code that <c>sepconvgen model</c> writes.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Elementwise
    {
        /// <summary>
        /// Keras' ReLU with its parameters (the ReLU and LeakyReLU layers, relu and relu6): <paramref name="maxValue"/>
        /// from it up, <c>x</c> from <paramref name="threshold"/> up, else <c>negativeSlope * (x - threshold)</c>. NaN stays NaN.
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Relu(Span<float> data, float negativeSlope = 0f, float maxValue = float.PositiveInfinity, float threshold = 0f)
        {
            for (int i = 0; i < data.Length; i++)
            {
                float x = data[i];
                data[i] = x >= maxValue ? maxValue : x >= threshold ? x : negativeSlope * (x - threshold);
            }
        }

        /// <summary>
        /// The activation a generated layer fuses, on values it has just written (a tile or an output row, in cache): ELU,
        /// sigmoid, tanh and swish as the steps of the same names compute them. ReLU and ReLU6 run in the layers'
        /// epilogues and Linear is nothing, so those leave the values as they are.
        /// </summary>
        public static void Activate(Span<float> data, Activation activation)
        {
            switch (activation)
            {
                case Activation.Elu:
                    Elu(data);
                    break;
                case Activation.Sigmoid:
                    Sigmoid(data);
                    break;
                case Activation.Tanh:
                    Tanh(data);
                    break;
                case Activation.Swish:
                    Swish(data);
                    break;
            }
        }

        /// <summary>
        /// ELU: <c>x</c> above 0, else <c>alpha * (exp(x) - 1)</c>. Every value goes through the same code, the last
        /// ones too (through a vector on the stack): a value's result does not depend on where a span starts or ends,
        /// so a layer that applies it per tile gives the same bits for any tiling.
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Elu(Span<float> data, float alpha = 1f)
        {
            int i = 0;
#if NET8_0_OR_GREATER
            Span<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(data);
            var scale = new Vector<float>(alpha);
            for (int v = 0; v < vectors.Length; v++, i += Vector<float>.Count)
            {
                vectors[v] = Elu(vectors[v], scale);
            }

            if (i < data.Length)
            {
                // Lanes past the data compute results nobody reads.
                Span<float> tail = stackalloc float[Vector<float>.Count];
                data.Slice(i).CopyTo(tail);
                Elu(MemoryMarshal.Cast<float, Vector<float>>(tail)[0], scale).CopyTo(tail);
                tail.Slice(0, data.Length - i).CopyTo(data.Slice(i));
                return;
            }
#endif
            for (; i < data.Length; i++)
            {
                float x = data[i];
                if (x <= 0f)
                {
                    data[i] = alpha * ExpMinusOne(x);
                }
            }
        }

#if NET8_0_OR_GREATER
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> Elu(Vector<float> x, Vector<float> scale)
        {
            // Lanes above 0, and NaN, keep their value.
            Vector<int> keep = Vector.GreaterThan(x, Vector<float>.Zero) | ~Vector.Equals(x, x);
            return Vector.ConditionalSelect(keep, x, scale * ExpMinusOne(x));
        }
#endif

        /// <summary>Sigmoid: <c>1 / (1 + exp(-x))</c>.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Sigmoid(Span<float> data)
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = Logistic(data[i]);
            }
        }

        /// <summary>Tanh.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Tanh(Span<float> data)
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)Math.Tanh(data[i]);
            }
        }

        /// <summary>Swish (SiLU): <c>x * sigmoid(x)</c>.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Swish(Span<float> data)
        {
            for (int i = 0; i < data.Length; i++)
            {
                // One rounding: x times a rounded sigmoid loses the last digits where the sigmoid is subnormal.
                data[i] = (float)(data[i] / (1.0 + Math.Exp(-data[i])));
            }
        }

        /// <summary>Softmax over consecutive groups of <paramref name="axisLength"/> values (Keras: the last axis).</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Softmax(Span<float> data, int axisLength)
        {
            for (int start = 0; start + axisLength <= data.Length; start += axisLength)
            {
                Span<float> group = data.Slice(start, axisLength);
                float max = float.NegativeInfinity;
                foreach (float x in group)
                {
                    max = x > max ? x : max;
                }

                double sum = 0;
                for (int i = 0; i < group.Length; i++)
                {
                    group[i] = (float)Math.Exp(group[i] - max);
                    sum += group[i];
                }

                for (int i = 0; i < group.Length; i++)
                {
                    group[i] = (float)(group[i] / sum);
                }
            }
        }

        /// <summary>Add: <paramref name="sum"/> = <paramref name="left"/> + <paramref name="right"/>, all of one length.</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Add(ReadOnlySpan<float> left, ReadOnlySpan<float> right, Span<float> sum)
        {
            int lanes = Vector<float>.Count, i = 0;
            ReadOnlySpan<Vector<float>> l = MemoryMarshal.Cast<float, Vector<float>>(left);
            ReadOnlySpan<Vector<float>> r = MemoryMarshal.Cast<float, Vector<float>>(right);
            Span<Vector<float>> s = MemoryMarshal.Cast<float, Vector<float>>(sum);
            for (int v = 0; v < Math.Min(s.Length, Math.Min(l.Length, r.Length)); v++, i += lanes)
            {
                s[v] = l[v] + r[v];
            }

            for (; i < sum.Length; i++)
            {
                sum[i] = left[i] + right[i];
            }
        }

        /// <summary>
        /// Keras' Flatten of a channels_first tensor: it flattens in channels-last order, (channels, height, width) to
        /// (height, width, channels).
        /// </summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void FlattenChannelsFirst(ReadOnlySpan<float> input, Span<float> output, int channels, int height, int width)
        {
            int pixels = height * width;
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++)
                {
                    output[p * channels + c] = input[c * pixels + p];
                }
            }
        }

        private static float Logistic(float x) => (float)(1.0 / (1.0 + Math.Exp(-x)));

#if NET8_0_OR_GREATER
        /// <summary>
        /// <c>exp(x) - 1</c> for x at most 0 on a vector: exp as 2^n * exp(r) with |r| at most ln(2)/2 and Cephes' degree-6
        /// polynomial (about 2 ulp); lanes above 0 are unused.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<float> ExpMinusOne(Vector<float> x)
        {
            // Below -87 exp(x) is under float's normal range and exp(x) - 1 is -1 to the last bit.
            Vector<float> clamped = Vector.Max(Vector.Min(x, Vector<float>.Zero), new Vector<float>(-87f));
            Vector<float> n = Vector.Floor(clamped * new Vector<float>(1.44269504088896341f) + new Vector<float>(0.5f));
            Vector<float> r = clamped - n * new Vector<float>(0.693359375f) + n * new Vector<float>(2.12194440e-4f);
            Vector<float> p = new Vector<float>(1.9875691500e-4f);
            p = p * r + new Vector<float>(1.3981999507e-3f);
            p = p * r + new Vector<float>(8.3334519073e-3f);
            p = p * r + new Vector<float>(4.1665795894e-2f);
            p = p * r + new Vector<float>(1.6666665459e-1f);
            p = p * r + new Vector<float>(5.0000001201e-1f);
            Vector<float> small = p * r * r + r;   // exp(r) - 1, to its last digits
            Vector<float> pow2 = Vector.AsVectorSingle((Vector.ConvertToInt32(n) + new Vector<int>(127)) * new Vector<int>(1 << 23));
            // n = 0 (|x| up to ln(2)/2): exp(x) - 1 is the polynomial itself, with no 1 added and taken away again.
            return Vector.ConditionalSelect(Vector.Equals(n, Vector<float>.Zero), small, (small + Vector<float>.One) * pow2 - Vector<float>.One);
        }
#endif

        /// <summary><c>exp(x) - 1</c> without losing the digits of small <c>x</c> to cancellation.</summary>
        private static float ExpMinusOne(float x) =>
            x > -1e-3f ? x * (1f + x * (0.5f + x * (1f / 6f + x * (1f / 24f)))) : (float)(Math.Exp(x) - 1.0);
    }
}

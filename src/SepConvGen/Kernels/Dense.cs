using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SepConvGen.Kernels
{
    /// <summary>Dense on the last axis for one shape, called by generated layers: a dot product per unit.</summary>
    /// <typeparam name="TShape">The layer's constants.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Dense<TShape>
        where TShape : struct, IDenseShape
    {
        /// <summary>Values of the Keras kernel, (inputs, units).</summary>
        public static int KernelLength => default(TShape).Inputs * default(TShape).Units;

        /// <summary>Transposes the Keras kernel to one contiguous row of inputs per unit.</summary>
        public static float[] PackKernel(ReadOnlySpan<float> kernel)
        {
            TShape s = default;
            var packed = new float[KernelLength];
            for (int i = 0; i < s.Inputs; i++)
            {
                for (int u = 0; u < s.Units; u++)
                {
                    packed[u * s.Inputs + i] = kernel[i * s.Units + u];
                }
            }

            return packed;
        }

        /// <summary>The bias, zeros for none.</summary>
        public static float[] PackBias(ReadOnlySpan<float> bias)
        {
            var packed = new float[default(TShape).Units];
            bias.CopyTo(packed);
            return packed;
        }

        /// <summary>Runs the layer on <paramref name="rows"/> rows of inputs (the batch times any leading axes).</summary>
        [MethodImpl(Simd.OptimizeFully)]
        public static void Forward(ReadOnlySpan<float> input, Span<float> output, int rows, float[] kernel, float[] bias)
        {
            TShape s = default;
            int lanes = Simd.Lanes, inputs = s.Inputs, whole = inputs / lanes * lanes;
            ref float w = ref kernel[0];
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> x = input.Slice(r * inputs, inputs);
                ref float xr = ref MemoryMarshal.GetReference(x);
                for (int u = 0; u < s.Units; u++)
                {
                    int row = u * inputs;
                    Vector<float> a0 = Vector<float>.Zero, a1 = Vector<float>.Zero;
                    int i = 0;
                    for (; i + 2 * lanes <= whole; i += 2 * lanes)
                    {
                        a0 = Simd.MultiplyAdd(Simd.Load(ref xr, i), Simd.Load(ref w, row + i), a0);
                        a1 = Simd.MultiplyAdd(Simd.Load(ref xr, i + lanes), Simd.Load(ref w, row + i + lanes), a1);
                    }

                    for (; i < whole; i += lanes)
                    {
                        a0 = Simd.MultiplyAdd(Simd.Load(ref xr, i), Simd.Load(ref w, row + i), a0);
                    }

                    float sum = bias[u] + Vector.Dot(a0 + a1, Vector<float>.One);
                    for (; i < inputs; i++)
                    {
                        sum += x[i] * kernel[row + i];
                    }

                    output[r * s.Units + u] = Simd.Activate(sum, s.Activation);
                }

                if (Simd.ActsOnRows(s.Activation))
                {
                    Elementwise.Activate(output.Slice(r * s.Units, s.Units), s.Activation);
                }
            }
        }
    }
}

using System;
using System.Linq;
using SepConvGen.Kernels;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>The model steps between layers against their double-precision definitions.</summary>
    public sealed class ElementwiseTests
    {
        [Fact]
        public void Elu_is_within_a_few_ulp_of_its_definition_everywhere()
        {
            // Every magnitude from 1e-9 to 100 on both sides of 0, NaN, infinities and the vector tails.
            float[] values = Enumerable.Range(0, 4001).Select(i => (float)Math.Pow(10, -9 + i * 11.0 / 4000))
                .SelectMany(v => new[] { v, -v }).Concat(new[] { 0f, -0f, float.NaN, float.NegativeInfinity, float.PositiveInfinity, -87.5f, -1e-3f })
                .ToArray();
            foreach (float alpha in new[] { 1f, 0.3f })
            {
                float[] data = (float[])values.Clone();
                Elementwise.Elu(data, alpha);
                for (int i = 0; i < values.Length; i++)
                {
                    double x = values[i];
                    double expected = x > 0 || double.IsNaN(x) ? x : alpha * (Math.Exp(x) - 1);
                    Assert.True(double.IsNaN(expected) ? float.IsNaN(data[i]) : data[i] == expected || Math.Abs(data[i] - expected) <= 4e-7 * Math.Abs(expected) + 1e-45,
                        $"elu({values[i]:R}, {alpha}) = {data[i]:R}, not {expected:R}");
                }
            }
        }
    }
}

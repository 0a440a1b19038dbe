using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Xunit.Sdk;

namespace SepConvGen.Testing
{
    /// <summary>Compares a layer's output with a float64 reference and names every mismatching element.</summary>
    public static class TensorAssert
    {
        /// <summary>Relative tolerance on the sum of absolute products (float32 rounding of long sums).</summary>
        public const double RelativeTolerance = 1e-5;

        /// <summary>Relative tolerance of ELU, sigmoid, tanh and swish on exact sums (float32 exponentials).</summary>
        public const double ActivationTolerance = 1e-6;

        /// <summary>The smallest normal float32: below it a float has fewer digits, a fixed absolute step.</summary>
        private const double SmallestNormal = 1.1754943508222875e-38;

        /// <summary>
        /// Checks <paramref name="actual"/> against <paramref name="expected"/>: bit for bit when
        /// <paramref name="exact"/> (within <see cref="ActivationTolerance"/> after an activation with an exponential),
        /// otherwise within <see cref="RelativeTolerance"/> of the magnitude.
        /// NaN in the expected value must be NaN in the actual one.
        /// </summary>
        public static void Matches(LayerConfig c, int batch, int outH, int outW, float[] actual, double[] expected,
                                   double[]? magnitude, bool exact, string context, double absoluteTolerance = 1e-6)
        {
            if (actual.Length != expected.Length)
            {
                throw new XunitException($"{context}: output has {actual.Length} values, expected {expected.Length}.");
            }

            var failures = new List<string>();
            int count = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double want = expected[i];
                float got = actual[i];
                bool ok;
                string limit;
                if (double.IsNaN(want))
                {
                    ok = float.IsNaN(got);
                    limit = "NaN";
                }
                else if (exact && c.Activation < Activation.Elu)
                {
                    ok = got == (float)want;
                    limit = "bit-exact";
                }
                else if (exact)
                {
                    // Exact sums, then an exponential in float32: a few units in the last place, where float32 has
                    // them (a sigmoid of -90 is subnormal: its precision is absolute there).
                    double tolerance = ActivationTolerance * Math.Max(Math.Abs(want), SmallestNormal);
                    ok = Math.Abs(got - want) <= tolerance;
                    limit = "±" + tolerance.ToString("G3", CultureInfo.InvariantCulture);
                }
                else
                {
                    double tolerance = (RelativeTolerance * (magnitude?[i] ?? Math.Abs(want))) + absoluteTolerance;
                    ok = Math.Abs(got - want) <= tolerance || (double.IsInfinity(want) && got == want);
                    limit = "±" + tolerance.ToString("G3", CultureInfo.InvariantCulture);
                }

                if (!ok)
                {
                    count++;
                    if (failures.Count < 8)
                    {
                        failures.Add($"  {Describe(c, batch, outH, outW, i)} = {got.ToString("R", CultureInfo.InvariantCulture)}, " +
                                     $"expected {want.ToString("R", CultureInfo.InvariantCulture)} ({limit})");
                    }
                }
            }

            if (count > 0)
            {
                throw new XunitException(
                    $"{context}: {count} of {actual.Length} outputs differ" + Environment.NewLine +
                    string.Join(Environment.NewLine, failures));
            }
        }

        /// <summary>"output[batch 0, row 1, column 2, channel 3]" for a flat index in the config's layout.</summary>
        public static string Describe(LayerConfig c, int batch, int outH, int outW, int index)
        {
            int b, y, x, f;
            if (c.ChannelsFirst)
            {
                x = index % outW;
                y = index / outW % outH;
                f = index / (outW * outH) % c.OutChannels;
                b = index / (outW * outH * c.OutChannels);
            }
            else
            {
                f = index % c.OutChannels;
                x = index / c.OutChannels % outW;
                y = index / (c.OutChannels * outW) % outH;
                b = index / (c.OutChannels * outW * outH);
            }

            return $"output[batch {b}, row {y}, column {x}, channel {f}]";
        }

        /// <summary>A buffer of the given length filled with NaN, so an output the layer forgot to write shows.</summary>
        public static float[] NaNFilled(int length) => Enumerable.Repeat(float.NaN, length).ToArray();
    }
}

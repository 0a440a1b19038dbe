using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using SepConvGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// The generator lives in every keystroke of an IDE: whatever the attribute says, it must not throw, and
    /// the project must either compile or fail only with SCG diagnostics.
    /// </summary>
    public sealed class RobustnessTests
    {
        /// <summary>The documented bound on one layer's generated file (docs/generated-code.md).</summary>
        public const int MaxGeneratedBytes = 320 * 1024;

        private const int Runs = 2000;
        private const int LayersPerCompilation = 100;

        private static readonly int[] Interesting =
        {
            0, -1, 1, 2, 3, 7, 16, 64, 65, 255, 4096, 65536, 1 << 20, int.MaxValue, int.MinValue, int.MaxValue - 1, -65536,
        };

        private readonly ITestOutputHelper _output;

        public RobustnessTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Random_attribute_arguments_never_break_the_generator()
        {
            int seed = RandomLayers.RunSeed();
            _output.WriteLine($"seed {seed}");
            var random = new Random(seed);
            var problems = new List<string>();
            int generated = 0, rejected = 0;
            for (int batch = 0; batch < Runs / LayersPerCompilation; batch++)
            {
                var attributes = Enumerable.Range(0, LayersPerCompilation).Select(_ => RandomAttribute(random)).ToArray();
                var source = new StringBuilder("using SepConvGen;\nnamespace Fuzz\n{\n");
                for (int i = 0; i < attributes.Length; i++)
                {
                    source.Append("    ").Append(attributes[i]).Append($" public partial class Layer{i} {{ }}\n");
                }

                source.Append("}\n");
                GeneratorOutput output = GeneratorHarness.Run(new[] { source.ToString() });
                if (output.RunResult.Results.Any(r => r.Exception is not null))
                {
                    problems.Add($"the generator threw: {output.RunResult.Results.First(r => r.Exception is not null).Exception}");
                }

                foreach (Diagnostic d in output.DriverDiagnostics.Concat(output.Compilation.GetDiagnostics())
                             .Where(d => d.Severity == DiagnosticSeverity.Error || d.Id is "CS8785" or "AD0001"))
                {
                    if (!d.Id.StartsWith("SCG", StringComparison.Ordinal))
                    {
                        // Name the attribute that produced the broken file, so the case can be replayed.
                        string where = d.Location.SourceTree?.FilePath ?? string.Empty;
                        int layer = attributes.Select((_, i) => i).FirstOrDefault(i => where.EndsWith($".Layer{i}.SepConv.g.cs", StringComparison.Ordinal), -1);
                        problems.Add($"{d} from {(layer >= 0 ? attributes[layer] : "?")} [replay: SEPCONVGEN_SEED={seed}]");
                    }
                }

                foreach (GeneratedSourceResult file in output.GeneratedSources)
                {
                    if (file.SourceText.Length > MaxGeneratedBytes)
                    {
                        problems.Add($"{file.HintName} is {file.SourceText.Length} characters, over the documented {MaxGeneratedBytes}");
                    }
                }

                generated += output.GeneratedSources.Count;
                rejected += output.GeneratorDiagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
            }

            _output.WriteLine($"{Runs} attributes: {generated} layers generated, {rejected} errors reported");
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct().Take(10)));
            Assert.InRange(generated, 1, Runs - 1); // both outcomes were exercised
        }

        [Theory]
        [InlineData(false, false, 8, 8)]
        [InlineData(false, true, 8, 8)]
        [InlineData(true, false, 8, 8)]
        [InlineData(true, true, 8, 8)]
        [InlineData(false, false, 16, 16)]
        [InlineData(false, true, 4, 16)]
        [InlineData(true, true, 16, 16)]
        [InlineData(true, false, 16, 16)]
        [InlineData(true, false, 2, 16)]
        [InlineData(true, false, 8, 8, 100)]
        [InlineData(true, true, 8, 8, 100)]
        [InlineData(true, false, 1, 16, 200)]
        public void Largest_unrolled_layer_stays_under_the_documented_size(bool channelsFirst, bool checkedMode, int kernelHeight, int kernelWidth,
                                                                          int fixedWidth = 0)
        {
            // 8x8 = 64 taps is the most the scalar code unrolls, 16 columns the most the vector code unrolls; a depth
            // multiplier, run-time size, borders on both axes, a partial group of filters and more than 96 depthwise
            // channels (NCHW: chunks) add the most code; 15 filters are an odd number of groups of 4 and a partial one.
            // A fixed NCHW width reads rows from the plane, with its edge blocks laid out one by one (the widths with
            // the most of them).
            string format = channelsFirst ? ", DataFormat = DataFormat.ChannelsFirst" : string.Empty;
            string size = fixedWidth > 0 ? $", InputHeight = {kernelHeight + 1}, InputWidth = {fixedWidth}" : string.Empty;
            string source = $"using SepConvGen; [SeparableConv(40, 15, {kernelHeight}, {kernelWidth}, Padding.Same, DepthMultiplier = 3, Activation = Activation.Relu6{format}{size})] public partial class Big {{ }}";
            GeneratorOutput output = GeneratorHarness.Run(new[] { source }, checkedMode ? GeneratorHarness.Checked : GeneratorHarness.Latest);
            GeneratedSourceResult file = Assert.Single(output.GeneratedSources);
            _output.WriteLine($"{file.HintName}: {file.SourceText.Length} characters");
            Assert.InRange(file.SourceText.Length, 1, MaxGeneratedBytes);
            Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        private static string RandomAttribute(Random random)
        {
            // Half the attributes are plausible (small positive values) so that many layers are generated too.
            bool plausible = random.Next(2) == 0;
            int Value(int small) => plausible ? random.Next(1, small + 1) : random.Next(10) switch
            {
                0 => Interesting[random.Next(Interesting.Length)],
                _ => random.Next(-1, small + 1),
            };

            var named = new List<string>();
            void Maybe(string name, int small)
            {
                if (random.Next(3) == 0)
                {
                    named.Add(string.Create(CultureInfo.InvariantCulture, $"{name} = {Value(small)}"));
                }
            }

            Maybe("DepthMultiplier", 4);
            Maybe("StrideHeight", 4);
            Maybe("StrideWidth", 4);
            Maybe("DilationHeight", 4);
            Maybe("DilationWidth", 4);
            Maybe("InputHeight", 40);
            Maybe("InputWidth", 40);
            if (random.Next(4) == 0)
            {
                named.Add($"DataFormat = (DataFormat)({random.Next(-1, 3)})");
            }

            if (random.Next(4) == 0)
            {
                named.Add($"Activation = (Activation)({random.Next(-1, 4)})");
            }

            if (random.Next(3) == 0)
            {
                named.Add(random.Next(2) == 0 ? "UseBias = false" : "UseBias = true");
            }

            string padding = random.Next(3) switch
            {
                0 => "Padding.Valid",
                1 => "Padding.Same",
                _ => $"(Padding)({random.Next(-2, 4)})",
            };
            string tail = named.Count == 0 ? string.Empty : ", " + string.Join(", ", named);
            return string.Create(CultureInfo.InvariantCulture,
                $"[SeparableConv({Value(40)}, {Value(40)}, {Value(12)}, {Value(12)}, {padding}{tail})]");
        }
    }
}

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>SCG0013: a NativeAOT publish for x64 without AVX2 would run the layers' 128-bit kernels, silently.</summary>
    public sealed class NativeAotDiagnosticTests
    {
        private const string Layer = "using SepConvGen; [SeparableConv(2, 2, 3, 3)] public partial class Layer { }";

        [Theory]
        [InlineData("true", "", "linux-x64", true)]
        [InlineData("true", "x86-64-v2", "", true)]
        [InlineData("True", "sse4.2", "win-x64", true)]
        [InlineData("true", "native", "linux-x64", false)]
        [InlineData("true", "x86-64-v3", "linux-x64", false)]
        [InlineData("true", "avx2,bmi,fma", "linux-x64", false)]
        [InlineData("true", "", "linux-arm64", false)]
        [InlineData("false", "", "linux-x64", false)]
        [InlineData("", "", "", false)]
        public void Publishing_aot_without_avx2_is_reported_once(string publishAot, string instructionSet, string rid, bool reported)
        {
            ImmutableArray<Diagnostic> diagnostics = Run(new[] { Layer, Layer.Replace("class Layer", "class Other") }, publishAot, instructionSet, rid);
            Diagnostic[] found = diagnostics.Where(d => d.Id == "SCG0013").ToArray();
            Assert.Equal(reported ? 1 : 0, found.Length);
            if (reported)
            {
                Assert.Equal(DiagnosticSeverity.Warning, found[0].Severity);
                string message = found[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                Assert.Contains("<IlcInstructionSet>native</IlcInstructionSet>", message, System.StringComparison.Ordinal);
                Assert.Contains(instructionSet.Length == 0 ? "not set" : $"'{instructionSet}'", message, System.StringComparison.Ordinal);
            }
        }

        [Fact]
        public void A_project_with_only_model_layers_is_told_too()
        {
            // Conv2D and pooling run library kernels on Vector<float>: 128 bits wide under x86-64-v2 as well.
            const string ModelLayers = "using SepConvGen; [Conv2D(1, 8, 3, 3, InputHeight = 8, InputWidth = 8)] public partial class Stem { } " +
                                       "[MaxPooling2D(8, 2, 2, InputHeight = 6, InputWidth = 6)] public partial class Pool { }";
            Assert.Single(Run(new[] { ModelLayers }, "true", "", "linux-x64"), d => d.Id == "SCG0013");
            Assert.DoesNotContain(Run(new[] { ModelLayers }, "true", "native", "linux-x64"), d => d.Id == "SCG0013");
        }

        [Fact]
        public void A_project_without_layers_or_vector_kernels_hears_nothing()
        {
            Assert.DoesNotContain(Run(new[] { "public class Plain { }" }, "true", "", "linux-x64"), d => d.Id == "SCG0013");
            Assert.DoesNotContain(Run(new[] { Layer }, "true", "", "linux-x64", GeneratorHarness.Latest.WithPreprocessorSymbols("SEPCONVGEN_VECTOR128")), d => d.Id == "SCG0013");
        }

        private static ImmutableArray<Diagnostic> Run(string[] sources, string publishAot, string instructionSet, string rid, CSharpParseOptions? parse = null)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources, parse);
            GeneratorDriver driver = BuildProperties.Driver(parse ?? GeneratorHarness.Latest, new Dictionary<string, string>
            {
                ["PublishAot"] = publishAot,
                ["IlcInstructionSet"] = instructionSet,
                ["RuntimeIdentifier"] = rid,
            });
            return driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out _).GetRunResult().Diagnostics;
        }
    }
}

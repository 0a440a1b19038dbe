using System.Linq;
using Microsoft.CodeAnalysis;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// Every diagnostic ID, reported at the offending argument (snapshot of id, span, quoted text and message),
    /// and no code for an invalid layer.
    /// </summary>
    public sealed class DiagnosticsTests
    {
        [Theory]
        [InlineData("SCG0001_NotPartial", "[SeparableConv(2, 2, 3, 3)] public class Layer { }")]
        [InlineData("SCG0002_ContainingTypeNotPartial", "public class Outer { [SeparableConv(2, 2, 3, 3)] public partial class Layer { } }")]
        [InlineData("SCG0003_Generic", "[SeparableConv(2, 2, 3, 3)] public partial class Layer<T> { }")]
        [InlineData("SCG0003_NestedInGeneric", "public partial class Outer<T> { [SeparableConv(2, 2, 3, 3)] public partial class Layer { } }")]
        [InlineData("SCG0004_Static", "[SeparableConv(2, 2, 3, 3)] public static partial class Layer { }")]
        [InlineData("SCG0005_NotPositive", "[SeparableConv(0, -2, 3, 3, DepthMultiplier = 0, StrideWidth = -1)] public partial class Layer { }")]
        [InlineData("SCG0005_NamedConstructorArgument", "[SeparableConv(2, 2, kernelWidth: 0, kernelHeight: 3)] public partial class Layer { }")]
        [InlineData("SCG0006_StrideWithDilation", "[SeparableConv(2, 2, 3, 3, Padding.Same, StrideHeight = 2, DilationWidth = 2)] public partial class Layer { }")]
        [InlineData("SCG0007_InputSizeForOneAxis", "[SeparableConv(2, 2, 3, 3, InputWidth = 8)] public partial class Layer { }")]
        [InlineData("SCG0008_InputSizeNegative", "[SeparableConv(2, 2, 3, 3, InputHeight = -4, InputWidth = 8)] public partial class Layer { }")]
        [InlineData("SCG0009_InputSmallerThanKernel", "[SeparableConv(2, 2, 3, 3, DilationHeight = 3, InputHeight = 6, InputWidth = 8)] public partial class Layer { }")]
        [InlineData("SCG0010_UndefinedEnum", "[SeparableConv(2, 2, 3, 3, (Padding)7, DataFormat = (DataFormat)2, Activation = (Activation)(-1))] public partial class Layer { }")]
        [InlineData("SCG0011_SizeOverflow", "[SeparableConv(65536, 65536, 3, 3)] public partial class Layer { }")]
        [InlineData("SCG0011_KernelLengthOverflowsLong", "[SeparableConv(4, 22, 2147483647, 2147483646, Padding.Valid)] public partial class Layer { }")]
        [InlineData("SCG0014_InputSizeRequired", "[Conv2D(2, 4, 3, 3)] public partial class Layer { }")]
        [InlineData("SCG0005_Conv2DNotPositive", "[Conv2D(2, 0, 3, -3, StrideWidth = 0, InputHeight = 8, InputWidth = 8)] public partial class Layer { }")]
        [InlineData("SCG0006_DepthwiseStrideWithDilation", "[DepthwiseConv2D(2, 3, 3, StrideHeight = 2, DilationWidth = 2, InputHeight = 8, InputWidth = 8)] public partial class Layer { }")]
        [InlineData("SCG0009_PoolingInputSmallerThanWindow", "[MaxPooling2D(4, 5, 5, InputHeight = 4, InputWidth = 8)] public partial class Layer { }")]
        [InlineData("SCG0005_DenseNotPositive", "[Dense(0, 4)] public partial class Layer { }")]
        [InlineData("SCG0001_PoolingNotPartial", "[GlobalAveragePooling2D(4, InputHeight = 2, InputWidth = 2)] public class Layer { }")]
        [InlineData("SCG0011_TapColumnStepOverflow", "[SeparableConv(31, 3, 10, 2, Padding.Valid, DilationWidth = 2147483646)] public partial class Layer { }")]
        [InlineData("SCG0011_FixedInputOverflow", "[SeparableConv(64, 64, 3, 3, Padding.Same, InputHeight = 10000, InputWidth = 10000)] public partial class Layer { }")]
        public void Invalid_layer_reports_diagnostic_and_emits_no_code(string name, string declaration)
        {
            GeneratorOutput output = Run(declaration);
            Assert.Contains(output.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id == name.Substring(0, 7));
            Assert.Empty(output.GeneratedSources);
            Snapshot.Verify(name, Enumerable.Empty<(string, string)>(), DiagnosticText.Format(output.GeneratorDiagnostics, output.Compilation));
        }

        [Fact]
        public void Large_kernel_reports_info_and_still_generates()
        {
            GeneratorOutput output = Run("[SeparableConv(2, 2, 11, 11, Padding.Same)] public partial class Layer { }");
            Diagnostic info = Assert.Single(output.GeneratorDiagnostics);
            Assert.Equal("SCG0012", info.Id);
            Assert.Equal(DiagnosticSeverity.Info, info.Severity);
            Assert.Single(output.GeneratedSources);
            Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        [Fact]
        public void Every_descriptor_has_a_section_in_the_docs()
        {
            string docs = System.IO.File.ReadAllText(RepositoryPaths.Combine("docs", "diagnostics.md"));
            var ids = typeof(SepConvGenerator).Assembly.GetType("SepConvGen.Generator.Diagnostics.DiagnosticDescriptors")!
                .GetProperties().Select(p => ((DiagnosticDescriptor)p.GetValue(null)!).Id).ToArray();
            Assert.Equal(14, ids.Length);
            Assert.All(ids, id => Assert.Contains($"## {id}", docs));
        }

        private static GeneratorOutput Run(string declaration) =>
            GeneratorHarness.Run(new[] { "using SepConvGen;\n\nnamespace Samples\n{\n    " + declaration + "\n}\n" });
    }
}

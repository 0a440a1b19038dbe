using System.Linq;
using Microsoft.CodeAnalysis;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// The generated source of representative layers, compared verbatim with the checked-in snapshots. Each
    /// must also compile without warnings as C# 7.3, the language of netstandard2.0 consumers.
    /// </summary>
    public sealed class OutputTests
    {
        [Theory]
        [InlineData("SeedLayer_1x16_Same_NoBias", "[SeparableConv(32, 64, 1, 16, Padding.Same, UseBias = false)]")]
        [InlineData("Kernel3x3_Same", "[SeparableConv(64, 128, 3, 3, Padding.Same)]")]
        [InlineData("EvenKernel4x4_Same", "[SeparableConv(3, 5, 4, 4, Padding.Same)]")]
        [InlineData("Stride2_Multiplier2_Same", "[SeparableConv(32, 64, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, DepthMultiplier = 2)]")]
        [InlineData("Dilated2_Same", "[SeparableConv(16, 16, 3, 3, Padding.Same, DilationHeight = 2, DilationWidth = 2)]")]
        [InlineData("EegNet_ChannelsFirst_1x16", "[SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)]")]
        [InlineData("FixedSize_56x56", "[SeparableConv(64, 128, 3, 3, Padding.Same, InputHeight = 56, InputWidth = 56)]")]
        [InlineData("Relu6", "[SeparableConv(8, 8, 3, 3, Padding.Same, Activation = Activation.Relu6)]")]
        [InlineData("Elu_ChannelsFirst", "[SeparableConv(4, 6, 3, 3, Padding.Same, DataFormat = DataFormat.ChannelsFirst, Activation = Activation.Elu)]")]
        [InlineData("Valid", "[SeparableConv(8, 16, 3, 3)]")]
        [InlineData("FixedValid_Strided_ChannelsFirst_Relu", "[SeparableConv(4, 6, 3, 3, Padding.Valid, StrideHeight = 2, StrideWidth = 2, DataFormat = DataFormat.ChannelsFirst, Activation = Activation.Relu, InputHeight = 9, InputWidth = 8)]")]
        [InlineData("LargeKernel_9x9_CompactTaps", "[SeparableConv(4, 4, 9, 9, Padding.Same)]")]
        [InlineData("Multiplier3_Dilated_ChannelsFirst", "[SeparableConv(3, 5, 2, 3, Padding.Same, DepthMultiplier = 3, DilationWidth = 3, DataFormat = DataFormat.ChannelsFirst)]")]
        [InlineData("Model_Conv2D_3x3_Valid_Relu", "[Conv2D(1, 8, 3, 3, Activation = Activation.Relu, InputHeight = 64, InputWidth = 64)]")]
        [InlineData("Model_Conv2D_1x64_Same_ChannelsFirst_NoBias", "[Conv2D(1, 8, 1, 64, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst, InputHeight = 22, InputWidth = 1000)]")]
        [InlineData("Model_DepthwiseConv2D_22x1_Multiplier2", "[DepthwiseConv2D(9, 22, 1, DepthMultiplier = 2, InputHeight = 22, InputWidth = 1000)]")]
        [InlineData("Model_MaxPooling2D_3x3_Same_Stride2", "[MaxPooling2D(16, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 60, InputWidth = 60)]")]
        [InlineData("Model_AveragePooling2D_1x4_ChannelsFirst", "[AveragePooling2D(16, 1, 4, DataFormat = DataFormat.ChannelsFirst, InputHeight = 1, InputWidth = 151)]")]
        [InlineData("Model_GlobalAveragePooling2D", "[GlobalAveragePooling2D(7, InputHeight = 4, InputWidth = 4)]")]
        [InlineData("Model_Dense_Relu6", "[Dense(992, 4, Activation = Activation.Relu6)]")]
        public void Generated_layer_matches_snapshot(string name, string attribute) => Verify(name, LayerSource(attribute));

        [Fact]
        public void Nested_layer_in_global_namespace_matches_snapshot()
        {
            const string source = """
                using SepConvGen;

                public static partial class Model
                {
                    public partial struct Block
                    {
                        [SeparableConv(2, 2, 3, 3, Padding.Same)]
                        internal sealed partial class Depthwise
                        {
                        }
                    }
                }
                """;
            Verify("Nested_GlobalNamespace", source);
        }

        [Fact]
        public void Debug_build_gets_bounds_checked_kernels_matching_snapshot()
        {
            string source = LayerSource("[SeparableConv(6, 10, 3, 3, Padding.Same, DepthMultiplier = 2, Activation = Activation.Relu, DataFormat = DataFormat.ChannelsFirst)]");
            Verify("Checked_DebugBuild_ChannelsFirst", source, GeneratorHarness.CSharp73.WithPreprocessorSymbols("DEBUG"));
            Verify("Checked_DebugBuild_ChannelsLast", source.Replace(", DataFormat = DataFormat.ChannelsFirst", string.Empty, System.StringComparison.Ordinal),
                GeneratorHarness.CSharp73.WithPreprocessorSymbols("DEBUG"));
        }

        [Theory]
        [InlineData("Vector_ChannelsLast_3x3_Relu6", "[SeparableConv(24, 40, 3, 3, Padding.Same, Activation = Activation.Relu6)]")]
        [InlineData("Vector_ChannelsLast_3x3_Swish", "[SeparableConv(24, 40, 3, 3, Padding.Same, Activation = Activation.Swish)]")]
        [InlineData("Vector_ChannelsFirst_1x16_NoBias", "[SeparableConv(16, 18, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)]")]
        [InlineData("Vector_ChannelsFirst_3x3_Fixed28x28", "[SeparableConv(32, 48, 3, 3, Padding.Same, InputHeight = 28, InputWidth = 28, DataFormat = DataFormat.ChannelsFirst)]")]
        [InlineData("Vector_ChannelsFirst_3x3_Fixed19x19_FlatTiles", "[SeparableConv(24, 32, 3, 3, Padding.Same, InputHeight = 19, InputWidth = 19, DataFormat = DataFormat.ChannelsFirst)]")]
        public void Modern_csharp_gets_vector_kernels_matching_snapshot(string name, string attribute) =>
            Verify(name, LayerSource(attribute), GeneratorHarness.Latest);

        /// <summary>A source file declaring <c>Samples.Layer</c> with <paramref name="attribute"/>.</summary>
        private static string LayerSource(string attribute) => $$"""
            using SepConvGen;

            namespace Samples
            {
                {{attribute}}
                public partial class Layer
                {
                }
            }
            """;

        private static void Verify(string name, string source, Microsoft.CodeAnalysis.CSharp.CSharpParseOptions? options = null)
        {
            GeneratorOutput output = GeneratorHarness.Run(new[] { source }, options ?? GeneratorHarness.CSharp73);
            Assert.DoesNotContain(output.DriverDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
            Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
            Assert.Single(output.GeneratedSources);
            Snapshot.Verify(name, output.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())),
                DiagnosticText.Format(output.GeneratorDiagnostics, output.Compilation));
        }
    }
}

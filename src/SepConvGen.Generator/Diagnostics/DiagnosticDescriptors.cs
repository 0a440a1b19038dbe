using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace SepConvGen.Generator.Diagnostics
{
    /// <summary>
    /// Every diagnostic the generator reports. IDs are consecutive and never reused; keep
    /// docs/diagnostics.md in sync when adding one.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "SepConvGen";
        /// <summary>The diagnostics page under the project URL the build stamps into this assembly (Directory.Build.props).</summary>
        private static readonly string HelpBase = typeof(DiagnosticDescriptors).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PackageProjectUrl").Value + "/blob/main/docs/diagnostics.md#";

        public static DiagnosticDescriptor TypeNotPartial { get; } = Error(
            "SCG0001", "Layer class must be partial",
            "The class '{0}' must be declared partial so that SepConvGen can add the layer to it");

        public static DiagnosticDescriptor ContainingTypeNotPartial { get; } = Error(
            "SCG0002", "Containing type must be partial",
            "'{0}' is nested in '{1}', which must be declared partial too");

        public static DiagnosticDescriptor GenericTypeNotSupported { get; } = Error(
            "SCG0003", "Generic layer types are not supported",
            "'{0}' is generic or nested in a generic type; declare the layer in a non-generic class");

        public static DiagnosticDescriptor StaticClassNotSupported { get; } = Error(
            "SCG0004", "Layer class must not be static",
            "'{0}' is static, but a layer holds its weights in instance fields");

        public static DiagnosticDescriptor ValueNotPositive { get; } = Error(
            "SCG0005", "Size must be positive",
            "{0} must be at least 1; got {1}");

        public static DiagnosticDescriptor StrideWithDilation { get; } = Error(
            "SCG0006", "Stride and dilation cannot both exceed 1",
            "Strides ({0}, {1}) and dilation ({2}, {3}) are both above 1 on the same layer, which Keras rejects");

        public static DiagnosticDescriptor InputSizeForOneAxis { get; } = Error(
            "SCG0007", "Fixed input size needs both dimensions",
            "{0} is set but {1} is not: set both InputHeight and InputWidth for a fixed-size layer, or neither");

        public static DiagnosticDescriptor InputSizeNegative { get; } = Error(
            "SCG0008", "Fixed input size must not be negative",
            "{0} must be positive, or 0 to choose the size at run time; got {1}");

        public static DiagnosticDescriptor InputSmallerThanKernel { get; } = Error(
            "SCG0009", "Fixed input is smaller than the dilated kernel",
            "With Valid padding the fixed input {0} x {1} must be at least the dilated kernel {2} x {3}; the output would be empty");

        public static DiagnosticDescriptor UndefinedEnumValue { get; } = Error(
            "SCG0010", "Undefined enum value",
            "{0} is not a defined {1} value");

        public static DiagnosticDescriptor SizeOverflow { get; } = Error(
            "SCG0011", "Layer sizes overflow",
            "{0} would be {1}, more than an int (and a span) can hold");

        public static DiagnosticDescriptor TapsNotUnrolled { get; } = new DiagnosticDescriptor(
            "SCG0012", "Kernel taps run as a loop",
            "The {0}x{1} kernel has {2} taps, more than {3}: its taps run as a compact loop instead of straight-line code",
            Category, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpBase + "scg0012");

        public static DiagnosticDescriptor NativeAotWithoutVectors { get; } = new DiagnosticDescriptor(
            "SCG0013", "NativeAOT without an instruction set for the vector kernels",
            "PublishAot is set but IlcInstructionSet is {0}: NativeAOT then targets x86-64-v2, where Vector256 and Vector512 report no acceleration and the SepConvGen layers run their 128-bit kernels, several times slower than under the JIT. Set <IlcInstructionSet>native</IlcInstructionSet> to build for this machine's CPU, or x86-64-v3 (AVX2) or x86-64-v4 (AVX-512) for the machines you ship to.",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + "scg0013");

        public static DiagnosticDescriptor InputSizeRequired { get; } = Error(
            "SCG0014", "Input size required",
            "A {0} layer is specialized for one input size: set InputHeight and InputWidth");

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: HelpBase + id.ToLowerInvariant(), customTags: WellKnownDiagnosticTags.NotConfigurable);
    }
}

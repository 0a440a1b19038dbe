using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SepConvGen.Generator.Diagnostics;
using SepConvGen.Generator.Emitting;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Parsing;

namespace SepConvGen.Generator
{
    /// <summary>
    /// Generates a specialized Keras SeparableConv2D for every class marked <c>[SeparableConv]</c>.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class SepConvGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps, asserted by the incremental tests.</summary>
        public static class Steps
        {
            public const string Parse = nameof(Parse);
            public const string Layers = nameof(Layers);
            public const string Diagnostics = nameof(Diagnostics);
            public const string KernelOptions = nameof(KernelOptions);
            public const string PublishSettings = nameof(PublishSettings);
        }

        private static readonly string Version =
            typeof(SepConvGenerator).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // 1. Find [SeparableConv] classes. The compiler's attribute index makes this cheap: it runs only for
            //    classes carrying the attribute, and again only when one of them is edited.
            // 2. Parse each into a symbol-free, value-equatable result, so that an edit that leaves the attribute
            //    and the class header unchanged stops the pipeline here (the result compares equal: Cached).
            IncrementalValuesProvider<ParseResult<LayerSpec>> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    AttributeParser.AttributeMetadataName,
                    predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                    transform: static (context, cancellationToken) => Parse(context, cancellationToken))
                .WithTrackingName(Steps.Parse);

            // 3. Source hangs off the spec alone: moving an attribute in the file re-reports diagnostics at the new
            //    place but does not re-emit code.
            IncrementalValuesProvider<LayerSpec> layers = parsed
                .Select(static (result, _) => result.Spec!)
                .Where(static spec => spec is not null)
                .WithTrackingName(Steps.Layers);

            // How to emit kernels: checked in DEBUG builds (or with SEPCONVGEN_CHECKED); vector kernels where the
            // compilation has System.Runtime.Intrinsics (.NET 8+), at most as wide as SEPCONVGEN_VECTOR128/256 allow
            // (SEPCONVGEN_SCALAR: none). A small record, so an unrelated edit leaves it Cached.
            // A ReadyToRun publish that names an instruction set precompiles the kernels it covers (PublishSettings).
            IncrementalValueProvider<bool> hasIntrinsics = context.CompilationProvider
                .Select(static (compilation, _) => compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector512`1") is not null);
            IncrementalValueProvider<PublishSettings> publish = context.AnalyzerConfigOptionsProvider
                .Select(static (provider, _) => ReadPublishSettings(provider.GlobalOptions))
                .WithTrackingName(Steps.PublishSettings);
            IncrementalValueProvider<KernelOptions> kernelOptions = context.ParseOptionsProvider
                .Combine(hasIntrinsics)
                .Combine(publish)
                .Select(static (input, _) => ReadKernelOptions(input.Left.Left, input.Left.Right, input.Right.PrecompiledVectorBits))
                .WithTrackingName(Steps.KernelOptions);
            context.RegisterSourceOutput(layers.Combine(kernelOptions), static (context, layer) => EmitLayer(context, layer.Left, layer.Right));

            // The other layer kinds of a model: one attribute each, parsed and printed the same way.
            IncrementalValueProvider<bool> hasLayers = layers.Collect().Select(static (all, _) => !all.IsEmpty);
            foreach ((string metadataName, ShapeLayerKind kind) in ShapeLayerParser.Attributes)
            {
                IncrementalValuesProvider<ParseResult<ShapeLayerSpec>> shapeParsed = context.SyntaxProvider
                    .ForAttributeWithMetadataName(
                        metadataName,
                        predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                        transform: (context, cancellationToken) => ShapeLayerParser.Parse(context, kind, cancellationToken))
                    .WithTrackingName(Steps.Parse + kind);
                IncrementalValuesProvider<ShapeLayerSpec> specs = shapeParsed.Select(static (result, _) => result.Spec!).Where(static spec => spec is not null);
                context.RegisterSourceOutput(specs,
                    static (context, spec) => context.AddSource(spec.HintName, SourceText.From(ShapeLayerEmitter.Emit(spec, Version), System.Text.Encoding.UTF8)));
                RegisterDiagnostics(context, shapeParsed.Select(static (result, _) => result.Diagnostics));
                hasLayers = hasLayers.Combine(specs.Collect()).Select(static (pair, _) => pair.Left || !pair.Right.IsEmpty);
            }

            // A NativeAOT publish without AVX2 runs every layer's kernels on 128-bit vectors: said once per project that has a layer.
            context.RegisterSourceOutput(publish.Combine(hasLayers).Combine(kernelOptions), static (context, input) =>
            {
                ((PublishSettings settings, bool any), KernelOptions options) = input;
                if (any && options.MaxVectorBits > 128 && settings.LosesVectorKernels)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NativeAotWithoutVectors, Location.None,
                        settings.InstructionSet.Length == 0 ? "not set" : $"'{settings.InstructionSet}'"));
                }
            });

            // 4. Diagnostics travel as values too and are reported separately.
            RegisterDiagnostics(context, parsed.Select(static (result, _) => result.Diagnostics), Steps.Diagnostics);
        }

        private static void RegisterDiagnostics(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> lists, string? trackingName = null)
        {
            IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = lists.Where(static list => !list.IsEmpty);
            if (trackingName is not null)
            {
                diagnostics = diagnostics.WithTrackingName(trackingName);
            }

            context.RegisterSourceOutput(diagnostics, static (context, list) =>
            {
                foreach (DiagnosticInfo diagnostic in list)
                {
                    context.ReportDiagnostic(diagnostic.ToDiagnostic());
                }
            });
        }

        // Everything emitted is built from non-negative ints and fixed text, so the output does not depend on
        // the culture the compiler runs under.
        private static ParseResult<LayerSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
            AttributeParser.Parse(context, cancellationToken);

        private static void EmitLayer(SourceProductionContext context, LayerSpec spec, KernelOptions options) =>
            context.AddSource(spec.HintName, SourceText.From(LayerEmitter.Emit(spec, Version, options), System.Text.Encoding.UTF8));

        private static PublishSettings ReadPublishSettings(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions options)
        {
            string Property(string name) => options.TryGetValue("build_property." + name, out string? value) ? value ?? string.Empty : string.Empty;
            return new PublishSettings(
                string.Equals(Property("PublishAot"), "true", System.StringComparison.OrdinalIgnoreCase),
                Property("IlcInstructionSet"),
                Property("RuntimeIdentifier"),
                // `dotnet publish` sets _IsPublishing: PublishReadyToRun alone also holds in the builds that `dotnet run` JIT-compiles.
                string.Equals(Property("PublishReadyToRun"), "true", System.StringComparison.OrdinalIgnoreCase) &&
                string.Equals(Property("_IsPublishing"), "true", System.StringComparison.OrdinalIgnoreCase),
                Property("PublishReadyToRunCrossgen2ExtraArgs"));
        }

        private static KernelOptions ReadKernelOptions(ParseOptions options, bool hasIntrinsics, int precompiledVectorBits)
        {
            var symbols = new System.Collections.Generic.HashSet<string>(options.PreprocessorSymbolNames);

            // The vector kernels use C# 9 (nuint); older language versions get the scalar kernels, which are C# 7.3.
            bool modernCSharp = options is Microsoft.CodeAnalysis.CSharp.CSharpParseOptions { LanguageVersion: >= Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp9 };
            int maxBits = !hasIntrinsics || !modernCSharp || symbols.Contains("SEPCONVGEN_SCALAR") ? 0
                : symbols.Contains("SEPCONVGEN_VECTOR128") ? 128
                : symbols.Contains("SEPCONVGEN_VECTOR256") ? 256
                : 512;
            return new KernelOptions(symbols.Contains("DEBUG") || symbols.Contains("SEPCONVGEN_CHECKED"), maxBits, precompiledVectorBits);
        }
    }
}

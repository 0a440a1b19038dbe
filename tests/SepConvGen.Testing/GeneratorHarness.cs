using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SepConvGen.Generator;

namespace SepConvGen.Testing
{
    /// <summary>Runs the generator on in-memory sources, the way the compiler does in a user's build.</summary>
    public static class GeneratorHarness
    {
        /// <summary>C# 7.3: what a netstandard2.0 project compiles with by default. Generated code must fit it.</summary>
        public static readonly CSharpParseOptions CSharp73 = new CSharpParseOptions(LanguageVersion.CSharp7_3);

        public static readonly CSharpParseOptions Latest = new CSharpParseOptions(LanguageVersion.Latest);

        /// <summary>The generator's checked mode, as a DEBUG build gets it: every kernel access bounds-checked.</summary>
        public static readonly CSharpParseOptions Checked = Latest.WithPreprocessorSymbols("SEPCONVGEN_CHECKED");

        private static readonly MetadataReference[] References = Basic.Reference.Assemblies.Net100.References.All
            .Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(SeparableConvAttribute).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(ITestLayer).Assembly.Location),
            })
            .ToArray();

        public static CSharpCompilation CreateCompilation(IEnumerable<string> sources, CSharpParseOptions? options = null, string name = "TestLayers",
                                                          IEnumerable<MetadataReference>? extraReferences = null) =>
            CSharpCompilation.Create(
                name,
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options ?? Latest, path: $"Source{i}.cs")),
                References.Concat(extraReferences ?? Enumerable.Empty<MetadataReference>()),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                        nullableContextOptions: NullableContextOptions.Disable)
                    // As the SDK does: a reference built against an older runtime version is not worth a warning.
                    .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                    {
                        ["CS1701"] = ReportDiagnostic.Suppress,
                        ["CS1702"] = ReportDiagnostic.Suppress,
                    }));

        public static GeneratorDriver CreateDriver(CSharpParseOptions? options = null) =>
            CSharpGeneratorDriver.Create(
                new[] { new SepConvGenerator().AsSourceGenerator() },
                parseOptions: options ?? Latest,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator; returns the compilation with the generated sources and the driver's result.</summary>
        public static GeneratorOutput Run(IEnumerable<string> sources, CSharpParseOptions? options = null,
                                          IEnumerable<MetadataReference>? extraReferences = null)
        {
            CSharpCompilation compilation = CreateCompilation(sources, options, extraReferences: extraReferences);
            GeneratorDriver driver = CreateDriver(options).RunGeneratorsAndUpdateCompilation(
                compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
            return new GeneratorOutput(output, driver.GetRunResult(), driverDiagnostics);
        }

        /// <summary>Emits a compilation and loads it into a collectible context; throws listing the errors if it does not compile.</summary>
        public static Assembly EmitAndLoad(Compilation compilation)
        {
            using var stream = new MemoryStream();
            var result = compilation.Emit(stream);
            if (!result.Success)
            {
                string errors = string.Join(Environment.NewLine, result.Diagnostics
                    .Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).Select(d => d.ToString()));
                throw new InvalidOperationException("Generated code did not compile:" + Environment.NewLine + errors);
            }

            stream.Position = 0;
            var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
            return context.LoadFromStream(stream);
        }
    }

    /// <summary>What one generator run produced.</summary>
    public sealed record GeneratorOutput(Compilation Compilation, GeneratorDriverRunResult RunResult, ImmutableArray<Diagnostic> DriverDiagnostics)
    {
        /// <summary>Diagnostics the generator reported.</summary>
        public ImmutableArray<Diagnostic> GeneratorDiagnostics => RunResult.Diagnostics;

        /// <summary>Errors and warnings of the final compilation (user code plus generated code).</summary>
        public IEnumerable<Diagnostic> CompilationDiagnostics =>
            Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning);

        public IReadOnlyList<GeneratedSourceResult> GeneratedSources => RunResult.Results.SelectMany(r => r.GeneratedSources).ToArray();
    }
}

using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SepConvGen.Generator.Tests
{
    /// <summary>A generator driver that sees MSBuild properties, as the package's CompilerVisibleProperty items pass them.</summary>
    internal static class BuildProperties
    {
        public static GeneratorDriver Driver(CSharpParseOptions parse, Dictionary<string, string> properties)
        {
            var global = new Options(properties.ToDictionary(p => "build_property." + p.Key, p => p.Value));
            return CSharpGeneratorDriver.Create(new[] { new SepConvGenerator().AsSourceGenerator() }, parseOptions: parse, optionsProvider: new Provider(global));
        }

        private sealed class Provider : AnalyzerConfigOptionsProvider
        {
            private readonly AnalyzerConfigOptions _global;

            public Provider(AnalyzerConfigOptions global) => _global = global;

            public override AnalyzerConfigOptions GlobalOptions => _global;

            public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

            public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;
        }

        private sealed class Options : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(new Dictionary<string, string>());
            private readonly Dictionary<string, string> _values;

            public Options(Dictionary<string, string> values) => _values = values;

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
        }
    }
}

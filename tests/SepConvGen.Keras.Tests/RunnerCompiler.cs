using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>Compiles sources with the generator (and SepConvGen.Keras) and hands back their <c>Runner</c> class.</summary>
    internal static class RunnerCompiler
    {
        /// <summary>The generator must report nothing of warning level or above.</summary>
        public static Type Compile(params string[] sources)
        {
            GeneratorOutput output = GeneratorHarness.Run(sources, GeneratorHarness.Latest,
                new[] { MetadataReference.CreateFromFile(typeof(KerasWeights).Assembly.Location) });
            Assert.Empty(output.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
            return GeneratorHarness.EmitAndLoad(output.Compilation).GetType("Runner", throwOnError: true)!;
        }
    }
}

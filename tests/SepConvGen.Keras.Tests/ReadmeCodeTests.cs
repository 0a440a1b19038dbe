using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SepConvGen.Testing;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// Every C# block of the repository README compiles as written, as the Program.cs of a console app with the
    /// generator and SepConvGen.Keras: a newcomer copies them in order. The whole-model block gets the class
    /// <c>sepconvgen model</c> writes for it (<c>MyApp.Emotion</c>), as its steps say.
    /// </summary>
    public sealed class ReadmeCodeTests
    {
        public static TheoryData<int> Blocks()
        {
            var data = new TheoryData<int>();
            for (int i = 0; i < CodeBlocks().Length; i++)
            {
                data.Add(i);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Blocks))]
        public void The_readme_code_block_compiles_as_written(int index)
        {
            string block = CodeBlocks()[index];
            var sources = new[] { block }.ToList();
            if (block.Contains("using MyApp;", StringComparison.Ordinal))
            {
                var stdout = new StringWriter();
                string model = Path.Combine(ExpectedLayers.Folder, Builders.BuiltFiles.MiniXception);
                Assert.Equal(Cli.Success, Cli.Run(new[] { "model", model, "--namespace", "MyApp", "--class", "Emotion" }, stdout, new StringWriter()));
                sources.Add(stdout.ToString());
            }

            GeneratorOutput output = GeneratorHarness.Run(sources, GeneratorHarness.Latest,
                new[] { MetadataReference.CreateFromFile(typeof(KerasWeights).Assembly.Location) });
            Compilation program = output.Compilation.WithOptions(((CSharpCompilationOptions)output.Compilation.Options).WithOutputKind(OutputKind.ConsoleApplication));
            Diagnostic[] errors = program.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(errors.Length == 0, $"README block {index + 1}:\n{block}\n{string.Join("\n", errors.Select(e => e.ToString()))}");
        }

        private static string[] CodeBlocks() =>
            Regex.Matches(File.ReadAllText(RepositoryPaths.Combine("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal), "```csharp\n(.*?)```", RegexOptions.Singleline)
                .Select(m => m.Groups[1].Value).ToArray();
    }
}

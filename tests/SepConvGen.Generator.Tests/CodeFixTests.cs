using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SepConvGen.CodeFixes;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>The "make partial" code fix turns SCG0001/SCG0002 into a layer that generates and compiles.</summary>
    public sealed class CodeFixTests
    {
        [Theory]
        [InlineData(
            "namespace Samples\n{\n    [SeparableConv(2, 3, 3, 3)]\n    public sealed class Layer { }\n}\n",
            "namespace Samples\n{\n    [SeparableConv(2, 3, 3, 3)]\n    public sealed partial class Layer { }\n}\n")]
        [InlineData(
            "namespace Samples\n{\n    [SeparableConv(2, 3, 3, 3)]\n    class Layer { }\n}\n",
            "namespace Samples\n{\n    [SeparableConv(2, 3, 3, 3)]\n    partial class Layer { }\n}\n")]
        [InlineData(
            "public class Outer\n{\n    internal struct Middle\n    {\n        [SeparableConv(2, 3, 3, 3)]\n        public partial class Layer { }\n    }\n}\n",
            "public partial class Outer\n{\n    internal partial struct Middle\n    {\n        [SeparableConv(2, 3, 3, 3)]\n        public partial class Layer { }\n    }\n}\n")]
        public async Task Code_fix_makes_the_declaration_partial(string before, string after)
        {
            const string usings = "using SepConvGen;\n\n";
            Document document = CreateDocument(usings + before);
            // One SCG0002 per non-partial containing type; fixing one fixes them all.
            Diagnostic diagnostic = (await GeneratorErrors(document)).First(d => d.Id is "SCG0001" or "SCG0002");

            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await new MakePartialCodeFixProvider().RegisterCodeFixesAsync(context);
            CodeAction fix = Assert.Single(actions);
            Assert.Contains("partial", fix.Title, StringComparison.Ordinal);

            ImmutableArray<CodeActionOperation> operations = await fix.GetOperationsAsync(CancellationToken.None);
            Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
            Document fixedDocument = changed.GetDocument(document.Id)!;
            Assert.Equal(usings + after, (await fixedDocument.GetTextAsync()).ToString());

            // Fixed, the layer generates and the project compiles.
            Assert.Empty(await GeneratorErrors(fixedDocument));
            GeneratorOutput output = GeneratorHarness.Run(new[] { (await fixedDocument.GetTextAsync()).ToString() });
            Assert.Single(output.GeneratedSources);
            Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }

        private static Document CreateDocument(string source)
        {
            var workspace = new AdhocWorkspace();
            Project project = workspace.AddProject("Layers", LanguageNames.CSharp)
                .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
                .WithParseOptions(GeneratorHarness.Latest)
                .AddMetadataReferences(GeneratorHarness.CreateCompilation(Array.Empty<string>()).References);
            return project.AddDocument("Layers.cs", SourceText.From(source), filePath: "/src/Layers.cs");
        }

        private static async Task<IReadOnlyList<Diagnostic>> GeneratorErrors(Document document)
        {
            Compilation compilation = (await document.Project.GetCompilationAsync())!;
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            return driver.GetRunResult().Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        }
    }
}

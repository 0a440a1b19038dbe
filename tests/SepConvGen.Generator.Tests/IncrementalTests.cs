using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>The pipeline caches: unrelated edits re-emit nothing, and an edited attribute re-emits only its layer.</summary>
    public sealed class IncrementalTests
    {
        private const string Layers = """
            using SepConvGen;
            namespace Samples
            {
                [SeparableConv(8, 16, 3, 3, Padding.Same)]
                public partial class First { }

                [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false)]
                public partial class Second { }

                // Reports SCG0012 (Info), so the diagnostics step carries a value too.
                [SeparableConv(2, 2, 9, 9, Padding.Same)]
                public partial class Third { }
            }
            """;

        private const string Other = "namespace Samples { public class Unrelated { public int Value => 1; } }";

        private static readonly string[] TrackedSteps =
        {
            SepConvGenerator.Steps.Parse, SepConvGenerator.Steps.Layers, SepConvGenerator.Steps.Diagnostics,
        };

        [Fact]
        public void Unrelated_edit_leaves_every_step_cached()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce(Layers, Other);
            SyntaxTree other = compilation.SyntaxTrees.Last();
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(other,
                other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Other.Replace("=> 1", "=> 2", StringComparison.Ordinal))));

            GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();
            foreach (string step in TrackedSteps)
            {
                Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked");
                foreach (var run in result.TrackedSteps[step])
                {
                    Assert.All(run.Outputs, o => Assert.True(
                        o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
                }
            }

            Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs),
                o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void Editing_one_attribute_re_emits_only_that_layer()
        {
            (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce(Layers, Other);
            SyntaxTree layers = compilation.SyntaxTrees.First();
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(layers,
                layers.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
                    Layers.Replace("[SeparableConv(8, 16, 3, 3, Padding.Same)]", "[SeparableConv(8, 32, 3, 3, Padding.Same)]", StringComparison.Ordinal))));

            GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();
            var reasons = result.TrackedSteps[SepConvGenerator.Steps.Layers]
                .SelectMany(r => r.Outputs)
                .Select(o => (((Model.LayerSpec)o.Value).ClassName, o.Reason))
                .ToArray();
            Assert.Contains(("First", IncrementalStepRunReason.Modified), reasons);
            Assert.Contains(reasons, r => r.ClassName == "Second" && r.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached);
            Assert.Contains("OutChannels = 32", result.GeneratedSources.Single(s => s.HintName.Contains("First", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void Same_source_parses_to_equal_specs()
        {
            Model.LayerSpec[] first = Specs(Layers);
            Model.LayerSpec[] second = Specs(Layers);
            Assert.Equal(first, second);
            Assert.Equal(first.Select(s => s.GetHashCode()), second.Select(s => s.GetHashCode()));
        }

        [Fact]
        public void Model_holds_no_symbols_syntax_or_compilations()
        {
            var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(Location), typeof(SemanticModel) };
            var seen = new HashSet<Type>();
            var pending = new Stack<Type>(new[] { typeof(Model.LayerSpec), typeof(Parsing.ParseResult<Model.LayerSpec>), typeof(Model.ShapeLayerSpec), typeof(Parsing.ParseResult<Model.ShapeLayerSpec>) });
            while (pending.Count > 0)
            {
                Type type = pending.Pop();
                if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string))
                {
                    continue;
                }

                Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
                foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    pending.Push(field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType);
                    foreach (Type argument in field.FieldType.GenericTypeArguments)
                    {
                        pending.Push(argument);
                    }
                }
            }

            Assert.Contains(typeof(Model.AxisPlan), seen);
        }

        private static Model.LayerSpec[] Specs(string source)
        {
            (GeneratorDriver driver, _) = RunOnce(source);
            return driver.GetRunResult().Results.Single().TrackedSteps[SepConvGenerator.Steps.Layers]
                .SelectMany(r => r.Outputs).Select(o => (Model.LayerSpec)o.Value).ToArray();
        }

        private static (GeneratorDriver, CSharpCompilation) RunOnce(params string[] sources)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            return (driver, compilation);
        }
    }
}

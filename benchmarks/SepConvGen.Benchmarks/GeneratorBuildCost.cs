using System;
using System.Globalization;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SepConvGen.Testing;

namespace SepConvGen.Benchmarks
{
    /// <summary>
    /// What the generator costs a build and an IDE: a project with 100 annotated layers (and 50 other files),
    /// generated from scratch, after an edit elsewhere, and after one attribute changes.
    /// </summary>
    [MemoryDiagnoser]
    public class GeneratorBuildCost
    {
        private const int Layers = 100;

        private CSharpCompilation _compilation = null!;
        private CSharpCompilation _unrelatedEdit = null!;
        private CSharpCompilation _attributeEdit = null!;
        private GeneratorDriver _warmDriver = null!;

        [GlobalSetup]
        public void Setup()
        {
            var layers = new StringBuilder("using SepConvGen;\nnamespace Model\n{\n");
            var random = new Random(1);
            for (int i = 0; i < Layers; i++)
            {
                int k = 1 + (i % 7);
                string padding = i % 3 == 0 ? "Padding.Valid" : "Padding.Same";
                string format = i % 2 == 0 ? string.Empty : ", DataFormat = DataFormat.ChannelsFirst";
                string size = i % 4 == 0 ? ", InputHeight = 32, InputWidth = 32" : string.Empty;
                layers.Append(CultureInfo.InvariantCulture,
                    $"    [SeparableConv({8 + random.Next(64)}, {8 + random.Next(64)}, {k}, {(i % 5 == 0 ? 16 : k)}, {padding}, DepthMultiplier = {1 + (i % 2)}{format}{size})]\n" +
                    $"    public partial class Layer{i} {{ }}\n");
            }

            layers.Append("}\n");
            string[] others = Enumerable.Range(0, 50)
                .Select(i => $"namespace Model {{ public class Other{i} {{ public int Value(int x) => x * {i} + 1; }} }}")
                .ToArray();
            _compilation = GeneratorHarness.CreateCompilation(new[] { layers.ToString() }.Concat(others));

            SyntaxTree other = _compilation.SyntaxTrees.Last();
            _unrelatedEdit = _compilation.ReplaceSyntaxTree(other,
                other.WithChangedText(SourceText.From(other.ToString().Replace("+ 1", "+ 2", StringComparison.Ordinal))));
            SyntaxTree layerTree = _compilation.SyntaxTrees.First();
            string edited = layerTree.ToString();
            int at = edited.IndexOf("DepthMultiplier = 1", StringComparison.Ordinal);
            _attributeEdit = _compilation.ReplaceSyntaxTree(layerTree,
                layerTree.WithChangedText(SourceText.From(edited.Remove(at, 19).Insert(at, "DepthMultiplier = 3"))));

            _warmDriver = GeneratorHarness.CreateDriver().RunGenerators(_compilation);
        }

        [Benchmark(Description = "cold: 100 layers from scratch")]
        public GeneratorDriver Cold() => GeneratorHarness.CreateDriver().RunGenerators(_compilation);

        [Benchmark(Description = "warm: edit in an unrelated file")]
        public GeneratorDriver UnrelatedEdit() => _warmDriver.RunGenerators(_unrelatedEdit);

        [Benchmark(Description = "warm: one attribute edited")]
        public GeneratorDriver AttributeEdit() => _warmDriver.RunGenerators(_attributeEdit);
    }
}

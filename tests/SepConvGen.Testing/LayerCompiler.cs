using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;

namespace SepConvGen.Testing
{
    /// <summary>
    /// Declares many layers in one in-memory project, runs the generator, compiles, loads, and hands back
    /// factories of <see cref="ITestLayer"/>. One compilation for many layers keeps the tests fast.
    /// </summary>
    public static class LayerCompiler
    {
        /// <param name="layers">Class names and configurations.</param>
        /// <param name="checkedMode">Generate the bounds-checked kernels of DEBUG builds instead of the fast ones.</param>
        /// <param name="symbols">More preprocessor symbols, such as SEPCONVGEN_VECTOR256 to cap the vector width.</param>
        public static IReadOnlyDictionary<string, Func<ITestLayer>> Compile(IReadOnlyList<(string Name, LayerConfig Config)> layers, bool checkedMode = false,
                                                                           params string[] symbols)
        {
            var source = new StringBuilder();
            source.AppendLine("using SepConvGen;");
            source.AppendLine("namespace Generated");
            source.AppendLine("{");
            foreach ((string name, LayerConfig config) in layers)
            {
                source.AppendLine(Declaration(name, config));
            }

            source.AppendLine("}");

            string[] allSymbols = checkedMode ? symbols.Append("SEPCONVGEN_CHECKED").ToArray() : symbols;
            GeneratorOutput output = GeneratorHarness.Run(new[] { source.ToString() }, GeneratorHarness.Latest.WithPreprocessorSymbols(allSymbols));
            // Info diagnostics (such as SCG0012 for large kernels) are expected; anything stronger is a failure.
            Diagnostic[] problems = output.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            if (problems.Length > 0)
            {
                throw new InvalidOperationException("The generator reported: " + string.Join("; ", problems.Take(10)));
            }

            // Consumers build with warnings as errors: generated code must not warn either.
            Diagnostic[] warnings = output.Compilation.GetDiagnostics()
                .Where(d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true)
                .ToArray();
            if (warnings.Length > 0)
            {
                throw new InvalidOperationException("The generated code has warnings: " + string.Join("; ", warnings.Take(10)));
            }

            Assembly assembly = GeneratorHarness.EmitAndLoad(output.Compilation);
            var factories = new Dictionary<string, Func<ITestLayer>>();
            foreach ((string name, LayerConfig config) in layers)
            {
                Type adapter = assembly.GetType($"Generated.{name}Adapter", throwOnError: true)!;
                factories[name] = () => (ITestLayer)Activator.CreateInstance(adapter, config)!;
            }

            return factories;
        }

        public static ITestLayer CompileOne(LayerConfig config) => Compile(new[] { ("Layer", config) })["Layer"]();

        /// <summary>The attributed class and an adapter that forwards arrays to its span methods.</summary>
        private static string Declaration(string name, LayerConfig c)
        {
            string bias = c.UseBias ? ", bias" : string.Empty;
            string fixedForward = c.IsFixed
                ? "_layer.Forward(input, output, batch);"
                : "throw new System.NotSupportedException(\"not a fixed-size layer\");";
            return $$"""
                    {{c.ToAttribute()}}
                    public partial class {{name}} { }

                    public sealed class {{name}}Adapter : global::SepConvGen.Testing.ITestLayer
                    {
                        private readonly {{name}} _layer = new {{name}}();
                        public {{name}}Adapter(global::SepConvGen.Testing.LayerConfig config) => Config = config;
                        public global::SepConvGen.Testing.LayerConfig Config { get; }
                        public void LoadKerasWeights(float[] depthwise, float[] pointwise, float[] bias) => _layer.LoadKerasWeights(depthwise, pointwise{{bias}});
                        public void LoadPyTorchWeights(float[] depthwise, float[] pointwise, float[] bias) => _layer.LoadPyTorchWeights(depthwise, pointwise{{bias}});
                        public (int Height, int Width) GetOutputSize(int inputHeight, int inputWidth) => {{name}}.GetOutputSize(inputHeight, inputWidth);
                        public void Forward(float[] input, float[] output, int batch, int inputHeight, int inputWidth) => _layer.Forward(input, output, batch, inputHeight, inputWidth);
                        public void ForwardFixed(float[] input, float[] output, int batch) { {{fixedForward}} }
                        public void ForwardParallel(float[] input, float[] output, int batch, int inputHeight, int inputWidth, int threads) => _layer.ForwardParallel(input, output, batch, inputHeight, inputWidth, threads);
                        public void ForwardSlices(System.ArraySegment<float> input, System.ArraySegment<float> output, int batch, int inputHeight, int inputWidth) => _layer.Forward(input, output, batch, inputHeight, inputWidth);
                    }
                """;
        }
    }
}

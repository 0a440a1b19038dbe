using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// AggressiveOptimization keeps JIT-compiled kernels from running as tier-0 code, but it also keeps ReadyToRun from
    /// precompiling them: a ReadyToRun publish that names an instruction set leaves it off the kernels that set covers.
    /// </summary>
    public sealed class ReadyToRunTests
    {
        private const string Layers = "using SepConvGen; " +
            "[SeparableConv(8, 16, 3, 3, Padding.Same, InputHeight = 12, InputWidth = 20)] public partial class Fixed { } " +
            "[SeparableConv(8, 16, 7, 7, Padding.Same, DataFormat = DataFormat.ChannelsFirst)] public partial class RunTimeSized { }";

        public static TheoryData<string, string, string, string, int> Publishes() => new()
        {
            // PublishReadyToRun, _IsPublishing, PublishReadyToRunCrossgen2ExtraArgs, RuntimeIdentifier: widest precompiled vectors.
            { "", "", "", "", 0 },
            { "true", "", "--instruction-set:x86-64-v3", "linux-x64", 0 },
            { "true", "true", "", "linux-x64", 0 },
            { "true", "true", "--instruction-set:x86-64-v2", "linux-x64", 0 },
            { "true", "true", "--instruction-set:x86-64-v3", "arm64", 0 },
            { "true", "true", "--instruction-set:x86-x64-v3", "linux-x64", 256 },
            { "True", "true", "--instruction-set avx2,bmi,fma,lzcnt", "win-x64", 256 },
            { "true", "true", "--instruction-set:x86-64-v4", "linux-x64", 512 },
            { "true", "true", "--embed-pgo-data;--instruction-set:avx512f,avx512bw,avx2,fma", "linux-x64", 512 },
        };

        [Theory]
        [MemberData(nameof(Publishes))]
        public void Kernels_keep_aggressive_optimization_unless_the_publish_precompiles_them(string readyToRun, string publishing, string arguments, string rid, int precompiledBits)
        {
            Dictionary<string, bool> methods = KernelMethods(readyToRun, publishing, arguments, rid);
            Dictionary<string, bool> jit = KernelMethods("", "", "", "");
            Assert.Equal(jit.Keys.OrderBy(k => k), methods.Keys.OrderBy(k => k));
            Assert.Contains(jit.Keys, name => name.EndsWith("_Vec512", System.StringComparison.Ordinal) && jit[name]);
            Assert.Contains(jit.Keys, name => name.EndsWith("ForwardTile", System.StringComparison.Ordinal) && jit[name]);
            foreach ((string name, bool optimized) in methods)
            {
                int bits = name.EndsWith("_Vec512", System.StringComparison.Ordinal) ? 512
                    : name.EndsWith("_Vec256", System.StringComparison.Ordinal) ? 256
                    : name.EndsWith("_Vec128", System.StringComparison.Ordinal) ? 128 : 0;
                bool precompiled = precompiledBits > 0 && bits <= precompiledBits;
                Assert.True(optimized == (jit[name] && !precompiled), $"{name}: AggressiveOptimization {optimized}, precompiled {precompiled}");
            }
        }

        /// <summary>Every method of the generated layers that may carry the attribute: name (with its class) and whether it does.</summary>
        private static Dictionary<string, bool> KernelMethods(string readyToRun, string publishing, string arguments, string rid)
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new[] { Layers });
            GeneratorDriver driver = BuildProperties.Driver(GeneratorHarness.Latest, new Dictionary<string, string>
            {
                ["PublishReadyToRun"] = readyToRun,
                ["_IsPublishing"] = publishing,
                ["PublishReadyToRunCrossgen2ExtraArgs"] = arguments,
                ["RuntimeIdentifier"] = rid,
            });
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
            Assert.Empty(diagnostics);
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var methods = new Dictionary<string, bool>();
            foreach (SyntaxTree tree in driver.GetRunResult().GeneratedTrees)
            {
                string[] lines = tree.GetText().ToString().Split('\n');
                string type = System.IO.Path.GetFileName(tree.FilePath);
                for (int i = 1; i < lines.Length; i++)
                {
                    Match method = Regex.Match(lines[i], @"^\s+private (?:static )?void (\w+)\(");
                    if (method.Success)
                    {
                        methods[type + ":" + method.Groups[1].Value] = lines[i - 1].Contains("MethodImplOptions.AggressiveOptimization");
                    }
                }
            }

            return methods;
        }
    }
}

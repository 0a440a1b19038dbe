using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Package.Tests
{
    /// <summary>
    /// Packs SepConvGen the way the README does, then builds and runs projects that reference nothing but
    /// the package from a folder feed: the attribute compiles, the generator runs, the layer is right.
    /// </summary>
    public sealed class PackageTests : IClassFixture<PackageTests.PackedFeed>
    {
        private readonly PackedFeed _feed;

        public PackageTests(PackedFeed feed) => _feed = feed;

        /// <summary>
        /// One pack per run, in a copy of the sources (so the outer build's folders are never touched), with a
        /// version of its own and a private NuGet cache (a re-packed version would otherwise be served stale).
        /// </summary>
        public sealed class PackedFeed : IDisposable
        {
            public PackedFeed()
            {
                Root = Path.Combine(Path.GetTempPath(), "sepconvgen-package-" + Guid.NewGuid().ToString("N")[..12]);
                string sources = Path.Combine(Root, "repo");
                Feed = Path.Combine(Root, "feed");
                Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
                Environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Root, "packages") };

                string repository = RepositoryPaths.Root;
                CopyDirectory(Path.Combine(repository, "src"), Path.Combine(sources, "src"));
                foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "README.md", "LICENSE" })
                {
                    File.Copy(Path.Combine(repository, file), Path.Combine(sources, file));
                }

                foreach (string project in new[] { "SepConvGen", "SepConvGen.Keras", "SepConvGen.Tool" })
                {
                    DotNet.Run(sources, Environment, "pack", Path.Combine("src", project, project + ".csproj"),
                        "-c", "Release", "-o", Feed, $"-p:Version={Version}");
                }

                Package = Path.Combine(Feed, $"SepConvGen.{Version}.nupkg");
            }

            public string Root { get; }

            public string Feed { get; }

            public string Version { get; }

            public string Package { get; }

            public IReadOnlyDictionary<string, string> Environment { get; }

            public void Dispose()
            {
                try
                {
                    Directory.Delete(Root, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless.
                }
            }

            private static void CopyDirectory(string from, string to)
            {
                foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
                {
                    string relative = Path.GetRelativePath(from, file);
                    if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
                    {
                        continue;
                    }

                    string target = Path.Combine(to, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(file, target);
                }
            }
        }

        [Fact]
        public void Package_holds_generator_and_attribute_library()
        {
            using ZipArchive archive = ZipFile.OpenRead(_feed.Package);
            string[] entries = archive.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("analyzers/dotnet/cs/SepConvGen.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/SepConvGen.CodeFixes.dll", entries);
            Assert.Contains("lib/netstandard2.0/SepConvGen.dll", entries);
            Assert.Contains("lib/net8.0/SepConvGen.dll", entries);
            // The build properties SCG0013 reads, for direct and transitive (SepConvGen.Keras) consumers.
            Assert.Contains("build/SepConvGen.props", entries);
            Assert.Contains("buildTransitive/SepConvGen.props", entries);
            Assert.Contains("build/SepConvGen.targets", entries);
            Assert.Contains("buildTransitive/SepConvGen.targets", entries);
            // The generator is an analyzer only: never a library the consumer references at run time.
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("Generator.dll", StringComparison.Ordinal));
        }

        [Fact]
        public void Keras_reader_and_scaffolding_tool_are_packages_too()
        {
            using (ZipArchive keras = ZipFile.OpenRead(Path.Combine(_feed.Feed, $"SepConvGen.Keras.{_feed.Version}.nupkg")))
            {
                Assert.Contains("lib/net8.0/SepConvGen.Keras.dll", keras.Entries.Select(e => e.FullName));
            }

            using ZipArchive tool = ZipFile.OpenRead(Path.Combine(_feed.Feed, $"SepConvGen.Tool.{_feed.Version}.nupkg"));
            string[] entries = tool.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("tools/net8.0/any/DotnetToolSettings.xml", entries);
            Assert.Contains("tools/net8.0/any/SepConvGen.Tool.dll", entries);
            using var settings = new StreamReader(tool.GetEntry("tools/net8.0/any/DotnetToolSettings.xml")!.Open());
            Assert.Contains("Name=\"sepconvgen\"", settings.ReadToEnd(), StringComparison.Ordinal);
        }

        public static TheoryData<string> Packages() => new() { "SepConvGen", "SepConvGen.Keras", "SepConvGen.Tool" };

        [Theory]
        [MemberData(nameof(Packages))]
        public void Every_package_carries_its_readme_license_icon_symbols_and_the_project_url(string id)
        {
            string url = System.Xml.Linq.XDocument.Load(RepositoryPaths.Combine("Directory.Build.props"))
                .Descendants("PackageProjectUrl").Single().Value;
            Assert.True(File.Exists(Path.Combine(_feed.Feed, $"{id}.{_feed.Version}.snupkg")), $"{id} has no symbol package");
            using ZipArchive archive = ZipFile.OpenRead(Path.Combine(_feed.Feed, $"{id}.{_feed.Version}.nupkg"));
            string[] entries = archive.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("README.md", entries);
            Assert.Contains("LICENSE", entries);
            Assert.Contains("icon.png", entries);
            string nuspec = Read(archive, $"{id}.nuspec");
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
            Assert.Contains($"<projectUrl>{url}</projectUrl>", nuspec, StringComparison.Ordinal);
            Assert.Contains($"<repository type=\"git\" url=\"{url}\"", nuspec, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<icon>icon.png</icon>", nuspec, StringComparison.Ordinal);

            // The package's own readme: its links work outside the repository, under the one project URL.
            string readme = Read(archive, "README.md");
            Assert.StartsWith($"# {id}", readme, StringComparison.Ordinal);
            string[] links = System.Text.RegularExpressions.Regex.Matches(readme, @"\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(links);
            Assert.All(links, link => Assert.StartsWith(url, link, StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("SepConvGen")]
        [InlineData("SepConvGen.Keras")]
        public void The_package_readme_code_builds_as_written_in_an_app_with_only_that_package(string id)
        {
            using ZipArchive archive = ZipFile.OpenRead(Path.Combine(_feed.Feed, $"{id}.{_feed.Version}.nupkg"));
            string[] blocks = System.Text.RegularExpressions.Regex.Matches(Read(archive, "README.md"), "```csharp\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
                .Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(blocks);
            for (int i = 0; i < blocks.Length; i++)
            {
                string app = CreateProject($"Readme{id.Replace(".", string.Empty, StringComparison.Ordinal)}{i}", "net10.0", isExe: true, blocks[i], package: id);
                string output = DotNet.Run(app, _feed.Environment, "build", "-c", "Release");
                Assert.Contains("0 Error(s)", output, StringComparison.Ordinal);
            }
        }

        private static string Read(ZipArchive archive, string entry)
        {
            using var reader = new StreamReader(archive.GetEntry(entry)!.Open());
            return reader.ReadToEnd();
        }

        /// <summary>A program that runs one SeparableConv2D layer (generated kernels) and one Conv2D layer (library kernels) on ramps and prints both outputs.</summary>
        private const string LayerProgram = """
            using System;
            using System.Globalization;
            using SepConvGen;

            [SeparableConv(3, 4, 3, 3, Padding.Same, DepthMultiplier = 2, Activation = Activation.Relu)]
            public partial class Layer { }

            [Conv2D(3, 5, 3, 3, Padding.Same, InputHeight = 5, InputWidth = 6)]
            public partial class Plain { }

            public static class Program
            {
                public static void Main()
                {
                    float[] Ramp(int n, int seed) { var v = new float[n]; for (int i = 0; i < n; i++) v[i] = ((i * 7 + seed) % 17 - 8) / 8f; return v; }
                    var layer = new Layer();
                    layer.LoadKerasWeights(Ramp(Layer.DepthwiseKernelLength, 1), Ramp(Layer.PointwiseKernelLength, 2), Ramp(Layer.OutChannels, 3));
                    var (h, w) = Layer.GetOutputSize(5, 6);
                    var output = new float[Layer.OutChannels * h * w];
                    layer.Forward(Ramp(Layer.InChannels * 5 * 6, 4), output, 1, 5, 6);
                    Console.WriteLine(string.Join(" ", Array.ConvertAll(output, v => v.ToString("R", CultureInfo.InvariantCulture))));

                    var plain = new Plain();
                    plain.LoadKerasWeights(Ramp(3 * 3 * 3 * 5, 5), Ramp(5, 6));
                    var second = new float[5 * 5 * 6];
                    plain.Forward(Ramp(3 * 5 * 6, 4), second);
                    Console.WriteLine(string.Join(" ", Array.ConvertAll(second, v => v.ToString("R", CultureInfo.InvariantCulture))));
                }
            }
            """;

        [Fact]
        public void Console_app_referencing_only_the_package_runs_a_correct_layer()
        {
            string app = CreateProject("App", "net10.0", isExe: true, LayerProgram);
            PrintsTheReferenceOutputs(DotNet.Run(app, _feed.Environment, "run", "-c", "Release"));
        }

        [Fact]
        public void A_NativeAOT_app_with_the_documented_instruction_set_runs_correct_layers()
        {
            string app = CreateProject("AotApp", "net10.0", isExe: true, LayerProgram, properties: "<PublishAot>true</PublishAot><IlcInstructionSet>native</IlcInstructionSet>");
            string published = Path.Combine(_feed.Root, "AotApp", "published");
            string output = DotNet.Run(app, _feed.Environment, "publish", "-c", "Release", "-r", "linux-x64", "-o", published);
            Assert.DoesNotContain("SCG0013", output, StringComparison.Ordinal);
            Assert.DoesNotContain("warning IL", output, StringComparison.Ordinal);
            PrintsTheReferenceOutputs(DotNet.RunProgram(Path.Combine(published, "AotApp")));
        }

        [Fact]
        public void A_ReadyToRun_app_with_an_instruction_set_runs_precompiled_layer_kernels()
        {
            // The instruction set of the machines shipped to; here, this one's.
            string set = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "x86-64-v4" : "x86-64-v3";
            // With a strided channels-first layer too, whose stride-2 column split once passed Vector128 halves between
            // calls, which kept crossgen2 from compiling the kernel.
            string program = LayerProgram
                .Replace("public static class Program", "[SeparableConv(4, 8, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, DepthMultiplier = 2, " +
                         "DataFormat = DataFormat.ChannelsFirst)]\npublic partial class Strided { }\n\npublic static class Program", StringComparison.Ordinal)
                .Replace("var layer = new Layer();", "var strided = new Strided();\n" +
                         "strided.LoadKerasWeights(Ramp(Strided.DepthwiseKernelLength, 1), Ramp(Strided.PointwiseKernelLength, 2), Ramp(Strided.OutChannels, 3));\n" +
                         "strided.Forward(Ramp(4 * 20 * 33, 4), new float[8 * 10 * 17], 1, 20, 33);\nvar layer = new Layer();", StringComparison.Ordinal);
            Assert.Contains("strided.Forward", program, StringComparison.Ordinal);
            string app = CreateProject("R2rApp", "net10.0", isExe: true, program,
                properties: $"<PublishReadyToRun>true</PublishReadyToRun><PublishReadyToRunCrossgen2ExtraArgs>--instruction-set:{set}</PublishReadyToRunCrossgen2ExtraArgs>");
            string published = Path.Combine(_feed.Root, "R2rApp", "published");
            DotNet.Run(app, _feed.Environment, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", published);
            string log = Path.Combine(published, "jit.txt");
            PrintsTheReferenceOutputs(DotNet.RunProgram(Path.Combine(published, "R2rApp"),
                new Dictionary<string, string> { ["DOTNET_JitDisasmSummary"] = "1", ["DOTNET_JitStdOutFile"] = log }));

            // The JIT compiled none of the SeparableConv2D layers' vector kernels: they ran precompiled from the first call.
            string[] compiled = File.ReadAllLines(log);
            Assert.Contains(compiled, line => line.Contains("JIT compiled", StringComparison.Ordinal));
            Assert.DoesNotContain(compiled, line => (line.Contains(" Layer:", StringComparison.Ordinal) || line.Contains(" Strided:", StringComparison.Ordinal)) &&
                                                    line.Contains("_Vec", StringComparison.Ordinal));
        }

        /// <summary>The two lines <see cref="LayerProgram"/> prints, against the naive float64 references.</summary>
        private static void PrintsTheReferenceOutputs(string printed)
        {
            float[][] lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2)
                .Select(l => l.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();

            var config = new LayerConfig(3, 4, 3, 3, Same: true, DepthMultiplier: 2, Activation: Activation.Relu);
            (double[] expected, double[] magnitude) = NaiveSeparableConv.Run(config, Ramp(3 * 5 * 6, 4), 1, 5, 6,
                Ramp(config.DepthwiseKernelLength, 1), Ramp(config.PointwiseKernelLength, 2), Ramp(4, 3));
            TensorAssert.Matches(config, 1, 5, 6, lines[0], expected, magnitude, exact: true, "packaged layer");

            // Conv2D 3 -> 5, 3x3 SAME, NHWC, written out from Keras' definition.
            float[] x = Ramp(3 * 5 * 6, 4), kernel = Ramp(3 * 3 * 3 * 5, 5), bias = Ramp(5, 6);
            Assert.Equal(5 * 5 * 6, lines[1].Length);
            for (int oy = 0; oy < 5; oy++)
            {
                for (int ox = 0; ox < 6; ox++)
                {
                    for (int f = 0; f < 5; f++)
                    {
                        double sum = bias[f];
                        for (int ky = 0; ky < 3; ky++)
                        {
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = oy + ky - 1, ix = ox + kx - 1;
                                for (int c = 0; c < 3 && iy >= 0 && iy < 5 && ix >= 0 && ix < 6; c++)
                                {
                                    sum += (double)x[(iy * 6 + ix) * 3 + c] * kernel[((ky * 3 + kx) * 3 + c) * 5 + f];
                                }
                            }
                        }

                        float actual = lines[1][(oy * 6 + ox) * 5 + f];
                        Assert.True(Math.Abs(actual - sum) <= 1e-5 * (1 + Math.Abs(sum)), $"Conv2D ({oy}, {ox}, {f}): {actual} instead of {sum}");
                    }
                }
            }
        }

        [Fact]
        public void An_app_referencing_only_the_keras_package_gets_the_generator_and_loads_a_real_layer()
        {
            string model = Path.Combine(AppContext.BaseDirectory, "Models", "arl-eegmodels_EEGNet-8-2-weights.h5");
            string app = CreateProject("KerasApp", "net10.0", isExe: true, $$"""
                using System;
                using SepConvGen;
                using SepConvGen.Keras;

                [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)]
                public partial class EegSeparable { }

                public static class Program
                {
                    public static void Main()
                    {
                        using KerasWeights file = KerasWeights.Open(@"{{model}}");
                        SeparableConvWeights w = file.ReadWeights("separable_conv2d", new LayerShape(16, 16, 1, 16, 1, UseBias: false));
                        var layer = new EegSeparable();
                        layer.LoadKerasWeights(w.DepthwiseKernel, w.PointwiseKernel);
                        var output = new float[16 * 1 * 8];
                        layer.Forward(new float[16 * 1 * 8], output, 1, 1, 8);
                        Console.WriteLine($"{file.Format} {output.Length}");
                    }
                }
                """, package: "SepConvGen.Keras");
            string printed = DotNet.Run(app, _feed.Environment, "run", "-c", "Release");
            Assert.Contains("Hdf5Model 128", printed, StringComparison.Ordinal);

            // SepConvGen's build properties (for SCG0013) reach this project through SepConvGen.Keras too.
            string items = DotNet.Run(app, _feed.Environment, "msbuild", "-getItem:CompilerVisibleProperty");
            Assert.Contains("IlcInstructionSet", items, StringComparison.Ordinal);
        }

        [Fact]
        public void A_compiler_older_than_the_generator_needs_is_named_in_warning_SCG0015()
        {
            string app = CreateProject("CompilerCheck", "net10.0", isExe: false, "namespace Consumers { public static class Nothing { } }", package: "SepConvGen.Keras");
            Assert.DoesNotContain("SCG0015", DotNet.Run(app, _feed.Environment, "build", "-c", "Release"), StringComparison.Ordinal);

            // As if this SDK's compiler were older than the generator needs: the check the package adds (through
            // SepConvGen.Keras, transitively) names the version it found.
            string output = DotNet.Run(app, _feed.Environment, "build", "-c", "Release", "--no-incremental", "-p:SepConvGenMinimumCompilerVersion=99.0");
            Assert.Contains("warning SCG0015: SepConvGen needs C# compiler 99.0 or newer", output, StringComparison.Ordinal);
        }

        [Fact]
        public void Netstandard20_library_compiles_the_generated_code()
        {
            string library = CreateProject("Library", "netstandard2.0", isExe: false, """
                using SepConvGen;

                namespace Consumers
                {
                    [SeparableConv(16, 16, 1, 16, Padding.Same, UseBias = false, DataFormat = DataFormat.ChannelsFirst)]
                    public partial class EegSeparable { }

                    [SeparableConv(8, 8, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 9, InputWidth = 9)]
                    public partial class Strided { }
                }
                """);
            string output = DotNet.Run(library, _feed.Environment, "build", "-c", "Release");
            Assert.Contains("0 Error(s)", output, StringComparison.Ordinal);
        }

        private static float[] Ramp(int n, int seed) =>
            Enumerable.Range(0, n).Select(i => (((i * 7) + seed) % 17 - 8) / 8f).ToArray();

        private string CreateProject(string name, string framework, bool isExe, string code, string package = "SepConvGen", string properties = "")
        {
            string folder = Path.Combine(_feed.Root, name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{_feed.Feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(folder, $"{name}.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>{framework}</TargetFramework>
                    {(isExe ? "<OutputType>Exe</OutputType>" : string.Empty)}
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    {properties}
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="{package}" Version="{_feed.Version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(folder, "Code.cs"), code);
            return folder;
        }
    }
}

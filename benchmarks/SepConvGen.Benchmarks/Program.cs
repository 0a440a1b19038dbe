using System.Linq;
using BenchmarkDotNet.Running;

// compare: ONNX Runtime vs the generated layers, interleaved (docs/benchmarks.md):
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- compare [--threads 2] [--seconds 1] [--shapes S0,S2]
// Anything else goes to BenchmarkDotNet:
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- --filter '*' [--inProcess] [--job short]
if (args.FirstOrDefault() == "compare")
{
    SepConvGen.Benchmarks.Compare.Run(args.Skip(1).ToArray());
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(SepConvGen.Benchmarks.GeneratorBuildCost).Assembly).Run(args);
}

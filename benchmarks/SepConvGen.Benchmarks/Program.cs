using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// compare: ONNX Runtime vs the generated layers, interleaved (docs/benchmarks.md):
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- compare [--threads 2] [--seconds 1] [--shapes S0,S2]
// models: whole Keras models (benchmarks/SepConvGen.Benchmarks/Models, written by 'sepconvgen model') against ONNX Runtime:
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- models [--seconds 2]
// model-layers: each generated layer of those models on its own: time, share and GFLOP/s per layer:
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- model-layers [--seconds 1]
// startup: the first call, calls 2-50 and the first 100 calls against steady, each from a fresh process, with the
// start-up program published as JIT, ReadyToRun and NativeAOT builds:
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- startup [--shapes S1,S2] [--builds jit,r2r,aot] [--repeats 3]
// quick: the BenchmarkDotNet layer benchmarks with a short in-process job (under 3 minutes):
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- quick
// Anything else goes to BenchmarkDotNet:
//   dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- --filter '*' [--inProcess] [--job short]
if (args.FirstOrDefault() == "models")
{
    SepConvGen.Benchmarks.CompareModels.Run(args.Skip(1).ToArray());
}
else if (args.FirstOrDefault() == "model-layers")
{
    SepConvGen.Benchmarks.ModelLayers.Run(args.Skip(1).ToArray());
}
else if (args.FirstOrDefault() == "compare")
{
    SepConvGen.Benchmarks.Compare.Run(args.Skip(1).ToArray());
}
else if (args.FirstOrDefault() == "startup")
{
    SepConvGen.Benchmarks.Startup.Run(args.Skip(1).ToArray());
}
else if (args.FirstOrDefault() == "startup-child")
{
    SepConvGen.Benchmarks.Startup.RunChild(args.Skip(1).ToArray());
}
else if (args.FirstOrDefault() == "quick")
{
    // Short but steady: warm-up iterations let tiered compilation finish before the 5 measured ones.
    Job job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(4).WithIterationCount(5).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(80)).WithId("quick");
    IConfig config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
    BenchmarkRunner.Run<SepConvGen.Benchmarks.LayerBenchmarks>(config, args.Skip(1).ToArray());
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(SepConvGen.Benchmarks.GeneratorBuildCost).Assembly).Run(args);
}

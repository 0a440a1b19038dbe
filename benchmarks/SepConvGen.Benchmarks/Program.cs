using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/SepConvGen.Benchmarks -- --filter '*' [--inProcess] [--job short]
BenchmarkSwitcher.FromAssembly(typeof(SepConvGen.Benchmarks.GeneratorBuildCost).Assembly).Run(args);

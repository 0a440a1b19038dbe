using System;
using System.IO;
using System.Linq;
using System.Reflection;
using SepConvGen.Keras.Tests.Builders;
using SepConvGen.Testing;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// <c>sepconvgen model</c> on the four real models: the file it writes compiles with the generator, and its Predict
    /// gives keras-models-whole.json's output, from the file (FromKerasFile) and from embedded weights (Create).
    /// </summary>
    public sealed class GeneratedModelTests : IClassFixture<BuiltFiles>
    {
        private readonly BuiltFiles _files;

        public GeneratedModelTests(BuiltFiles files) => _files = files;

        private const string Runner = """
            public static class Runner
            {
                public static float[] FromFile(string path, float[] input, int batch)
                {
                    var output = new float[batch * Demo.Model.OutputLength];
                    Demo.Model.FromKerasFile(path).Predict(input, output, batch);
                    return output;
                }

                public static long AllocatedAfterFirstCall(string path, float[] input)
                {
                    var model = Demo.Model.FromKerasFile(path);
                    var output = new float[Demo.Model.OutputLength];
                    model.Predict(input, output);
                    long before = System.GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 20; i++)
                    {
                        model.Predict(input, output);
                    }

                    return System.GC.GetAllocatedBytesForCurrentThread() - before;
                }

                public static float[][] OnThreads(string path, float[] input, int threads)
                {
                    var model = Demo.Model.FromKerasFile(path);
                    var results = new float[threads][];
                    var workers = new System.Threading.Thread[threads];
                    for (int t = 0; t < threads; t++)
                    {
                        int index = t;
                        workers[t] = new System.Threading.Thread(() =>
                        {
                            var output = new float[Demo.Model.OutputLength];
                            for (int i = 0; i < 30; i++)
                            {
                                model.Predict(input, output);
                            }

                            results[index] = output;
                        });
                        workers[t].Start();
                    }

                    foreach (var worker in workers)
                    {
                        worker.Join();
                    }

                    return results;
                }
            }
            """;

        private const string EmbeddedRunner = """
            public static class Runner
            {
                public static float[] FromFile(string path, float[] input, int batch)
                {
                    var output = new float[batch * Demo.Model.OutputLength];
                    Demo.Model.Create().Predict(input, output, batch);
                    return output;
                }
            }
            """;

        public static TheoryData<string, bool> Models()
        {
            var data = new TheoryData<string, bool>();
            foreach (WholeModel model in WholeModels.All)
            {
                data.Add(model.File, false);
            }

            data.Add(BuiltFiles.EegNet, true);
            return data;
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void The_written_model_predicts_the_expected_output(string fileName, bool embedWeights) =>
            PredictsTheExpected(Path.Combine(ExpectedLayers.Folder, fileName), WholeModels.Get(fileName), embedWeights);

        [Fact]
        public void Keras_3_archives_give_the_same_predictions()
        {
            // Functional, config names 5 apart from the weight keys; Sequential; tf-keras 2.14 with backslashes.
            PredictsTheExpected(_files.RenamedArchive, WholeModels.Get(BuiltFiles.MiniXception), embedWeights: false);
            PredictsTheExpected(_files.SequentialArchive, WholeModels.Get(BuiltFiles.EegNet), embedWeights: false);
            PredictsTheExpected(_files.EegNetTfKerasArchive, WholeModels.Get(BuiltFiles.EegNet), embedWeights: true);
        }

        [Fact]
        public void Predict_allocates_nothing_after_the_first_call_and_is_safe_on_many_threads()
        {
            string path = Path.Combine(ExpectedLayers.Folder, BuiltFiles.EegNet);
            WholeModel expected = WholeModels.Get(BuiltFiles.EegNet);
            float[] input = expected.Input.Select(v => (float)v).ToArray();
            Type runner = Compile(path, embedWeights: false).DeclaringType!;
            Assert.Equal(0L, (long)runner.GetMethod("AllocatedAfterFirstCall")!.Invoke(null, new object[] { path, input })!);
            var results = (float[][])runner.GetMethod("OnThreads")!.Invoke(null, new object[] { path, input, 8 })!;
            float[] single = (float[])runner.GetMethod("FromFile")!.Invoke(null, new object[] { path, input, 1 })!;
            Assert.All(results, r => Assert.Equal(single, r));
        }

        [Fact]
        public void Files_it_cannot_write_end_in_their_exit_code_and_write_nothing()
        {
            string unsupported = _files.Built("model-unsupported.keras");
            KerasFileBuilder.FromHdf5(BuiltFiles.Source(BuiltFiles.EegNet)).Replace("activation", l => l with { ClassName = "PReLU" }).WriteKeras3Archive(unsupported);
            (int code, string output, string errors) = Run("model", unsupported);
            Assert.Equal(Cli.UnsupportedLayers, code);
            Assert.Empty(output);
            Assert.Contains("activation (PReLU): this layer class is not supported", errors, StringComparison.Ordinal);

            Assert.Equal(Cli.FileError, Run("model", _files.Keras3Weights).Code);
            Assert.Equal(Cli.UsageError, Run("model", _files.SequentialArchive, "--class", "Not a name").Code);
        }

        private static (int Code, string Output, string Errors) Run(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Cli.Run(args, stdout, stderr);
            return (code, stdout.ToString(), stderr.ToString());
        }

        private static void PredictsTheExpected(string path, WholeModel expected, bool embedWeights)
        {
            string fileName = Path.GetFileName(path);
            MethodInfo run = Compile(path, embedWeights);
            float[] input = expected.Input.Select(v => (float)v).ToArray();

            // Two items in one call: each must match on its own.
            float[] output = (float[])run.Invoke(null, new object[] { path, input.Concat(input).ToArray(), 2 })!;
            Assert.Equal(2 * expected.Output.Length, output.Length);
            for (int i = 0; i < output.Length; i++)
            {
                double want = expected.Output[i % expected.Output.Length];
                Assert.True(Math.Abs(output[i] - want) <= 1e-4 * Math.Abs(want) + 1e-6, $"{fileName}: output {i} is {output[i]}, Keras {want}");
            }
        }

        [Theory]
        [InlineData("samples/SepConvGen.Sample/EmotionModel.cs", "face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5", "SepConvGen.Sample", "EmotionModel")]
        [InlineData("benchmarks/SepConvGen.Benchmarks/Models/EegNet.cs", "JohnBoxAnn_Bi-Input-EEGConv_A01T_EEGNet_1.h5", "SepConvGen.Benchmarks.Models", "EegNet")]
        public void Checked_in_models_are_what_the_tool_writes_today(string checkedIn, string fileName, string ns, string className)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(Cli.Success, Cli.Run(new[] { "model", Path.Combine(ExpectedLayers.Folder, fileName), "--namespace", ns, "--class", className }, stdout, stderr));
            Assert.True(stdout.ToString() == File.ReadAllText(RepositoryPaths.Combine(checkedIn.Split('/'))),
                $"{checkedIn} is not what 'sepconvgen model {fileName} --namespace {ns} --class {className}' writes today: run it again.");
        }

        /// <summary>Writes the model with the tool, compiles it with the generator, returns Runner.FromFile.</summary>
        private static MethodInfo Compile(string path, bool embedWeights)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            string[] args = { "model", path, "--namespace", "Demo", "--class", "Model" };
            int code = Cli.Run(embedWeights ? args.Append("--embed-weights").ToArray() : args, stdout, stderr);
            Assert.True(code == Cli.Success, stderr.ToString());
            return RunnerCompiler.Compile(stdout.ToString(), embedWeights ? EmbeddedRunner : Runner).GetMethod("FromFile")!;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json.Nodes;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests.Builders
{
    /// <summary>
    /// Keras models the tests make up: Keras 2 layer entries with random weights, written as Keras 3 Sequential
    /// archives, then written by <c>sepconvgen model</c> and compiled together with the generator into one assembly
    /// whose <c>Runner.Run(model, path, input, outputLength)</c> predicts with the model numbered <c>model</c>.
    /// </summary>
    internal static class SyntheticModels
    {
        public static SourceLayer Layer(string name, string className, JsonObject config, IReadOnlyList<Weight>? weights = null)
        {
            config["name"] = name;
            config["trainable"] = true;
            return new SourceLayer(name, className, new JsonObject { ["class_name"] = className, ["config"] = config }, weights ?? Array.Empty<Weight>());
        }

        /// <summary>The InputLayer of an image (without the batch), in the model's layout.</summary>
        public static SourceLayer Input(params int[] shape) =>
            Layer("input_1", "InputLayer", new JsonObject
            {
                ["batch_input_shape"] = new JsonArray(new JsonNode?[] { null }.Concat(shape.Select(d => (JsonNode?)d)).ToArray()),
                ["dtype"] = "float32",
            });

        public static SourceLayer Normalization(Random random, string name, int axis, int channels) =>
            Layer(name, "BatchNormalization", new JsonObject { ["axis"] = axis, ["epsilon"] = 0.001, ["center"] = true, ["scale"] = true, ["momentum"] = 0.99 },
                new[] { Values(random, channels, 0.5, 1.5), Values(random, channels, -1, 1), Values(random, channels, -1, 1), Values(random, channels, 0.2, 2) }
                    .Select(v => new Weight(v, new[] { (ulong)channels })).ToArray());

        /// <summary>A kernel of the given Keras shape and, where <paramref name="biasLength"/> is positive, a bias.</summary>
        public static Weight[] Weights(Random random, int[] kernelShape, int biasLength)
        {
            var weights = new List<Weight> { new(Values(random, kernelShape.Aggregate(1, (a, d) => a * d), -1, 1), kernelShape.Select(d => (ulong)d).ToArray()) };
            if (biasLength > 0)
            {
                weights.Add(new Weight(Values(random, biasLength, -1, 1), new[] { (ulong)biasLength }));
            }

            return weights.ToArray();
        }

        public static float[] Values(Random random, int count, double low, double high) =>
            Enumerable.Range(0, count).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();

        public static JsonArray Pair(int first, int second) => new(first, second);

        /// <summary>
        /// Writes each model as an archive in <paramref name="folder"/> (<c>model{i}.keras</c>) and as C# (class
        /// <c>Demo.Model{i}</c>), compiles them all, and returns the archives' paths, the written code and <c>Runner.Run</c>.
        /// </summary>
        public static (string[] Paths, string[] Code, MethodInfo Run) WriteAndCompile(string folder, IReadOnlyList<IReadOnlyList<SourceLayer>> models, string context)
        {
            var paths = new string[models.Count];
            var code = new string[models.Count];
            for (int i = 0; i < models.Count; i++)
            {
                paths[i] = Path.Combine(folder, $"model{i}.keras");
                KerasFileBuilder.Sequential(models[i]).WriteKeras3Archive(paths[i], sequential: true);
                var stdout = new StringWriter();
                var stderr = new StringWriter();
                int exit = Cli.Run(new[] { "model", paths[i], "--namespace", "Demo", "--class", $"Model{i}" }, stdout, stderr);
                Assert.True(exit == Cli.Success, $"{context} model {i}: exit {exit} {stderr}");
                code[i] = stdout.ToString();
            }

            string cases = string.Concat(Enumerable.Range(0, models.Count).Select(i => $"case {i}: Demo.Model{i}.FromKerasFile(path).Predict(input, output); break;\n"));
            string runner = $$"""
                public static class Runner
                {
                    public static float[] Run(int model, string path, float[] input, int outputLength)
                    {
                        var output = new float[outputLength];
                        switch (model)
                        {
                            {{cases}}
                        }

                        return output;
                    }
                }
                """;
            return (paths, code, RunnerCompiler.Compile(code.Append(runner).ToArray()).GetMethod("Run")!);
        }
    }
}

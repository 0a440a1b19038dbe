using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using SepConvGen.Testing;
using Xunit;

namespace SepConvGen.Ort
{
    /// <summary>
    /// The four real models translated to ONNX and run by ONNX Runtime give keras-models-whole.json's outputs: the
    /// translation the whole-model benchmarks measure against computes the same model.
    /// </summary>
    public sealed class OrtWholeModelTests
    {
        public static TheoryData<string> Models()
        {
            var data = new TheoryData<string>();
            foreach (JsonElement model in Cases())
            {
                data.Add(model.GetProperty("file").GetString()!);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void Onnx_runtime_runs_the_translated_model_to_the_keras_output(string fileName)
        {
            JsonElement expected = Cases().Single(c => c.GetProperty("file").GetString() == fileName);
            float[] input = expected.GetProperty("input").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            double[] want = expected.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var output = new float[want.Length];
            using (var model = new OrtKerasModel(Path.Combine(Folder, fileName), input, output))
            {
                model.Run();
            }

            for (int i = 0; i < want.Length; i++)
            {
                Assert.True(Math.Abs(output[i] - want[i]) <= 1e-4 * Math.Abs(want[i]) + 1e-6, $"{fileName}: output {i} is {output[i]}, Keras {want[i]}");
            }
        }

        private static string Folder => RepositoryPaths.Combine("tests", "SepConvGen.Keras.Tests", "Models");

        private static JsonElement[] Cases()
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "keras-models-whole.json")));
            return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
        }
    }
}

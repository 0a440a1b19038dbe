using System;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace SepConvGen.Ort
{
    /// <summary>
    /// An ONNX graph built in code, run by ONNX Runtime with all graph optimizations on one input "x" and one output
    /// "y", bound once to the caller's arrays, so a run allocates nothing and copies nothing.
    /// </summary>
    public abstract class OrtGraphSession : IDisposable
    {
        private readonly RunOptions _runOptions = new();
        private readonly string[] _inputNames = { "x" };
        private readonly string[] _outputNames = { "y" };
        private InferenceSession? _session;
        private OrtValue? _input;
        private OrtValue? _output;

        /// <summary>Runs on the input array given at construction, into the output array given at construction.</summary>
        public void Run() => _session!.Run(_runOptions, _inputNames, new[] { _input! }, _outputNames, new[] { _output! });

        public void Dispose()
        {
            _input?.Dispose();
            _output?.Dispose();
            _runOptions.Dispose();
            _session?.Dispose();
        }

        /// <summary>Opset 13, <paramref name="threads"/> intra-op threads.</summary>
        protected void Start(GraphProto graph, float[] input, long[] inputShape, float[] output, long[] outputShape, int threads)
        {
            var model = new ModelProto { IrVersion = 8, ProducerName = "SepConvGen", Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
            var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            };
            _session = new InferenceSession(model.ToByteArray(), options);
            _input = OrtValue.CreateTensorValueFromMemory(input, inputShape);
            _output = OrtValue.CreateTensorValueFromMemory(output, outputShape);
        }
    }
}

namespace SepConvGen.Testing
{
    /// <summary>
    /// A generated layer seen through arrays, so tests can drive layers compiled at test time (spans cannot
    /// pass through reflection). <see cref="LayerCompiler"/> writes one adapter per generated class.
    /// </summary>
    public interface ITestLayer
    {
        LayerConfig Config { get; }

        void LoadKerasWeights(float[] depthwiseKernel, float[] pointwiseKernel, float[]? bias);

        void LoadPyTorchWeights(float[] depthwiseWeight, float[] pointwiseWeight, float[]? bias);

        (int Height, int Width) GetOutputSize(int inputHeight, int inputWidth);

        /// <summary>The five-argument Forward (any size for run-time layers).</summary>
        void Forward(float[] input, float[] output, int batch, int inputHeight, int inputWidth);

        /// <summary>The fixed-size Forward; only for layers with a fixed input size.</summary>
        void ForwardFixed(float[] input, float[] output, int batch);

        /// <summary>The opt-in multi-threaded Forward.</summary>
        void ForwardParallel(float[] input, float[] output, int batch, int inputHeight, int inputWidth, int threads);

        /// <summary>The five-argument Forward on spans that are slices of larger buffers.</summary>
        void ForwardSlices(System.ArraySegment<float> input, System.ArraySegment<float> output, int batch, int inputHeight, int inputWidth);
    }
}

using System.Collections.Generic;

namespace SepConvGen.Keras
{
    /// <summary>
    /// A SeparableConv2D layer's weights in the Keras layout, ready for <c>LoadKerasWeights</c>: depthwise kernel
    /// (kh, kw, in, dm), pointwise kernel (1, 1, in * dm, filters) and the bias (filters), or null without one.
    /// </summary>
    public sealed record SeparableConvWeights(
        float[] DepthwiseKernel,
        IReadOnlyList<int> DepthwiseShape,
        float[] PointwiseKernel,
        IReadOnlyList<int> PointwiseShape,
        float[]? Bias);

    /// <summary>
    /// The shape a generated layer class expects, to check a file's weights against it
    /// (pass the class's constants: <c>new LayerShape(Layer.InChannels, Layer.OutChannels, ...)</c>).
    /// </summary>
    public readonly record struct LayerShape(int InChannels, int OutChannels, int KernelHeight, int KernelWidth, int DepthMultiplier, bool UseBias);
}

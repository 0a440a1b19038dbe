using System;
using System.Collections.Generic;
using Onnx;
using SepConvGen.Testing;
using static SepConvGen.Ort.OnnxProto;

namespace SepConvGen.Ort
{
    /// <summary>
    /// The same SeparableConv2D run by ONNX Runtime: an independent implementation to test against and the
    /// competition to measure against. The model is built in code: a grouped Conv (group = in_channels)
    /// with the TensorFlow pads given explicitly (ORT refuses auto_pad SAME_UPPER with dilation), a 1x1 Conv
    /// with the bias, then Relu or Clip(0, 6). Input and output are NCHW, bound once to OrtValues over the
    /// caller's arrays, so a run allocates nothing and copies nothing.
    /// </summary>
    public sealed class OrtSeparableConv : OrtGraphSession
    {
        public OrtSeparableConv(LayerConfig c, int batch, int height, int width, float[] depthwiseKeras, float[] pointwiseKeras,
                                float[]? bias, float[] input, float[] output, int threads = 1)
        {
            (int outH, int outW) = NaiveSeparableConv.OutputSize(c, height, width);
            (int top, int left) = NaiveSeparableConv.PadBefore(c, height, width);
            int bottom = c.Same ? Math.Max(((outH - 1) * c.StrideHeight) + c.EffectiveKernelHeight - height, 0) - top : 0;
            int right = c.Same ? Math.Max(((outW - 1) * c.StrideWidth) + c.EffectiveKernelWidth - width, 0) - left : 0;

            var graph = new GraphProto { Name = "separable_conv2d" };
            graph.Input.Add(TensorInfo("x", batch, c.InChannels, height, width));
            graph.Output.Add(TensorInfo("y", batch, c.OutChannels, outH, outW));
            graph.Initializer.Add(Tensor("depthwise", WeightLayouts.DepthwiseToPyTorch(c, depthwiseKeras), c.DepthwiseChannels, 1, c.KernelHeight, c.KernelWidth));
            graph.Initializer.Add(Tensor("pointwise", WeightLayouts.PointwiseToPyTorch(c, pointwiseKeras), c.OutChannels, c.DepthwiseChannels, 1, 1));

            var depthwise = Node("Conv", new[] { "x", "depthwise" }, "intermediate");
            depthwise.Attribute.Add(Ints("kernel_shape", c.KernelHeight, c.KernelWidth));
            depthwise.Attribute.Add(Ints("strides", c.StrideHeight, c.StrideWidth));
            depthwise.Attribute.Add(Ints("dilations", c.DilationHeight, c.DilationWidth));
            depthwise.Attribute.Add(Ints("pads", top, left, bottom, right));
            depthwise.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = c.InChannels });
            graph.Node.Add(depthwise);

            var pointwiseInputs = new List<string> { "intermediate", "pointwise" };
            if (bias is not null)
            {
                graph.Initializer.Add(Tensor("bias", bias, c.OutChannels));
                pointwiseInputs.Add("bias");
            }

            string pointwiseOutput = c.Activation == Activation.Linear ? "y" : "linear";
            var pointwise = Node("Conv", pointwiseInputs.ToArray(), pointwiseOutput);
            pointwise.Attribute.Add(Ints("kernel_shape", 1, 1));
            graph.Node.Add(pointwise);
            if (c.Activation == Activation.Relu)
            {
                graph.Node.Add(Node("Relu", new[] { "linear" }, "y"));
            }
            else if (c.Activation == Activation.Relu6)
            {
                graph.Initializer.Add(Tensor("zero", new[] { 0f }));
                graph.Initializer.Add(Tensor("six", new[] { 6f }));
                graph.Node.Add(Node("Clip", new[] { "linear", "zero", "six" }, "y"));
            }
            else if (c.Activation == Activation.Swish)
            {
                graph.Node.Add(Node("Sigmoid", new[] { "linear" }, "gate"));
                graph.Node.Add(Node("Mul", new[] { "linear", "gate" }, "y"));
            }
            else if (c.Activation != Activation.Linear)
            {
                // Elu (alpha 1, ONNX's default), Sigmoid, Tanh: the same names in ONNX.
                graph.Node.Add(Node(c.Activation.ToString(), new[] { "linear" }, "y"));
            }

            Start(graph, input, new long[] { batch, c.InChannels, height, width }, output, new long[] { batch, c.OutChannels, outH, outW }, threads);
        }

    }
}

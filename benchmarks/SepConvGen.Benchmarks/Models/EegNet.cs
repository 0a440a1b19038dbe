// Written by 'sepconvgen model' from JohnBoxAnn_Bi-Input-EEGConv_A01T_EEGNet_1.h5. Do not edit: run the command again instead.
// The nested classes' attributes restate the Keras layers (BatchNormalization folded into the layer before it,
// its activation fused into it); SepConvGen generates each of them at build time.
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using SepConvGen;
using SepConvGen.Kernels;
using SepConvGen.Keras;

namespace SepConvGen.Benchmarks.Models
{
    /// <summary>The Keras model of JohnBoxAnn_Bi-Input-EEGConv_A01T_EEGNet_1.h5, compiled for its shapes: input (22, 1000, 1), output (4).</summary>
    public sealed partial class EegNet
    {
        /// <summary>The input's shape without the batch, in the model's layout.</summary>
        public static readonly IReadOnlyList<int> InputShape = new[] { 22, 1000, 1 };

        /// <summary>Input axis 0 (without the batch).</summary>
        public const int InputAxis0 = 22;

        /// <summary>Input axis 1 (without the batch).</summary>
        public const int InputAxis1 = 1000;

        /// <summary>Input axis 2 (without the batch).</summary>
        public const int InputAxis2 = 1;

        /// <summary>Values of one input item.</summary>
        public const int InputLength = 22000;

        /// <summary>Values of one output item: the classes.</summary>
        public const int OutputLength = 4;

        /// <summary>Keras layer 'depthwise_conv2d' (DepthwiseConv2D), with 'batch_normalization_1' folded in, run first: its column filter on the input of 'conv2d' (both are linear, so they commute).</summary>
        [Conv2D(1, 18, 22, 1, Padding.Valid, UseBias = false, InputHeight = 22, InputWidth = 1000)]
        private sealed partial class DepthwiseConv2dColumnsLayer { }

        private readonly DepthwiseConv2dColumnsLayer _depthwiseConv2dColumnsLayer = new DepthwiseConv2dColumnsLayer();

        /// <summary>Keras layer 'conv2d' (Conv2D), with 'batch_normalization' folded in, run second: its row filter on each channel of 'depthwise_conv2d', with both biases.</summary>
        [DepthwiseConv2D(18, 1, 64, Padding.Same, Activation = Activation.Elu, InputHeight = 1, InputWidth = 1000)]
        private sealed partial class Conv2dRowsLayer { }

        private readonly Conv2dRowsLayer _conv2dRowsLayer = new Conv2dRowsLayer();

        /// <summary>Keras layer 'average_pooling2d' (AveragePooling2D).</summary>
        [AveragePooling2D(18, 1, 4, Padding.Valid, InputHeight = 1, InputWidth = 1000)]
        private sealed partial class AveragePooling2dLayer { }

        private readonly AveragePooling2dLayer _averagePooling2dLayer = new AveragePooling2dLayer();

        /// <summary>Keras layer 'separable_conv2d' (SeparableConv2D), with 'batch_normalization_2' folded in.</summary>
        [SeparableConv(18, 32, 1, 16, Padding.Same, Activation = Activation.Elu, InputHeight = 1, InputWidth = 250)]
        private sealed partial class SeparableConv2dLayer { }

        private readonly SeparableConv2dLayer _separableConv2dLayer = new SeparableConv2dLayer();

        /// <summary>Keras layer 'average_pooling2d_1' (AveragePooling2D).</summary>
        [AveragePooling2D(32, 1, 8, Padding.Valid, InputHeight = 1, InputWidth = 250)]
        private sealed partial class AveragePooling2d1Layer { }

        private readonly AveragePooling2d1Layer _averagePooling2d1Layer = new AveragePooling2d1Layer();

        /// <summary>Keras layer 'dense' (Dense).</summary>
        [Dense(992, 4)]
        private sealed partial class DenseLayer { }

        private readonly DenseLayer _denseLayer = new DenseLayer();

        // Each thread that calls Predict gets its own buffers, made on its first call.
        private readonly System.Threading.ThreadLocal<Workspace> _workspace = new System.Threading.ThreadLocal<Workspace>(() => new Workspace());

        private EegNet()
        {
        }

        /// <summary>Creates the model with its weights read from the Keras file it was written from (or one of the same architecture).</summary>
        /// <exception cref="FileNotFoundException">There is no such file.</exception>
        /// <exception cref="InvalidDataException">The file is damaged, or its layers or weights do not match this model.</exception>
        public static EegNet FromKerasFile(string path)
        {
            using KerasWeights file = KerasWeights.Open(path);
            var model = new EegNet();
            try
            {
                model.Load(file.ReadLayerWeights);
            }
            catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
            {
                throw new InvalidDataException($"'{path}' does not hold the weights of this model (EegNet): {e.Message}", e);
            }

            return model;
        }

        /// <summary>Loads every layer's weights, as Keras orders them, by layer name.</summary>
        private void Load(Func<string, IReadOnlyList<float[]>> weights)
        {
            // conv2d, then depthwise_conv2d, commuted: the depthwise column filter runs first (the same function, fewer multiply-adds)
            {
                IReadOnlyList<float[]> rowWeights = Read(weights, "conv2d", 1);
                float[] rowBias = new float[9];
                IReadOnlyList<float[]> rowNormalization = Read(weights, "batch_normalization", 4);
                BatchNormalization.Fold(rowWeights[0], rowBias, rowNormalization[0], rowNormalization[1], rowNormalization[2], rowNormalization[3], 0.001);
                IReadOnlyList<float[]> columnWeights = Read(weights, "depthwise_conv2d", 1);
                float[] columnBias = new float[18];
                IReadOnlyList<float[]> columnNormalization = Read(weights, "batch_normalization_1", 4);
                BatchNormalization.Fold(columnWeights[0], columnBias, columnNormalization[0], columnNormalization[1], columnNormalization[2], columnNormalization[3], 0.001);
                _depthwiseConv2dColumnsLayer.LoadKerasWeights(columnWeights[0]);
                _conv2dRowsLayer.LoadKerasWeights(CommutedConvolutions.RowKernel(rowWeights[0], 9, 2), CommutedConvolutions.Bias(rowBias, columnWeights[0], columnBias));
            }
            // separable_conv2d + batch_normalization_2
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d", 2);
                float[] bias = new float[32];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_2", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2dLayer.LoadKerasWeights(w[0], w[1], bias);
            }
            // dense
            {
                IReadOnlyList<float[]> w = Read(weights, "dense", 2);
                _denseLayer.LoadKerasWeights(w[0], w[1]);
            }
        }

        /// <summary>A layer's weight arrays, checked to be as many as the model expects.</summary>
        private static IReadOnlyList<float[]> Read(Func<string, IReadOnlyList<float[]>> weights, string layer, int count)
        {
            IReadOnlyList<float[]> arrays = weights(layer);
            return arrays.Count == count ? arrays : throw new InvalidDataException($"Layer '{layer}' has {arrays.Count} weight arrays; this model expects {count}.");
        }

        /// <summary>
        /// Runs the model on <paramref name="batch"/> inputs (batch, 22, 1000, 1), row-major in the model's layout; writes (batch, 4).
        /// Allocates nothing after a thread's first call; safe to call from many threads at once.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
        /// <exception cref="ArgumentException">A span does not hold exactly batch items.</exception>
        public void Predict(ReadOnlySpan<float> input, Span<float> output, int batch = 1)
        {
            LayerChecks.RequirePositive(batch, nameof(batch));
            LayerChecks.RequireLength(input.Length, LayerChecks.TensorLength(batch, InputLength, 1, 1, nameof(input)), nameof(input), "(batch, 22, 1000, 1)");
            LayerChecks.RequireLength(output.Length, LayerChecks.TensorLength(batch, OutputLength, 1, 1, nameof(output)), nameof(output), "(batch, classes)");
            Workspace b = _workspace.Value!;
            // Each array is used from its first 64-byte line on: whole vector loads of a pixel's channels then stay in one cache line.
            int o0 = Alignment.FirstLine(b.B0), o1 = Alignment.FirstLine(b.B1);
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> x = input.Slice(n * InputLength, InputLength);
                _depthwiseConv2dColumnsLayer.Forward(x, b.B0.AsSpan(o0, 18000)); // depthwise_conv2d
                _conv2dRowsLayer.Forward(b.B0.AsSpan(o0, 18000), b.B1.AsSpan(o1, 18000)); // conv2d
                _averagePooling2dLayer.Forward(b.B1.AsSpan(o1, 18000), b.B0.AsSpan(o0, 4500)); // average_pooling2d
                _separableConv2dLayer.Forward(b.B0.AsSpan(o0, 4500), b.B1.AsSpan(o1, 8000)); // separable_conv2d
                _averagePooling2d1Layer.Forward(b.B1.AsSpan(o1, 8000), b.B0.AsSpan(o0, 992)); // average_pooling2d_1
                _denseLayer.Forward(b.B0.AsSpan(o0, 992), b.B1.AsSpan(o1, 4), 1); // dense
                Elementwise.Softmax(b.B1.AsSpan(o1, 4), 4); // softmax
                b.B1.AsSpan(o1, 4).CopyTo(output.Slice(n * OutputLength, OutputLength));
            }
        }

        /// <summary>One thread's buffers: the values between steps; values whose lives do not overlap share an array.</summary>
        private sealed class Workspace
        {
            public readonly float[] B0 = new float[18000 + Alignment.Slack];
            public readonly float[] B1 = new float[18000 + Alignment.Slack];
        }
    }
}

// Written by 'sepconvgen model' from face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5. Do not edit: run the command again instead.
// The nested classes' attributes restate the Keras layers (BatchNormalization folded into the layer before it,
// its activation fused into it); SepConvGen generates each of them at build time.
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using SepConvGen;
using SepConvGen.Kernels;
using SepConvGen.Keras;

namespace SepConvGen.Sample
{
    /// <summary>The Keras model of face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5, compiled for its shapes: input (64, 64, 1), output (7).</summary>
    public sealed partial class EmotionModel
    {
        /// <summary>The input's shape without the batch, in the model's layout.</summary>
        public static readonly IReadOnlyList<int> InputShape = new[] { 64, 64, 1 };

        /// <summary>Input axis 0 (without the batch).</summary>
        public const int InputAxis0 = 64;

        /// <summary>Input axis 1 (without the batch).</summary>
        public const int InputAxis1 = 64;

        /// <summary>Input axis 2 (without the batch).</summary>
        public const int InputAxis2 = 1;

        /// <summary>Values of one input item.</summary>
        public const int InputLength = 4096;

        /// <summary>Values of one output item: the classes.</summary>
        public const int OutputLength = 7;

        /// <summary>Keras layer 'conv2d_1' (Conv2D), with 'batch_normalization_1' folded in.</summary>
        [Conv2D(1, 8, 3, 3, Padding.Valid, Activation = Activation.Relu, InputHeight = 64, InputWidth = 64)]
        private sealed partial class Conv2d1Layer { }

        private readonly Conv2d1Layer _conv2d1Layer = new Conv2d1Layer();

        /// <summary>Keras layer 'conv2d_2' (Conv2D), with 'batch_normalization_2' folded in.</summary>
        [Conv2D(8, 8, 3, 3, Padding.Valid, Activation = Activation.Relu, InputHeight = 62, InputWidth = 62)]
        private sealed partial class Conv2d2Layer { }

        private readonly Conv2d2Layer _conv2d2Layer = new Conv2d2Layer();

        /// <summary>Keras layer 'separable_conv2d_1' (SeparableConv2D), with 'batch_normalization_4' folded in.</summary>
        [SeparableConv(8, 16, 3, 3, Padding.Same, Activation = Activation.Relu, InputHeight = 60, InputWidth = 60)]
        private sealed partial class SeparableConv2d1Layer { }

        private readonly SeparableConv2d1Layer _separableConv2d1Layer = new SeparableConv2d1Layer();

        /// <summary>Keras layer 'separable_conv2d_2' (SeparableConv2D), with 'batch_normalization_5' folded in.</summary>
        [SeparableConv(16, 16, 3, 3, Padding.Same, InputHeight = 60, InputWidth = 60)]
        private sealed partial class SeparableConv2d2Layer { }

        private readonly SeparableConv2d2Layer _separableConv2d2Layer = new SeparableConv2d2Layer();

        /// <summary>Keras layer 'conv2d_3' (Conv2D), with 'batch_normalization_3' folded in.</summary>
        [Conv2D(8, 16, 1, 1, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 60, InputWidth = 60)]
        private sealed partial class Conv2d3Layer { }

        private readonly Conv2d3Layer _conv2d3Layer = new Conv2d3Layer();

        /// <summary>Keras layer 'max_pooling2d_1' (MaxPooling2D).</summary>
        [MaxPooling2D(16, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 60, InputWidth = 60)]
        private sealed partial class MaxPooling2d1Layer { }

        private readonly MaxPooling2d1Layer _maxPooling2d1Layer = new MaxPooling2d1Layer();

        /// <summary>Keras layer 'separable_conv2d_3' (SeparableConv2D), with 'batch_normalization_7' folded in.</summary>
        [SeparableConv(16, 32, 3, 3, Padding.Same, Activation = Activation.Relu, InputHeight = 30, InputWidth = 30)]
        private sealed partial class SeparableConv2d3Layer { }

        private readonly SeparableConv2d3Layer _separableConv2d3Layer = new SeparableConv2d3Layer();

        /// <summary>Keras layer 'separable_conv2d_4' (SeparableConv2D), with 'batch_normalization_8' folded in.</summary>
        [SeparableConv(32, 32, 3, 3, Padding.Same, InputHeight = 30, InputWidth = 30)]
        private sealed partial class SeparableConv2d4Layer { }

        private readonly SeparableConv2d4Layer _separableConv2d4Layer = new SeparableConv2d4Layer();

        /// <summary>Keras layer 'conv2d_4' (Conv2D), with 'batch_normalization_6' folded in.</summary>
        [Conv2D(16, 32, 1, 1, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 30, InputWidth = 30)]
        private sealed partial class Conv2d4Layer { }

        private readonly Conv2d4Layer _conv2d4Layer = new Conv2d4Layer();

        /// <summary>Keras layer 'max_pooling2d_2' (MaxPooling2D).</summary>
        [MaxPooling2D(32, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 30, InputWidth = 30)]
        private sealed partial class MaxPooling2d2Layer { }

        private readonly MaxPooling2d2Layer _maxPooling2d2Layer = new MaxPooling2d2Layer();

        /// <summary>Keras layer 'separable_conv2d_5' (SeparableConv2D), with 'batch_normalization_10' folded in.</summary>
        [SeparableConv(32, 64, 3, 3, Padding.Same, Activation = Activation.Relu, InputHeight = 15, InputWidth = 15)]
        private sealed partial class SeparableConv2d5Layer { }

        private readonly SeparableConv2d5Layer _separableConv2d5Layer = new SeparableConv2d5Layer();

        /// <summary>Keras layer 'separable_conv2d_6' (SeparableConv2D), with 'batch_normalization_11' folded in.</summary>
        [SeparableConv(64, 64, 3, 3, Padding.Same, InputHeight = 15, InputWidth = 15)]
        private sealed partial class SeparableConv2d6Layer { }

        private readonly SeparableConv2d6Layer _separableConv2d6Layer = new SeparableConv2d6Layer();

        /// <summary>Keras layer 'conv2d_5' (Conv2D), with 'batch_normalization_9' folded in.</summary>
        [Conv2D(32, 64, 1, 1, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 15, InputWidth = 15)]
        private sealed partial class Conv2d5Layer { }

        private readonly Conv2d5Layer _conv2d5Layer = new Conv2d5Layer();

        /// <summary>Keras layer 'max_pooling2d_3' (MaxPooling2D).</summary>
        [MaxPooling2D(64, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 15, InputWidth = 15)]
        private sealed partial class MaxPooling2d3Layer { }

        private readonly MaxPooling2d3Layer _maxPooling2d3Layer = new MaxPooling2d3Layer();

        /// <summary>Keras layer 'separable_conv2d_7' (SeparableConv2D), with 'batch_normalization_13' folded in.</summary>
        [SeparableConv(64, 128, 3, 3, Padding.Same, Activation = Activation.Relu, InputHeight = 8, InputWidth = 8)]
        private sealed partial class SeparableConv2d7Layer { }

        private readonly SeparableConv2d7Layer _separableConv2d7Layer = new SeparableConv2d7Layer();

        /// <summary>Keras layer 'separable_conv2d_8' (SeparableConv2D), with 'batch_normalization_14' folded in.</summary>
        [SeparableConv(128, 128, 3, 3, Padding.Same, InputHeight = 8, InputWidth = 8)]
        private sealed partial class SeparableConv2d8Layer { }

        private readonly SeparableConv2d8Layer _separableConv2d8Layer = new SeparableConv2d8Layer();

        /// <summary>Keras layer 'conv2d_6' (Conv2D), with 'batch_normalization_12' folded in.</summary>
        [Conv2D(64, 128, 1, 1, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 8, InputWidth = 8)]
        private sealed partial class Conv2d6Layer { }

        private readonly Conv2d6Layer _conv2d6Layer = new Conv2d6Layer();

        /// <summary>Keras layer 'max_pooling2d_4' (MaxPooling2D).</summary>
        [MaxPooling2D(128, 3, 3, Padding.Same, StrideHeight = 2, StrideWidth = 2, InputHeight = 8, InputWidth = 8)]
        private sealed partial class MaxPooling2d4Layer { }

        private readonly MaxPooling2d4Layer _maxPooling2d4Layer = new MaxPooling2d4Layer();

        /// <summary>Keras layer 'conv2d_7' (Conv2D).</summary>
        [Conv2D(128, 7, 3, 3, Padding.Same, InputHeight = 4, InputWidth = 4)]
        private sealed partial class Conv2d7Layer { }

        private readonly Conv2d7Layer _conv2d7Layer = new Conv2d7Layer();

        /// <summary>Keras layer 'global_average_pooling2d_1' (GlobalAveragePooling2D).</summary>
        [GlobalAveragePooling2D(7, InputHeight = 4, InputWidth = 4)]
        private sealed partial class GlobalAveragePooling2d1Layer { }

        private readonly GlobalAveragePooling2d1Layer _globalAveragePooling2d1Layer = new GlobalAveragePooling2d1Layer();

        // Each thread that calls Predict gets its own buffers, made on its first call.
        private readonly System.Threading.ThreadLocal<Workspace> _workspace = new System.Threading.ThreadLocal<Workspace>(() => new Workspace());

        private EmotionModel()
        {
        }

        /// <summary>Creates the model with its weights read from the Keras file it was written from (or one of the same architecture).</summary>
        /// <exception cref="FileNotFoundException">There is no such file.</exception>
        /// <exception cref="InvalidDataException">The file is damaged, or its layers or weights do not match this model.</exception>
        public static EmotionModel FromKerasFile(string path)
        {
            using KerasWeights file = KerasWeights.Open(path);
            var model = new EmotionModel();
            try
            {
                model.Load(file.ReadLayerWeights);
            }
            catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
            {
                throw new InvalidDataException($"'{path}' does not hold the weights of this model (EmotionModel): {e.Message}", e);
            }

            return model;
        }

        /// <summary>Loads every layer's weights, as Keras orders them, by layer name.</summary>
        private void Load(Func<string, IReadOnlyList<float[]>> weights)
        {
            // conv2d_1 + batch_normalization_1
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_1", 1);
                float[] bias = new float[8];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_1", 4);
                BatchNormalization.Fold(w[0], bias, n[0], n[1], n[2], n[3], 0.001);
                _conv2d1Layer.LoadKerasWeights(w[0], bias);
            }
            // conv2d_2 + batch_normalization_2
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_2", 1);
                float[] bias = new float[8];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_2", 4);
                BatchNormalization.Fold(w[0], bias, n[0], n[1], n[2], n[3], 0.001);
                _conv2d2Layer.LoadKerasWeights(w[0], bias);
            }
            // separable_conv2d_1 + batch_normalization_4
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_1", 2);
                float[] bias = new float[16];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_4", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d1Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // separable_conv2d_2 + batch_normalization_5
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_2", 2);
                float[] bias = new float[16];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_5", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d2Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // conv2d_3 + batch_normalization_3
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_3", 1);
                float[] bias = new float[16];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_3", 4);
                BatchNormalization.Fold(w[0], bias, n[0], n[1], n[2], n[3], 0.001);
                _conv2d3Layer.LoadKerasWeights(w[0], bias);
            }
            // separable_conv2d_3 + batch_normalization_7
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_3", 2);
                float[] bias = new float[32];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_7", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d3Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // separable_conv2d_4 + batch_normalization_8
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_4", 2);
                float[] bias = new float[32];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_8", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d4Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // conv2d_4 + batch_normalization_6
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_4", 1);
                float[] bias = new float[32];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_6", 4);
                BatchNormalization.Fold(w[0], bias, n[0], n[1], n[2], n[3], 0.001);
                _conv2d4Layer.LoadKerasWeights(w[0], bias);
            }
            // separable_conv2d_5 + batch_normalization_10
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_5", 2);
                float[] bias = new float[64];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_10", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d5Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // separable_conv2d_6 + batch_normalization_11
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_6", 2);
                float[] bias = new float[64];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_11", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d6Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // conv2d_5 + batch_normalization_9
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_5", 1);
                float[] bias = new float[64];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_9", 4);
                BatchNormalization.Fold(w[0], bias, n[0], n[1], n[2], n[3], 0.001);
                _conv2d5Layer.LoadKerasWeights(w[0], bias);
            }
            // separable_conv2d_7 + batch_normalization_13
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_7", 2);
                float[] bias = new float[128];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_13", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d7Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // separable_conv2d_8 + batch_normalization_14
            {
                IReadOnlyList<float[]> w = Read(weights, "separable_conv2d_8", 2);
                float[] bias = new float[128];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_14", 4);
                BatchNormalization.Fold(w[1], bias, n[0], n[1], n[2], n[3], 0.001);
                _separableConv2d8Layer.LoadKerasWeights(w[0], w[1], bias);
            }
            // conv2d_6 + batch_normalization_12
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_6", 1);
                float[] bias = new float[128];
                IReadOnlyList<float[]> n = Read(weights, "batch_normalization_12", 4);
                BatchNormalization.Fold(w[0], bias, n[0], n[1], n[2], n[3], 0.001);
                _conv2d6Layer.LoadKerasWeights(w[0], bias);
            }
            // conv2d_7
            {
                IReadOnlyList<float[]> w = Read(weights, "conv2d_7", 2);
                _conv2d7Layer.LoadKerasWeights(w[0], w[1]);
            }
        }

        /// <summary>A layer's weight arrays, checked to be as many as the model expects.</summary>
        private static IReadOnlyList<float[]> Read(Func<string, IReadOnlyList<float[]>> weights, string layer, int count)
        {
            IReadOnlyList<float[]> arrays = weights(layer);
            return arrays.Count == count ? arrays : throw new InvalidDataException($"Layer '{layer}' has {arrays.Count} weight arrays; this model expects {count}.");
        }

        /// <summary>
        /// Runs the model on <paramref name="batch"/> inputs (batch, 64, 64, 1), row-major in the model's layout; writes (batch, 7).
        /// Allocates nothing after a thread's first call; safe to call from many threads at once.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
        /// <exception cref="ArgumentException">A span does not hold exactly batch items.</exception>
        public void Predict(ReadOnlySpan<float> input, Span<float> output, int batch = 1)
        {
            LayerChecks.RequirePositive(batch, nameof(batch));
            LayerChecks.RequireLength(input.Length, LayerChecks.TensorLength(batch, InputLength, 1, 1, nameof(input)), nameof(input), "(batch, 64, 64, 1)");
            LayerChecks.RequireLength(output.Length, LayerChecks.TensorLength(batch, OutputLength, 1, 1, nameof(output)), nameof(output), "(batch, classes)");
            Workspace b = _workspace.Value!;
            // Each array is used from its first 64-byte line on: whole vector loads of a pixel's channels then stay in one cache line.
            int o0 = Alignment.FirstLine(b.B0), o1 = Alignment.FirstLine(b.B1), o2 = Alignment.FirstLine(b.B2);
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> x = input.Slice(n * InputLength, InputLength);
                _conv2d1Layer.Forward(x, b.B0.AsSpan(o0, 30752)); // conv2d_1
                _conv2d2Layer.Forward(b.B0.AsSpan(o0, 30752), b.B1.AsSpan(o1, 28800)); // conv2d_2
                _separableConv2d1Layer.Forward(b.B1.AsSpan(o1, 28800), b.B0.AsSpan(o0, 57600)); // separable_conv2d_1
                _separableConv2d2Layer.Forward(b.B0.AsSpan(o0, 57600), b.B2.AsSpan(o2, 57600)); // separable_conv2d_2
                _conv2d3Layer.Forward(b.B1.AsSpan(o1, 28800), b.B0.AsSpan(o0, 14400)); // conv2d_3
                _maxPooling2d1Layer.Forward(b.B2.AsSpan(o2, 57600), b.B1.AsSpan(o1, 14400)); // max_pooling2d_1
                Elementwise.Add(b.B1.AsSpan(o1, 14400), b.B0.AsSpan(o0, 14400), b.B2.AsSpan(o2, 14400));
                _separableConv2d3Layer.Forward(b.B2.AsSpan(o2, 14400), b.B1.AsSpan(o1, 28800)); // separable_conv2d_3
                _separableConv2d4Layer.Forward(b.B1.AsSpan(o1, 28800), b.B0.AsSpan(o0, 28800)); // separable_conv2d_4
                _conv2d4Layer.Forward(b.B2.AsSpan(o2, 14400), b.B1.AsSpan(o1, 7200)); // conv2d_4
                _maxPooling2d2Layer.Forward(b.B0.AsSpan(o0, 28800), b.B2.AsSpan(o2, 7200)); // max_pooling2d_2
                Elementwise.Add(b.B2.AsSpan(o2, 7200), b.B1.AsSpan(o1, 7200), b.B0.AsSpan(o0, 7200));
                _separableConv2d5Layer.Forward(b.B0.AsSpan(o0, 7200), b.B1.AsSpan(o1, 14400)); // separable_conv2d_5
                _separableConv2d6Layer.Forward(b.B1.AsSpan(o1, 14400), b.B2.AsSpan(o2, 14400)); // separable_conv2d_6
                _conv2d5Layer.Forward(b.B0.AsSpan(o0, 7200), b.B1.AsSpan(o1, 4096)); // conv2d_5
                _maxPooling2d3Layer.Forward(b.B2.AsSpan(o2, 14400), b.B0.AsSpan(o0, 4096)); // max_pooling2d_3
                Elementwise.Add(b.B0.AsSpan(o0, 4096), b.B1.AsSpan(o1, 4096), b.B2.AsSpan(o2, 4096));
                _separableConv2d7Layer.Forward(b.B2.AsSpan(o2, 4096), b.B1.AsSpan(o1, 8192)); // separable_conv2d_7
                _separableConv2d8Layer.Forward(b.B1.AsSpan(o1, 8192), b.B0.AsSpan(o0, 8192)); // separable_conv2d_8
                _conv2d6Layer.Forward(b.B2.AsSpan(o2, 4096), b.B1.AsSpan(o1, 2048)); // conv2d_6
                _maxPooling2d4Layer.Forward(b.B0.AsSpan(o0, 8192), b.B2.AsSpan(o2, 2048)); // max_pooling2d_4
                Elementwise.Add(b.B2.AsSpan(o2, 2048), b.B1.AsSpan(o1, 2048), b.B0.AsSpan(o0, 2048));
                _conv2d7Layer.Forward(b.B0.AsSpan(o0, 2048), b.B1.AsSpan(o1, 112)); // conv2d_7
                _globalAveragePooling2d1Layer.Forward(b.B1.AsSpan(o1, 112), b.B2.AsSpan(o2, 7)); // global_average_pooling2d_1
                Elementwise.Softmax(b.B2.AsSpan(o2, 7), 7); // predictions
                b.B2.AsSpan(o2, 7).CopyTo(output.Slice(n * OutputLength, OutputLength));
            }
        }

        /// <summary>One thread's buffers: the values between steps; values whose lives do not overlap share an array.</summary>
        private sealed class Workspace
        {
            public readonly float[] B0 = new float[57600 + Alignment.Slack];
            public readonly float[] B1 = new float[28800 + Alignment.Slack];
            public readonly float[] B2 = new float[57600 + Alignment.Slack];
        }
    }
}

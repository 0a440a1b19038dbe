using System.Collections.Generic;

namespace SepConvGen.Keras.Model
{
    /// <summary>An activation with its parameters: Keras' <c>activation=</c> strings and the ReLU, ELU and LeakyReLU layers.</summary>
    /// <param name="Kind">linear, relu, relu6, elu, sigmoid, tanh, softmax, swish (silu), leaky_relu.</param>
    /// <param name="Alpha">ELU's alpha, or the slope below the threshold (ReLU's negative_slope, LeakyReLU's alpha).</param>
    /// <param name="MaxValue">ReLU's max_value (relu6: 6), or null for none.</param>
    /// <param name="Threshold">ReLU's threshold (0 by default).</param>
    internal sealed record ActivationFunction(string Kind, double Alpha = 0, double? MaxValue = null, double Threshold = 0)
    {
        public static readonly ActivationFunction Linear = new("linear");

        /// <summary>The activations Keras names by string that are supported, by that string.</summary>
        public static readonly IReadOnlyDictionary<string, ActivationFunction> Named = new Dictionary<string, ActivationFunction>
        {
            ["linear"] = Linear,
            ["relu"] = new("relu"),
            ["relu6"] = new("relu", MaxValue: 6),
            ["elu"] = new("elu", Alpha: 1),
            ["sigmoid"] = new("sigmoid"),
            ["tanh"] = new("tanh"),
            ["softmax"] = new("softmax"),
            ["swish"] = new("swish"),
            ["silu"] = new("swish"),
        };

        public bool IsLinear => Kind == "linear";
    }

    /// <summary>What a layer computes at inference, with Keras' arguments; data formats are per layer.</summary>
    internal abstract record Operation;

    /// <summary>The model's input; <paramref name="Shape"/> without the batch.</summary>
    internal sealed record InputOperation(IReadOnlyList<int> Shape) : Operation;

    /// <summary>
    /// Conv2D, DepthwiseConv2D or SeparableConv2D (<c>Kind</c>): the same window arithmetic, TensorFlow SAME padding.
    /// <c>Filters</c> is 0 for DepthwiseConv2D, whose outputs are the input channels times the multiplier.
    /// </summary>
    internal sealed record ConvolutionOperation(
        string Kind, int Filters, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth,
        bool Same, bool ChannelsFirst, int DepthMultiplier, bool UseBias, ActivationFunction Activation) : Operation;

    /// <summary>
    /// BatchNormalization at inference: (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta along
    /// <c>Axis</c>, counted without the batch (Keras' axis minus 1, negative axes resolved against the input's rank).
    /// </summary>
    internal sealed record BatchNormalizationOperation(int Axis, double Epsilon, bool Center, bool Scale) : Operation;

    internal sealed record ActivationOperation(ActivationFunction Activation) : Operation;

    /// <summary>Dense on the last axis.</summary>
    internal sealed record DenseOperation(int Units, bool UseBias, ActivationFunction Activation) : Operation;

    /// <summary>MaxPooling2D or AveragePooling2D; SAME averages only the real pixels, as TensorFlow does.</summary>
    internal sealed record PoolingOperation(bool Max, int PoolHeight, int PoolWidth, int StrideHeight, int StrideWidth, bool Same, bool ChannelsFirst) : Operation;

    /// <summary>GlobalAveragePooling2D or GlobalMaxPooling2D.</summary>
    internal sealed record GlobalPoolingOperation(bool Max, bool ChannelsFirst, bool KeepDims) : Operation;

    /// <summary>Flatten; a channels_first one flattens in channels-last order, as Keras does.</summary>
    internal sealed record FlattenOperation(bool ChannelsFirst) : Operation;

    internal sealed record AddOperation : Operation;

    /// <summary>Dropout, SpatialDropout2D, GaussianNoise, GaussianDropout: nothing at inference.</summary>
    internal sealed record IdentityOperation : Operation;
}

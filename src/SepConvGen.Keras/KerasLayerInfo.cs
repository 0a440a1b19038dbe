using System.Collections.Generic;
using System.Globalization;

namespace SepConvGen.Keras
{
    /// <summary>
    /// A SeparableConv2D layer of a Keras file: what its weights say (channels, kernel, multiplier, bias) and,
    /// when the file holds the model's configuration, everything else.
    /// </summary>
    public sealed record KerasLayerInfo
    {
        /// <summary>The Keras layer name, e.g. <c>separable_conv2d_1</c>.</summary>
        public required string Name { get; init; }

        /// <summary>
        /// The name the layer's weights are stored under: the layer's name in HDF5 files; in Keras 3 files the class
        /// in snake case with a counter in model order (<c>separable_conv2d_1</c>), which is also the layer's name in a
        /// weights-only <c>.weights.h5</c> file. Defaults to <see cref="Name"/>.
        /// </summary>
        public string WeightsName
        {
            get => _weightsName ?? Name;
            init => _weightsName = value;
        }

        private readonly string? _weightsName;

        /// <summary>Input channels (from the depthwise kernel's shape).</summary>
        public required int InChannels { get; init; }

        /// <summary>Output channels, Keras <c>filters</c> (from the pointwise kernel's shape).</summary>
        public required int Filters { get; init; }

        /// <summary>Depthwise kernel height.</summary>
        public required int KernelHeight { get; init; }

        /// <summary>Depthwise kernel width.</summary>
        public required int KernelWidth { get; init; }

        /// <summary>Keras <c>depth_multiplier</c>; a configuration without the key means 1.</summary>
        public required int DepthMultiplier { get; init; }

        /// <summary>Whether the layer has a bias (a <c>bias</c> weight).</summary>
        public required bool UseBias { get; init; }

        /// <summary>Whether the rest came from the file's configuration; false for weights-only files.</summary>
        public required bool HasConfiguration { get; init; }

        /// <summary>Vertical stride (1 without configuration).</summary>
        public int StrideHeight { get; init; } = 1;

        /// <summary>Horizontal stride.</summary>
        public int StrideWidth { get; init; } = 1;

        /// <summary>Vertical dilation.</summary>
        public int DilationHeight { get; init; } = 1;

        /// <summary>Horizontal dilation.</summary>
        public int DilationWidth { get; init; } = 1;

        /// <summary>Keras <c>padding</c> as written: <c>valid</c> or <c>same</c>.</summary>
        public string Padding { get; init; } = "valid";

        /// <summary>Keras <c>data_format</c> as written: <c>channels_last</c> or <c>channels_first</c>.</summary>
        public string DataFormat { get; init; } = "channels_last";

        /// <summary>Keras <c>activation</c> as written, e.g. <c>linear</c>, <c>relu</c>.</summary>
        public string Activation { get; init; } = "linear";

        /// <summary>
        /// Where the weights are, relative to the HDF5 file's root (an archive's <c>model.weights.h5</c>): from the
        /// layer's <c>weight_names</c>, or Keras 3's <c>layers/&lt;key&gt;/vars/0, 1, 2</c>.
        /// </summary>
        public required IReadOnlyList<string> WeightPaths { get; init; }

        /// <summary>
        /// Why <c>[SeparableConv]</c> cannot express this layer, or null when it can: an unknown configuration,
        /// an activation other than linear/relu/relu6, or stride and dilation both above 1.
        /// </summary>
        public string? Unsupported
        {
            get
            {
                if (!HasConfiguration)
                {
                    return "the file holds weights only (no configuration), so strides, padding, data format, dilation and activation are unknown";
                }

                if (Activation is not ("linear" or "relu" or "relu6"))
                {
                    return $"activation '{Activation}' is not one of linear, relu, relu6";
                }

                if (Padding is not ("same" or "valid"))
                {
                    return $"padding '{Padding}' is not valid or same";
                }

                if (DataFormat is not ("channels_last" or "channels_first"))
                {
                    return $"data_format '{DataFormat}' is not channels_last or channels_first";
                }

                return (StrideHeight > 1 || StrideWidth > 1) && (DilationHeight > 1 || DilationWidth > 1)
                    ? "strides and dilation_rate are both above 1"
                    : null;
            }
        }

        /// <summary>The layer as Keras code, e.g. <c>SeparableConv2D(16, (3, 3), padding='same', use_bias=False)</c>.</summary>
        public string ToKeras() => string.Create(CultureInfo.InvariantCulture,
            $"SeparableConv2D({Filters}, ({KernelHeight}, {KernelWidth}), strides=({StrideHeight}, {StrideWidth}), padding='{Padding}', " +
            $"data_format='{DataFormat}', dilation_rate=({DilationHeight}, {DilationWidth}), depth_multiplier={DepthMultiplier}, " +
            $"activation='{Activation}', use_bias={(UseBias ? "True" : "False")})");
    }
}

using System;
using System.ComponentModel;

namespace SepConvGen
{
    /// <summary>
    /// Argument checks shared by all generated layers, kept here so the generated code stays short and
    /// every layer words its errors the same way. Not meant to be called by user code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class LayerChecks
    {
        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when <paramref name="value"/> is below 1.</summary>
        public static void RequirePositive(int value, string paramName)
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be at least 1; got {value}.");
            }
        }

        /// <summary>
        /// The element count of a tensor of the given shape; throws <see cref="ArgumentOutOfRangeException"/>
        /// naming <paramref name="paramName"/> when it does not fit a span (an <see cref="int"/>).
        /// </summary>
        public static int TensorLength(int batch, int channels, int height, int width, string paramName)
        {
            long length = (long)batch * channels * height * width;
            if (length > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(paramName,
                    $"A tensor of batch {batch} x {channels} channels x {height} x {width} holds {length} values, more than a span can address ({int.MaxValue}).");
            }

            return (int)length;
        }

        /// <summary>Throws <see cref="ArgumentException"/> when a span does not have exactly the expected length.</summary>
        public static void RequireLength(int actual, int expected, string paramName, string shape)
        {
            if (actual != expected)
            {
                throw new ArgumentException(
                    $"{paramName} must hold exactly {expected} values {shape}; got {actual}.", paramName);
            }
        }

        /// <summary>Throws <see cref="ArgumentException"/>: a Valid layer's input is smaller than its dilated kernel.</summary>
        public static void ThrowInputSmallerThanKernel(string paramName, int actual, int effectiveKernel)
        {
            throw new ArgumentException(
                $"{paramName} is {actual}, smaller than the dilated kernel ({effectiveKernel}): Valid padding would give an empty output.",
                paramName);
        }

        /// <summary>Throws <see cref="ArgumentException"/>: a fixed-size layer was called with another size.</summary>
        public static void ThrowFixedSizeMismatch(int expectedHeight, int expectedWidth, int actualHeight, int actualWidth)
        {
            throw new ArgumentException(
                $"This layer was generated for a fixed input of {expectedHeight} x {expectedWidth}; got {actualHeight} x {actualWidth}.",
                actualHeight != expectedHeight ? "inputHeight" : "inputWidth");
        }

        /// <summary>Throws <see cref="InvalidOperationException"/>: Forward was called before any weights were loaded.</summary>
        public static void ThrowWeightsNotLoaded(string layerName)
        {
            throw new InvalidOperationException(
                $"{layerName}.Forward was called before its weights were loaded: call LoadKerasWeights or LoadPyTorchWeights first.");
        }
    }
}

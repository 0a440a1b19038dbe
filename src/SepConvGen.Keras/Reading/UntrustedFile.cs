using System;
using System.Collections.Generic;
using System.IO;

namespace SepConvGen.Keras.Reading
{
    /// <summary>
    /// The limits that keep a damaged or hostile model file from taking the process down: every size read out of a
    /// file is checked against the file's own length before anything of that size is allocated, and the work of
    /// reading is bounded by the length too.
    /// </summary>
    internal static class UntrustedFile
    {
        /// <summary>Allowed on top of what is proportional to the file (small files, JSON documents).</summary>
        public const long FixedAllowance = 16L << 20;

        /// <summary>The largest file read at all: its weights are read into arrays indexed by int.</summary>
        public const long MaxLength = int.MaxValue;

        /// <summary>How many bytes an HDF5 reader may read from a file of <paramref name="length"/> bytes.</summary>
        public static long ReadBudget(long length) => FixedAllowance + 256 * length;

        /// <summary>
        /// The number of elements of a dataset or attribute of shape <paramref name="dimensions"/>, checked to fit,
        /// at <paramref name="elementSize"/> bytes each, in the <paramref name="available"/> bytes of the file.
        /// </summary>
        public static int ElementCount(IReadOnlyList<ulong> dimensions, long elementSize, long available, string what)
        {
            ulong count = 1;
            foreach (ulong dimension in dimensions)
            {
                if (dimension != 0 && count > (ulong)available / dimension)
                {
                    throw new InvalidDataException($"{what} claims a shape ({string.Join(", ", dimensions)}) larger than the file");
                }

                count *= dimension;
            }

            if (count * (ulong)Math.Max(elementSize, 1) > (ulong)available)
            {
                throw new InvalidDataException(
                    $"{what} claims {count} elements of {elementSize} bytes, more than the file's {available} bytes hold");
            }

            return (int)count;
        }
    }
}

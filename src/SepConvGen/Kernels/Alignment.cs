using System.ComponentModel;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// Where a float array's first 64-byte line starts, for written models' workspaces and the generated layers'
    /// scratch: on AVX-512 every vector load of a 64-byte-aligned NHWC tensor with a multiple of 16 channels stays
    /// within one cache line (mini-Xception 0.160 -> 0.155 ms on Zen 5, and its max poolings can then load whole
    /// 512-bit vectors).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Alignment
    {
        /// <summary>Floats an array needs beyond its use to start that use at its first 64-byte line.</summary>
        public const int Slack = 15;

        /// <summary>
        /// The index of <paramref name="array"/>'s first element on a 64-byte boundary, where the array is now: the GC
        /// may move it later, which loses only the alignment (large arrays, the workspaces of real models, stay in place).
        /// </summary>
        public static unsafe int FirstLine(float[] array)
        {
            // Pinned for the moment its address is read; a generic framework helper here cost a first call its JIT
            // compilation (0.3-0.9 ms under the JIT, and the JIT itself in a ReadyToRun app).
            fixed (float* first = array)
            {
                return (int)((64 - ((long)first & 63)) & 63) / sizeof(float);
            }
        }
    }
}

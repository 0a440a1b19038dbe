using System.Runtime.InteropServices;
using SepConvGen.Kernels;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>Where written models start to use their workspace arrays.</summary>
    public sealed class AlignmentTests
    {
        [Fact]
        public void First_line_is_the_first_element_on_a_64_byte_boundary()
        {
            // Arrays of many lengths land at many addresses; pinned, so that the GC cannot move one between the two looks.
            for (int length = 1; length <= 200; length++)
            {
                var array = new float[length + Alignment.Slack];
                GCHandle pin = GCHandle.Alloc(array, GCHandleType.Pinned);
                try
                {
                    int start = Alignment.FirstLine(array);
                    Assert.InRange(start, 0, Alignment.Slack);
                    Assert.Equal(0, Marshal.UnsafeAddrOfPinnedArrayElement(array, start).ToInt64() % 64);
                }
                finally
                {
                    pin.Free();
                }
            }
        }
    }
}

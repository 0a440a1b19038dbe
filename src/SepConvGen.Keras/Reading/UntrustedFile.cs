namespace SepConvGen.Keras.Reading
{
    /// <summary>
    /// The limits that keep a damaged or hostile model file from taking the process down: every size read out of a
    /// file is checked against the file's own length before anything of that size is allocated.
    /// </summary>
    internal static class UntrustedFile
    {
        /// <summary>Allowed on top of what is proportional to the file (small files, JSON documents).</summary>
        public const long FixedAllowance = 16L << 20;

        /// <summary>The largest file read at all: its weights are read into arrays indexed by int.</summary>
        public const long MaxLength = int.MaxValue;
    }
}

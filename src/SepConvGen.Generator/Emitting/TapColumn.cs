namespace SepConvGen.Generator.Emitting
{
    /// <summary>A kernel column of vector taps: a known index (columns unrolled) or the loop variable <c>kx</c>.</summary>
    internal readonly struct TapColumn
    {
        public static readonly TapColumn Loop = new(null);

        private TapColumn(int? index) => Index = index;

        /// <summary>The column's index where the code is unrolled, null in the column loop.</summary>
        public int? Index { get; }

        public static TapColumn At(int index) => new(index);

        /// <summary>The column as source text: <c>3</c>, or <c>kx</c>.</summary>
        public override string ToString() => Index is int index ? Literal.Int(index) : "kx";
    }
}

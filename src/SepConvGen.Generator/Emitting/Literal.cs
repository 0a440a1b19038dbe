using System.Globalization;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>Numbers and the small index sums built from them, as C# source text, the same on every culture.</summary>
    internal static class Literal
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary><paramref name="name"/> + <paramref name="k"/>, or the name alone for 0.</summary>
        public static string Plus(string name, int k) => k == 0 ? name : $"{name} + {Int(k)}";

        /// <summary><paramref name="sum"/> * <paramref name="factor"/>, the sum in parentheses where it has a +.</summary>
        public static string Times(string sum, string factor) => sum.Contains("+") ? $"({sum}) * {factor}" : $"{sum} * {factor}";
    }
}

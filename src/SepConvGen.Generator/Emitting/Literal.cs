using System.Globalization;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>Numbers and the small index sums built from them, as C# source text, the same on every culture.</summary>
    internal static class Literal
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary><paramref name="name"/> + <paramref name="k"/>, or the name alone for 0.</summary>
        public static string Plus(string name, int k) => k == 0 ? name : $"{name} + {Int(k)}";

        /// <summary>(<paramref name="name"/> + <paramref name="k"/>) * <paramref name="factor"/>, without the parentheses and the sum for 0.</summary>
        public static string PlusTimes(string name, int k, string factor) => k == 0 ? $"{name} * {factor}" : $"({Plus(name, k)}) * {factor}";
    }
}

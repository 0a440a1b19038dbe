using System.Globalization;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>Numbers as C# source text, the same on every culture.</summary>
    internal static class Literal
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}

using System.Collections.Generic;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Planning
{
    /// <summary>
    /// How one activation is printed: its scalar form, its vector form for any width, and what it needs. Both forms
    /// must agree on every input, NaN included (the differential tests compare them bit for bit).
    /// </summary>
    /// <param name="Kind">The attribute's value.</param>
    /// <param name="Summary">The scalar helper's summary.</param>
    /// <param name="Scalar">The scalar form, an expression of the float <c>value</c>.</param>
    /// <param name="Vector">The vector form: statements that transform the vector <c>value</c> of a width.</param>
    /// <param name="NeedsExp">Whether the forms call an exponential (the vector form then needs a polynomial of its own).</param>
    internal sealed record ActivationForm(ActivationKind Kind, string Summary, string Scalar, System.Func<Isa, string[]> Vector, bool NeedsExp = false)
    {
        public bool IsLinear => Kind == ActivationKind.Linear;
    }

    /// <summary>The activations fused into the pointwise epilogue, one entry each: adding one is an entry here and its tests.</summary>
    internal static class Activations
    {
        private static readonly Dictionary<ActivationKind, ActivationForm> Forms = new()
        {
            [ActivationKind.Linear] = new ActivationForm(ActivationKind.Linear, "Linear: the value itself.", "value", _ => System.Array.Empty<string>()),
            [ActivationKind.Relu] = new ActivationForm(ActivationKind.Relu, "ReLU: max(value, 0); NaN stays NaN.", "value < 0f ? 0f : value",
                isa => ClampBelow(isa)),
            [ActivationKind.Relu6] = new ActivationForm(ActivationKind.Relu6, "ReLU6: min(max(value, 0), 6); NaN stays NaN.", "value < 0f ? 0f : value > 6f ? 6f : value",
                isa => new List<string>(ClampBelow(isa))
                {
                    $"{isa.VectorType}<float> six = {isa.VectorType}.Create(6f);",
                    $"value = {isa.VectorType}.ConditionalSelect({isa.VectorType}.GreaterThan(value, six), six, value);",
                }.ToArray()),
        };

        public static ActivationForm For(ActivationKind kind) => Forms[kind];

        /// <summary>Selects instead of Max/Min, which would turn NaN into 0 on x86.</summary>
        private static string[] ClampBelow(Isa isa) => new[]
        {
            "// Selects instead of Max/Min, which would turn NaN into 0 on x86: NaN stays NaN, as in the scalar code.",
            $"value = {isa.VectorType}.ConditionalSelect({isa.VectorType}.LessThan(value, {isa.VectorType}<float>.Zero), {isa.VectorType}<float>.Zero, value);",
        };
    }
}

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
    /// <param name="TileFunction">
    /// For the activations that need an exponential: the library's <c>SepConvGen.Kernels.Elementwise</c> method that
    /// runs on each tile's output just after the pointwise step writes it (in cache), where the kernels' epilogues
    /// stay linear; scalar and vector kernels share it.
    /// </param>
    internal sealed record ActivationForm(ActivationKind Kind, string Summary, string Scalar, System.Func<Isa, string[]> Vector, string? TileFunction = null)
    {
        public bool IsLinear => Kind == ActivationKind.Linear;

        /// <summary>Whether the kernels' epilogues compute it (ReLU, ReLU6).</summary>
        public bool InEpilogue => !IsLinear && TileFunction is null;
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
            [ActivationKind.Elu] = OnTiles(ActivationKind.Elu, "Elu"),
            [ActivationKind.Sigmoid] = OnTiles(ActivationKind.Sigmoid, "Sigmoid"),
            [ActivationKind.Tanh] = OnTiles(ActivationKind.Tanh, "Tanh"),
            [ActivationKind.Swish] = OnTiles(ActivationKind.Swish, "Swish"),
        };

        public static ActivationForm For(ActivationKind kind) => Forms[kind];

        private static ActivationForm OnTiles(ActivationKind kind, string function) =>
            new(kind, $"{function}, on each tile's output.", "value", _ => System.Array.Empty<string>(), function);

        /// <summary>Selects instead of Max/Min, which would turn NaN into 0 on x86.</summary>
        private static string[] ClampBelow(Isa isa) => new[]
        {
            "// Selects instead of Max/Min, which would turn NaN into 0 on x86: NaN stays NaN, as in the scalar code.",
            $"value = {isa.VectorType}.ConditionalSelect({isa.VectorType}.LessThan(value, {isa.VectorType}<float>.Zero), {isa.VectorType}<float>.Zero, value);",
        };
    }
}

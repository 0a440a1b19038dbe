using SepConvGen.Generator.Diagnostics;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Parsing
{
    /// <summary>What parsing one attributed class gives: a layer to emit (null when invalid) and diagnostics.</summary>
    internal sealed record ParseResult<TSpec>(TSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics)
        where TSpec : class;
}

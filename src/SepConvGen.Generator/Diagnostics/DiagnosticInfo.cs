using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Diagnostics
{
    /// <summary>A location reduced to values, so diagnostics compare by value and cache like models.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(Location? location) =>
            location is null || location.SourceTree is null
                ? null
                : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
    }

    /// <summary>A diagnostic as a value: descriptor, where, and its message arguments.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object[] arguments) =>
            new DiagnosticInfo(descriptor, LocationInfo.From(location),
                new EquatableArray<string>(System.Linq.Enumerable.Select(arguments, a => System.Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)));

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptor, Location?.ToLocation(), System.Linq.Enumerable.ToArray<object>(Arguments));
    }
}

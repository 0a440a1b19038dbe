using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SepConvGen.Generator.Tests
{
    /// <summary>Diagnostics as snapshot text: id, severity, span, the source text it points at, and the message.</summary>
    internal static class DiagnosticText
    {
        public static string Format(IEnumerable<Diagnostic> diagnostics, Compilation compilation)
        {
            string[] lines = diagnostics
                .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id)
                .Select(d =>
                {
                    FileLinePositionSpan span = d.Location.GetLineSpan();
                    // Generator diagnostics carry file locations; find the tree they point into to quote the text.
                    SyntaxTree? tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == span.Path);
                    string target = tree?.GetText().ToString(d.Location.SourceSpan) ?? string.Empty;
                    string where = string.Create(CultureInfo.InvariantCulture,
                        $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})");
                    return $"{d.Id} {d.Severity} {where} at `{target}`: {d.GetMessage(CultureInfo.InvariantCulture)}";
                })
                .ToArray();
            return lines.Length == 0 ? "(no diagnostics)" : string.Join("\n", lines);
        }
    }
}

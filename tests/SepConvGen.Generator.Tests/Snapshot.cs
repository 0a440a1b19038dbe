using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using SepConvGen.Testing;
using Xunit.Sdk;

namespace SepConvGen.Generator.Tests
{
    /// <summary>
    /// Verify-style snapshots without Verify: each generated source is compared with
    /// <c>Snapshots/{name}#{hint name}.verified.cs</c> and the diagnostics with <c>Snapshots/{name}.verified.txt</c>.
    /// A mismatch writes the new text beside it as <c>.received.*</c> and fails with a diff; missing and extra
    /// snapshot files fail too. Accept new snapshots with <c>SEPCONVGEN_ACCEPT_SNAPSHOTS=1 dotnet test</c>.
    /// </summary>
    internal static class Snapshot
    {
        private const string AcceptVariable = "SEPCONVGEN_ACCEPT_SNAPSHOTS";

        public static void Verify(string name, IEnumerable<(string HintName, string Text)> sources, string diagnostics)
        {
            string folder = RepositoryPaths.Combine("tests", "SepConvGen.Generator.Tests", "Snapshots");
            Directory.CreateDirectory(folder);
            var expectedFiles = new List<(string Path, string Text)>();
            foreach ((string hintName, string text) in sources)
            {
                expectedFiles.Add((Path.Combine(folder, $"{name}#{Path.GetFileNameWithoutExtension(hintName)}.verified.cs"), text));
            }

            expectedFiles.Add((Path.Combine(folder, $"{name}.verified.txt"), diagnostics));

            bool accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
            var problems = new List<string>();
            foreach ((string path, string text) in expectedFiles)
            {
                string actual = Normalize(text);
                string received = path.Replace(".verified.", ".received.", StringComparison.Ordinal);
                string? verified = File.Exists(path) ? Normalize(File.ReadAllText(path)) : null;
                if (verified == actual)
                {
                    File.Delete(received);
                    continue;
                }

                if (accept)
                {
                    File.WriteAllText(path, actual);
                    File.Delete(received);
                    continue;
                }

                File.WriteAllText(received, actual);
                problems.Add(verified is null
                    ? $"New snapshot {Path.GetFileName(path)} (written as {Path.GetFileName(received)})."
                    : $"{Path.GetFileName(path)} differs (new text in {Path.GetFileName(received)}):{Environment.NewLine}{Diff(verified, actual)}");
            }

            // Snapshot files of this test that the generator no longer produces.
            var produced = expectedFiles.Select(f => Path.GetFileName(f.Path)).ToHashSet(StringComparer.Ordinal);
            foreach (string stale in Directory.GetFiles(folder, $"{name}#*.verified.cs").Select(Path.GetFileName).OfType<string>())
            {
                if (!produced.Contains(stale))
                {
                    if (accept)
                    {
                        File.Delete(Path.Combine(folder, stale));
                    }
                    else
                    {
                        problems.Add($"{stale} is no longer generated.");
                    }
                }
            }

            if (problems.Count > 0)
            {
                throw new XunitException(
                    string.Join(Environment.NewLine, problems) + Environment.NewLine +
                    $"If the change is intended, accept it: {AcceptVariable}=1 dotnet test tests/SepConvGen.Generator.Tests");
            }
        }

        /// <summary>Line endings, trailing spaces and the generator's version do not count.</summary>
        public static string Normalize(string text)
        {
            string version = typeof(SepConvGenerator).Assembly.GetName().Version!.ToString(3);
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF').Split('\n')
                .Select(l => l.TrimEnd().Replace($"SepConvGen.Generator {version}", "SepConvGen.Generator %VERSION%", StringComparison.Ordinal)
                    .Replace($"GeneratedCode(\"SepConvGen\", \"{version}\")", "GeneratedCode(\"SepConvGen\", \"%VERSION%\")", StringComparison.Ordinal));
            return string.Join("\n", lines).TrimEnd('\n') + "\n";
        }

        private static string Diff(string verified, string received)
        {
            DiffPaneModel model = InlineDiffBuilder.Diff(verified, received);
            var text = new StringBuilder();
            int shown = 0;
            for (int i = 0; i < model.Lines.Count && shown < 40; i++)
            {
                DiffPiece line = model.Lines[i];
                if (line.Type is ChangeType.Inserted or ChangeType.Deleted)
                {
                    text.AppendLine($"  line {line.Position?.ToString() ?? "-"}: {(line.Type == ChangeType.Inserted ? "+ " : "- ")}{line.Text}");
                    shown++;
                }
            }

            return text.ToString();
        }
    }
}

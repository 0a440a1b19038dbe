using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace SepConvGen.Package.Tests
{
    /// <summary>Runs the dotnet CLI (or a program it published) in a folder and returns what it printed; throws with the output when it fails.</summary>
    internal static class DotNet
    {
        public static string Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
            Start("dotnet", workingDirectory, environment, arguments);

        /// <summary>Runs a published executable in its own folder, with <paramref name="environment"/> added to its environment.</summary>
        public static string RunProgram(string path, IReadOnlyDictionary<string, string>? environment = null) =>
            Start(path, Path.GetDirectoryName(path)!, environment ?? new Dictionary<string, string>());

        private static string Start(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
        {
            var start = new ProcessStartInfo(program)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // A clean slate: no build server shared with the outer build, no telemetry banner.
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            foreach ((string name, string value) in environment)
            {
                start.Environment[name] = value;
            }

            using Process process = Process.Start(start)!;
            var output = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 8 minutes:\n{output}");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{program} {string.Join(' ', arguments)} in {workingDirectory} exited with {process.ExitCode}:\n{output}");
            }

            return output.ToString();
        }
    }
}

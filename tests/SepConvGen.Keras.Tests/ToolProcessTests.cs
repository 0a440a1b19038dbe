using System;
using System.Diagnostics;
using System.IO;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>sepconvgen run as a user runs it: its own process, exit codes, standard output and standard error.</summary>
    public sealed class ToolProcessTests
    {
        private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "SepConvGen.Tool.dll");

        [Fact]
        public void Version_help_and_a_listing_come_on_standard_output()
        {
            (int exit, string stdout, _) = Run("--version");
            Assert.Equal(Cli.Success, exit);
            Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());

            (exit, stdout, string stderr) = Run("list", Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[0]));
            Assert.Equal(Cli.Success, exit);
            Assert.Contains("| separable_conv2d | SeparableConv2d | 16 -> 16 |", stdout, StringComparison.Ordinal);
            Assert.Contains("Reading", stderr, StringComparison.Ordinal);
        }

        [Fact]
        public void Errors_go_to_standard_error_with_their_exit_codes_and_no_stack_trace()
        {
            (int exit, string stdout, string stderr) = Run("list");
            Assert.Equal(Cli.UsageError, exit);
            Assert.NotEmpty(stderr);

            string damaged = Path.Combine(Path.GetTempPath(), $"damaged-{Guid.NewGuid():N}.h5");
            byte[] bytes = File.ReadAllBytes(Path.Combine(ExpectedLayers.Folder, ExpectedLayers.Files[0]));
            File.WriteAllBytes(damaged, bytes.AsSpan(0, bytes.Length / 3).ToArray());
            try
            {
                (exit, stdout, stderr) = Run("scaffold", damaged);
                Assert.Equal(Cli.FileError, exit);
                Assert.Equal(string.Empty, stdout);
                Assert.Contains(damaged, stderr, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(damaged);
            }
        }

        private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Tool);
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            System.Threading.Tasks.Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "sepconvgen did not finish within a minute");
            return (process.ExitCode, stdout, stderr.Result);
        }
    }
}

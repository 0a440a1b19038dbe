using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using SepConvGen.Keras;

namespace SepConvGen.Tool
{
    /// <summary>The <c>sepconvgen</c> command line, with its output streams passed in so that tests can run it.</summary>
    public static class Cli
    {
        public const int Success = 0;
        public const int UsageError = 1;
        public const int FileError = 2;
        public const int UnsupportedLayers = 3;
        public const int NoSeparableLayers = 4;
        public const int OutputError = 5;
        public const int InternalError = 70;

        public const string Help = """
            sepconvgen: SepConvGen layers from trained Keras models

            Usage:
              sepconvgen scaffold <model> [options]      write one [SeparableConv] class per SeparableConv2D layer
              sepconvgen list <model>                    show the SeparableConv2D layers of a file
              sepconvgen --help                          show this text

            Options of scaffold:
              --namespace <name>     namespace of the generated classes (default: Model)
              --output <file.cs>     where to write the C# file (default: standard output)
              --skip-unsupported     write the layers that [SeparableConv] can express and skip the others
                                     (without it, any such layer is an error and nothing is written)

            Files, told apart by their contents:
              .keras        Keras 3 (and tf-keras 2.13+) archives, model.save('m.keras'): configuration and weights
              .h5, .hdf5    HDF5 models, model.save('m.h5') in Keras 2 or Keras 3: configuration and weights
              .weights.h5   weights only (Keras 3 save_weights('m.weights.h5'), Keras 2 save_weights('w.h5')): 'list'
                            shows what the weights reveal (channels, kernel, multiplier, bias), the rest as '?'

            Each class is named after its Keras layer in PascalCase (separable_conv2d_1 -> SeparableConv2d1) and has
            'public static SeparableConv2d1 FromKerasFile(string path)', which loads its weights with SepConvGen.Keras.
            The project needs the SepConvGen and SepConvGen.Keras packages.

            Exit codes: 0 success, 1 usage error, 2 unreadable or damaged file, 3 layers [SeparableConv] cannot
            express, 4 no SeparableConv2D layer in the file, 5 the output file cannot be written, 70 internal error.
            """;

        public static int Run(string[] args, TextWriter output, TextWriter errors)
        {
            try
            {
                return RunCommand(args, output, errors);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Users see one line, never a stack trace.
                errors.WriteLine($"sepconvgen failed ({e.GetType().Name}: {e.Message}). This is a bug: please report it with the file.");
                return InternalError;
            }
        }

        private static int RunCommand(string[] args, TextWriter output, TextWriter errors)
        {
            if (args.Length == 0 || args.Any(a => a is "--help" or "-h" or "-?" or "help"))
            {
                output.WriteLine(Help);
                return args.Length == 0 ? UsageError : Success;
            }

            string command = args[0];
            if (command is not ("scaffold" or "list") || args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
            {
                errors.WriteLine(command is "scaffold" or "list"
                    ? $"'{command}' needs a Keras file: sepconvgen {command} <model.h5>"
                    : $"Unknown command '{command}'. Run 'sepconvgen --help'.");
                return UsageError;
            }

            string path = args[1];
            var options = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (int i = 2; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--namespace" or "--output" when i + 1 < args.Length:
                        options[args[i]] = args[++i];
                        break;
                    case "--skip-unsupported":
                        options[args[i]] = null;
                        break;
                    default:
                        errors.WriteLine($"Unknown option '{args[i]}'. Run 'sepconvgen --help'.");
                        return UsageError;
                }
            }

            KerasWeights file;
            try
            {
                errors.WriteLine($"Reading {path} ...");
                file = KerasWeights.Open(path);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                errors.WriteLine(e.Message);
                return FileError;
            }

            using (file)
            {
                if (file.SeparableConvLayers.Count == 0)
                {
                    errors.WriteLine(NoSeparableLayersMessage(file));
                    return NoSeparableLayers;
                }

                return command == "list" ? List(file, output, errors) : Scaffold(file, path, options, output, errors);
            }
        }

        /// <summary>"'m.keras': no SeparableConv2D layer; the file holds 3 layers: input_layer (InputLayer), ..."</summary>
        public static string NoSeparableLayersMessage(KerasWeights file)
        {
            const int Shown = 40;
            IEnumerable<string> names = file.Layers.Take(Shown).Select(l => l.ToString());
            string more = file.Layers.Count > Shown ? $", and {file.Layers.Count - Shown} more" : string.Empty;
            return file.Layers.Count == 0
                ? $"'{file.Path}': no SeparableConv2D layer; the file holds no layers."
                : $"'{file.Path}': no SeparableConv2D layer; the file holds {file.Layers.Count} layer(s): {string.Join(", ", names)}{more}.";
        }

        private static int List(KerasWeights file, TextWriter output, TextWriter errors)
        {
            errors.WriteLine($"{file.Format} file{(file.KerasVersion is null ? string.Empty : $" written by Keras {file.KerasVersion}")}, " +
                             $"{file.SeparableConvLayers.Count} SeparableConv2D layer(s){(file.HasConfiguration ? string.Empty : "; weights only: '?' marks what only a configuration tells")}.");
            WriteTable(output, file.SeparableConvLayers.Select(l => (l, l.Unsupported is null ? Scaffolder.ClassName(l.Name) : "-", l.Unsupported ?? "ok")));
            return Success;
        }

        private static int Scaffold(KerasWeights file, string path, Dictionary<string, string?> options, TextWriter output, TextWriter errors)
        {
            string ns = options.GetValueOrDefault("--namespace") ?? "Model";
            ScaffoldResult result = Scaffolder.Scaffold(file, ns, Path.GetFileName(path));
            errors.WriteLine($"Found {file.SeparableConvLayers.Count} SeparableConv2D layer(s):");
            WriteTable(errors, result.Layers.Select(l => (l.Layer, l.ClassName, "scaffolded"))
                .Concat(result.Skipped.Select(s => (s.Layer, "-", "skipped: " + s.Reason))));
            if (result.Skipped.Count > 0 && !options.ContainsKey("--skip-unsupported"))
            {
                errors.WriteLine($"{result.Skipped.Count} layer(s) cannot be expressed by [SeparableConv] (see above); nothing was written. " +
                                 "Pass --skip-unsupported to write the others.");
                return UnsupportedLayers;
            }

            if (result.Layers.Count == 0)
            {
                errors.WriteLine($"{path} has no SeparableConv2D layer that [SeparableConv] can express; nothing was written.");
                return UnsupportedLayers;
            }

            if (options.GetValueOrDefault("--output") is string target)
            {
                try
                {
                    File.WriteAllText(target, result.Code);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    errors.WriteLine($"Cannot write '{target}': {e.Message}");
                    return OutputError;
                }

                errors.WriteLine($"Wrote {target}: {result.Layers.Count} class(es) in namespace {ns}.");
            }
            else
            {
                output.Write(result.Code);
            }

            return Success;
        }

        private static void WriteTable(TextWriter writer, IEnumerable<(KerasLayerInfo Layer, string ClassName, string Status)> rows)
        {
            writer.WriteLine("| Keras layer | class | in -> out | kernel | strides | dilation | padding | data format | dm | bias | activation | status |");
            writer.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach ((KerasLayerInfo l, string className, string status) in rows)
            {
                string configured(string value) => l.HasConfiguration ? value : "?";
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {l.Name} | {className} | {l.InChannels} -> {l.Filters} | {l.KernelHeight}x{l.KernelWidth} | {configured($"{l.StrideHeight}x{l.StrideWidth}")} | " +
                    $"{configured($"{l.DilationHeight}x{l.DilationWidth}")} | {configured(l.Padding)} | {configured(l.DataFormat)} | {l.DepthMultiplier} | " +
                    $"{(l.UseBias ? "yes" : "no")} | {configured(l.Activation)} | {status} |"));
            }
        }
    }
}

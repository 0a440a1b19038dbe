using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.CommandLine;
using SepConvGen.Keras.Model;
using SepConvGen.Tool.Models;
using System.Text.Json;
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

        /// <summary>What the root command's help says beside the commands: the files it reads and the exit codes.</summary>
        public const string Description = """
            sepconvgen: SepConvGen layers from trained Keras models.

            Files, told apart by their contents:
              .keras        Keras 3 (and tf-keras 2.13+) archives, model.save('m.keras'): configuration and weights
              .h5, .hdf5    HDF5 models, model.save('m.h5') in Keras 2 or Keras 3: configuration and weights
              .weights.h5   weights only (Keras 3 save_weights('m.weights.h5'), Keras 2 save_weights('w.h5')): 'list'
                            shows what the weights reveal (channels, kernel, multiplier, bias), the rest as '?'

            'scaffold' names each class after its Keras layer in PascalCase (separable_conv2d_1 -> SeparableConv2d1) and
            gives it 'public static SeparableConv2d1 FromKerasFile(string path)', which loads its weights with
            SepConvGen.Keras; the project needs the SepConvGen.Keras package (it brings SepConvGen).

            Exit codes: 0 success, 1 usage error, 2 unreadable or damaged file, 3 layers [SeparableConv] cannot
            express, 4 no SeparableConv2D layer in the file, 5 the output file cannot be written, 70 internal error.
            """;

        /// <summary>Runs the command line; parse errors go to <paramref name="errors"/> with exit code 1, suggestions included.</summary>
        public static int Run(string[] args, TextWriter output, TextWriter errors)
        {
            try
            {
                ParseResult parsed = Commands(output, errors).Parse(args);
                return parsed.Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Users see one line, never a stack trace.
                errors.WriteLine($"sepconvgen failed ({e.GetType().Name}: {e.Message}). This is a bug: please report it with the file.");
                return InternalError;
            }
        }

        private static RootCommand Commands(TextWriter output, TextWriter errors)
        {
            Argument<string> listModel = ModelArgument();
            var json = new Option<bool>("--json") { Description = "Print the layers as JSON (for scripts) instead of a table." };
            var list = new Command("list", "Show the SeparableConv2D layers of a Keras file.") { listModel, json };
            list.SetAction(parsed => WithFile(parsed.GetValue(listModel)!, errors,
                file => parsed.GetValue(json) ? ListJson(file, output) : List(file, output, errors)));

            Argument<string> scaffoldModel = ModelArgument();
            var ns = new Option<string>("--namespace") { Description = "Namespace of the generated classes.", DefaultValueFactory = _ => "Model" };
            var target = new Option<string?>("--output", "-o") { Description = "Where to write the C# file (default: standard output)." };
            var skip = new Option<bool>("--skip-unsupported")
            {
                Description = "Write the layers [SeparableConv] can express and skip the others (without it, any such layer is an error and nothing is written).",
            };
            var scaffold = new Command("scaffold", "Write one [SeparableConv] class per SeparableConv2D layer, with its FromKerasFile loader.")
            {
                scaffoldModel, ns, target, skip,
            };
            scaffold.SetAction(parsed =>
            {
                string path = parsed.GetValue(scaffoldModel)!;
                return WithFile(path, errors, file => Scaffold(file, path, parsed.GetValue(ns)!, parsed.GetValue(target), parsed.GetValue(skip), output, errors));
            });

            Argument<string> modelFile = ModelArgument();
            var modelNamespace = new Option<string>("--namespace") { Description = "Namespace of the model class.", DefaultValueFactory = _ => "Model" };
            var className = new Option<string>("--class") { Description = "Name of the model class.", DefaultValueFactory = _ => "KerasModel" };
            var modelTarget = new Option<string?>("--output", "-o") { Description = "Where to write the C# file (default: standard output)." };
            var embed = new Option<bool>("--embed-weights")
            {
                Description = "Compile the weights into the class (Create()) instead of reading the file at run time (FromKerasFile): the app then ships without the model file and without SepConvGen.Keras.",
            };
            var model = new Command("model", "Write the whole model as one C# class: its layers generated by SepConvGen, FromKerasFile (or Create) and Predict.")
            {
                modelFile, modelNamespace, className, modelTarget, embed,
            };
            model.SetAction(parsed =>
            {
                string path = parsed.GetValue(modelFile)!;
                return WithFile(path, errors, file => Model(file, path, parsed.GetValue(modelNamespace)!, parsed.GetValue(className)!, parsed.GetValue(modelTarget),
                    parsed.GetValue(embed), output, errors), requireSeparable: false);
            });

            return new RootCommand(Description) { list, scaffold, model };
        }

        private static Argument<string> ModelArgument() => new("model") { Description = "The Keras file: .keras, .h5/.hdf5 or .weights.h5." };

        /// <summary>Opens the file for a command: a file that cannot be read is exit code 2, with its one-line reason.</summary>
        private static int WithFile(string path, TextWriter errors, Func<KerasWeights, int> command, bool requireSeparable = true)
        {
            KerasWeights file;
            try
            {
                errors.WriteLine($"Reading {path} ...");
                file = KerasWeights.Open(path);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                errors.WriteLine(e.Message);
                return FileError;
            }

            using (file)
            {
                if (requireSeparable && file.SeparableConvLayers.Count == 0)
                {
                    errors.WriteLine(NoSeparableLayersMessage(file));
                    return NoSeparableLayers;
                }

                return command(file);
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

        /// <summary>The layers as a JSON array: name, weights name, class, shape, configuration (null where unknown), status.</summary>
        private static int ListJson(KerasWeights file, TextWriter output)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("file", file.Path);
                json.WriteString("format", file.Format.ToString());
                json.WriteString("kerasVersion", file.KerasVersion);
                json.WriteBoolean("hasConfiguration", file.HasConfiguration);
                json.WriteStartArray("layers");
                foreach (KerasLayerInfo l in file.SeparableConvLayers)
                {
                    json.WriteStartObject();
                    json.WriteString("name", l.Name);
                    json.WriteString("weightsName", l.WeightsName);
                    json.WriteString("className", l.Unsupported is null ? Scaffolder.ClassName(l.Name) : null);
                    json.WriteNumber("inChannels", l.InChannels);
                    json.WriteNumber("filters", l.Filters);
                    json.WriteNumber("kernelHeight", l.KernelHeight);
                    json.WriteNumber("kernelWidth", l.KernelWidth);
                    json.WriteNumber("depthMultiplier", l.DepthMultiplier);
                    json.WriteBoolean("useBias", l.UseBias);
                    if (l.HasConfiguration)
                    {
                        json.WriteStartArray("strides");
                        json.WriteNumberValue(l.StrideHeight);
                        json.WriteNumberValue(l.StrideWidth);
                        json.WriteEndArray();
                        json.WriteStartArray("dilationRate");
                        json.WriteNumberValue(l.DilationHeight);
                        json.WriteNumberValue(l.DilationWidth);
                        json.WriteEndArray();
                        json.WriteString("padding", l.Padding);
                        json.WriteString("dataFormat", l.DataFormat);
                        json.WriteString("activation", l.Activation);
                    }
                    else
                    {
                        foreach (string unknown in new[] { "strides", "dilationRate", "padding", "dataFormat", "activation" })
                        {
                            json.WriteNull(unknown);
                        }
                    }

                    json.WriteString("unsupported", l.Unsupported);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            return Success;
        }

        private static int Scaffold(KerasWeights file, string path, string ns, string? target, bool skipUnsupported, TextWriter output, TextWriter errors)
        {
            ScaffoldResult result = Scaffolder.Scaffold(file, ns, Path.GetFileName(path));
            errors.WriteLine($"Found {file.SeparableConvLayers.Count} SeparableConv2D layer(s):");
            WriteTable(errors, result.Layers.Select(l => (l.Layer, l.ClassName, "scaffolded"))
                .Concat(result.Skipped.Select(s => (s.Layer, "-", "skipped: " + s.Reason))));
            if (result.Skipped.Count > 0 && !skipUnsupported)
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

            return WriteCode(result.Code, target, $"{result.Layers.Count} class(es) in namespace {ns}", output, errors);
        }

        private static int Model(KerasWeights file, string path, string ns, string className, string? target, bool embedWeights, TextWriter output, TextWriter errors)
        {
            if (!file.HasConfiguration)
            {
                errors.WriteLine($"'{path}' holds weights only: a model needs its configuration (a .keras archive or a model .h5).");
                return FileError;
            }

            if (!IsName(className) || !ns.Split('.').All(IsName))
            {
                errors.WriteLine($"'{(IsName(className) ? ns : className)}' is not a C# name.");
                return UsageError;
            }

            ModelCode code = ModelWriter.Write(file, ns, className, embedWeights, Path.GetFileName(path));
            if (code.Code is null)
            {
                errors.WriteLine($"{code.Unsupported.Count} layer(s) of {path} cannot run in SepConvGen; nothing was written:");
                foreach (UnsupportedLayer layer in code.Unsupported)
                {
                    errors.WriteLine("  " + layer);
                }

                return UnsupportedLayers;
            }

            int layers = code.Plan!.Steps.OfType<LayerStep>().Count();
            return WriteCode(code.Code, target, $"class {ns}.{className} with {layers} generated layer(s){(embedWeights ? " and its weights" : string.Empty)}", output, errors);
        }

        private static bool IsName(string name) => System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$");

        /// <summary>Writes the code to <paramref name="target"/>, or to standard output without one.</summary>
        private static int WriteCode(string code, string? target, string what, TextWriter output, TextWriter errors)
        {
            if (target is null)
            {
                output.Write(code);
                return Success;
            }

            try
            {
                File.WriteAllText(target, code);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                errors.WriteLine($"Cannot write '{target}': {e.Message}");
                return OutputError;
            }

            errors.WriteLine($"Wrote {target}: {what}.");
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

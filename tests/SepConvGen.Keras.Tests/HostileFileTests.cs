using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using SepConvGen.Keras.Tests.Builders;
using SepConvGen.Tool;
using Xunit;

namespace SepConvGen.Keras.Tests
{
    /// <summary>
    /// Model files are untrusted input. Mutants of real files (truncated, bit-flipped, absurd shapes in HDF5
    /// dataspaces, damaged or absurd JSON, missing, swapped and inflating zip members) must each end in success or
    /// the documented <see cref="InvalidDataException"/> naming the file, within seconds, allocating no more than
    /// the documented bound (16 MiB plus 64 times the file's size); the tool must answer with a documented exit code
    /// and no stack trace. A failure prints the mutant's seed: set SEPCONVGEN_FUZZ_SEED to it to replay the run.
    /// </summary>
    public sealed class HostileFileTests : IClassFixture<BuiltFiles>
    {
        private const int MutantsPerSeedFile = 260;
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
        private readonly BuiltFiles _files;
        private readonly Xunit.Abstractions.ITestOutputHelper _output;

        public HostileFileTests(BuiltFiles files, Xunit.Abstractions.ITestOutputHelper output)
        {
            _files = files;
            _output = output;
        }

        public static IEnumerable<object[]> SeedFiles() => new[] { "h5", "keras", "weights", "tf-keras", "keras3-h5" }.Select(s => new object[] { s });

        [Theory]
        [MemberData(nameof(SeedFiles))]
        public void Mutants_of_real_files_end_in_success_or_a_documented_error_quickly_and_within_the_allocation_bound(string seedFile)
        {
            string original = seedFile switch
            {
                "h5" => BuiltFiles.Source(BuiltFiles.EegNet),
                "keras" => _files.SequentialArchive,
                "weights" => _files.EegNetKeras3Weights,
                "keras3-h5" => _files.Keras3LegacySequential,
                _ => _files.EegNetTfKerasArchive,
            };
            byte[] bytes = File.ReadAllBytes(original);
            int baseSeed = int.TryParse(Environment.GetEnvironmentVariable("SEPCONVGEN_FUZZ_SEED"), out int s) ? s : Environment.TickCount & 0x3fffffff;
            string path = _files.Built($"mutant-{seedFile}-{Guid.NewGuid():N}{Path.GetExtension(original)}");
            var outcomes = new Dictionary<string, int>();
            (long Bytes, string Mutant) largest = (0, "none");
            for (int i = 0; i < MutantsPerSeedFile; i++)
            {
                int seed = baseSeed + i;
                (string kind, byte[] mutant) = Mutants.Make(bytes, new Random(seed), isArchive: seedFile is "keras" or "tf-keras");
                File.WriteAllBytes(path, mutant);
                string context = $"{seedFile} mutant '{kind}', seed {seed} (SEPCONVGEN_FUZZ_SEED={baseSeed}, index {i})";
                (string outcome, long allocated) = Probe(path, context);
                Assert.True(allocated <= AllocationBound(mutant.Length),
                    $"{context}: allocated {allocated} bytes, over the bound of {AllocationBound(mutant.Length)} for a file of {mutant.Length} bytes");
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (allocated > largest.Bytes)
                {
                    largest = (allocated, context);
                }
                if (i % 13 == 0)
                {
                    RunTool(path, context);
                }
            }

            File.Delete(path);
            _output.WriteLine($"{MutantsPerSeedFile} mutants of {Path.GetFileName(original)} ({bytes.Length} bytes): {string.Join(", ", outcomes)}; " +
                              $"largest allocation {largest.Bytes} bytes, {largest.Mutant}");
            // Most mutants must be rejected, or the mutations test nothing.
            Assert.True(outcomes.GetValueOrDefault("rejected") > MutantsPerSeedFile / 4, string.Join(", ", outcomes));
        }

        [Fact]
        public void A_member_that_inflates_past_any_sane_size_is_refused_before_it_is_read()
        {
            string path = _files.Built("bomb.keras");
            KerasFileBuilder.WriteZip(path, new[] { ("config.json", "{}"u8.ToArray()), ("model.weights.h5", new byte[256 << 20]) }, CompressionLevel.SmallestSize);
            Assert.True(new FileInfo(path).Length < 1 << 20);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<InvalidDataException>(() => KerasWeights.Open(path));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
            Assert.Contains("model.weights.h5", error.Message, StringComparison.Ordinal);
            Assert.Contains("claims 268435456 bytes", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Absurd_dataspaces_are_refused_before_anything_of_their_size_is_allocated()
        {
            byte[] bytes = File.ReadAllBytes(_files.EegNetKeras3Weights);
            // The SeparableConv2D's depthwise kernel (1, 16, 16, 1) as the dataspace stores it: four 8-byte lengths.
            int at = Mutants.IndexOfDimensions(bytes, new ulong[] { 1, 16, 16, 1 });
            Assert.True(at >= 0);
            BitConverter.TryWriteBytes(bytes.AsSpan(at + 8), 1UL << 40);
            string path = _files.Built("absurd.weights.h5");
            File.WriteAllBytes(path, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<InvalidDataException>(() =>
            {
                using KerasWeights file = KerasWeights.Open(path);
                foreach (KerasLayerInfo layer in file.SeparableConvLayers)
                {
                    file.ReadWeights(layer.Name);
                }
            });
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Weights_stored_in_chunks_are_refused_by_name()
        {
            var file = new PureHDF.H5File
            {
                ["layers"] = new PureHDF.H5Group
                {
                    ["separable_conv2d"] = new PureHDF.H5Group
                    {
                        ["vars"] = new PureHDF.H5Group
                        {
                            ["0"] = new PureHDF.H5Dataset(new float[3 * 3 * 2], chunks: new uint[] { 3, 1, 2, 1 }, fileDims: new ulong[] { 3, 3, 2, 1 }),
                            ["1"] = new PureHDF.H5Dataset(new float[8], fileDims: new ulong[] { 1, 1, 2, 4 }),
                        },
                    },
                },
            };
            string path = _files.Built("chunked.weights.h5");
            file.Write(path);
            using KerasWeights weights = KerasWeights.Open(path);
            Assert.Equal((3, 3, 2, 4), (weights.SeparableConvLayers[0].KernelHeight, weights.SeparableConvLayers[0].KernelWidth,
                weights.SeparableConvLayers[0].InChannels, weights.SeparableConvLayers[0].Filters));
            var error = Assert.Throws<InvalidDataException>(() => weights.ReadWeights("separable_conv2d"));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("stored in chunks", error.Message, StringComparison.Ordinal);
        }

        /// <summary>What reading a file of <paramref name="length"/> bytes may allocate: SepConvGen.Keras' documented bound.</summary>
        private static long AllocationBound(long length) => (16L << 20) + 64 * length;

        /// <summary>Opens, lists and reads every layer of the file: "read" or "rejected" and the bytes allocated, or the test fails.</summary>
        private static (string Outcome, long Allocated) Probe(string path, string context)
        {
            Task<(string Outcome, long Allocated, Exception? Error)> task = Task.Factory.StartNew(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    using KerasWeights file = KerasWeights.Open(path);
                    _ = file.Layers.Count + file.KerasVersion?.Length;
                    foreach (KerasLayerInfo layer in file.SeparableConvLayers)
                    {
                        _ = layer.ToKeras();
                        file.ReadWeights(layer.Name);
                    }

                    return ("read", GC.GetAllocatedBytesForCurrentThread() - before, (Exception?)null);
                }
                catch (InvalidDataException e) when (e.Message.StartsWith($"'{path}'", StringComparison.Ordinal))
                {
                    return ("rejected", GC.GetAllocatedBytesForCurrentThread() - before, null);
                }
                catch (Exception e)
                {
                    return ("failed", GC.GetAllocatedBytesForCurrentThread() - before, e);
                }
            }, TaskCreationOptions.LongRunning);
            Assert.True(task.Wait(Limit), $"{context}: still reading after {Limit.TotalSeconds} s");
            (string outcome, long allocated, Exception? error) = task.Result;
            Assert.True(error is null, $"{context}: {error?.GetType().Name} instead of InvalidDataException naming the file: {error}");
            return (outcome, allocated);
        }

        private static void RunTool(string path, string context)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Cli.Run(new[] { "list", path }, stdout, stderr);
            Assert.True(exit is Cli.Success or Cli.FileError or Cli.NoSeparableLayers, $"{context}: sepconvgen list exited {exit}: {stderr}");
            Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>The mutations: what a damaged download, a broken disk or a hostile author makes of a model file.</summary>
    internal static class Mutants
    {
        private static readonly string[] AbsurdJson = { "1e308", "-1", "0", "99999999999", "2147483648", "[]", "{}", "null", "\"x\"", "[1, 2, 3, 4, 5]", "true" };

        public static (string Kind, byte[] Bytes) Make(byte[] original, Random random, bool isArchive)
        {
            if (isArchive && random.Next(2) == 0)
            {
                return ArchiveMutant(original, random);
            }

            return BytesMutant(original, random);
        }

        /// <summary>Where the dataspace lengths of a dataset of shape <paramref name="dimensions"/> are stored, or -1.</summary>
        public static int IndexOfDimensions(byte[] bytes, ulong[] dimensions)
        {
            byte[] pattern = dimensions.SelectMany(BitConverter.GetBytes).ToArray();
            return bytes.AsSpan().IndexOf(pattern);
        }

        private static (string, byte[]) BytesMutant(byte[] original, Random random)
        {
            byte[] bytes = (byte[])original.Clone();
            switch (random.Next(6))
            {
                case 0:
                    return ("truncated", bytes.AsSpan(0, random.Next(bytes.Length)).ToArray());
                case 1:
                    for (int n = random.Next(1, 9); n > 0; n--)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    return ("bit flips", bytes);
                case 2:
                    // Structures sit near the start and the end of these small files; flip there.
                    for (int n = random.Next(1, 5); n > 0; n--)
                    {
                        int at = random.Next(2) == 0 ? random.Next(Math.Min(4096, bytes.Length)) : bytes.Length - 1 - random.Next(Math.Min(4096, bytes.Length));
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    return ("bit flips in structures", bytes);
                case 3:
                    for (int n = random.Next(1, 4); n > 0; n--)
                    {
                        ulong value = random.Next(4) switch { 0 => ulong.MaxValue, 1 => 1UL << 31, 2 => 1UL << 40, _ => 0 };
                        BitConverter.TryWriteBytes(bytes.AsSpan(random.Next(Math.Max(1, bytes.Length - 8))), value);
                    }

                    return ("absurd words", bytes);
                case 4:
                    return AbsurdDataspace(bytes, random);
                default:
                    int start = random.Next(bytes.Length);
                    bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 256))).Fill((byte)random.Next(256));
                    return ("overwritten run", bytes);
            }
        }

        /// <summary>A dataspace length (a weight's dimension, where it is found) made absurd.</summary>
        private static (string, byte[]) AbsurdDataspace(byte[] bytes, Random random)
        {
            ulong[][] shapes = { new ulong[] { 1, 16, 16, 1 }, new ulong[] { 1, 1, 16, 16 }, new ulong[] { 16 }, new ulong[] { 1, 64, 1, 8 }, new ulong[] { 8 } };
            foreach (ulong[] shape in shapes.OrderBy(_ => random.Next()))
            {
                int at = IndexOfDimensions(bytes, shape);
                if (at >= 0)
                {
                    ulong value = random.Next(3) switch { 0 => ulong.MaxValue, 1 => 1UL << 33, _ => (ulong)random.NextInt64(1, 1L << 62) };
                    BitConverter.TryWriteBytes(bytes.AsSpan(at + 8 * random.Next(shape.Length)), value);
                    return ("absurd dataspace", bytes);
                }
            }

            return ("absurd dataspace (none found)", bytes);
        }

        private static (string, byte[]) ArchiveMutant(byte[] original, Random random)
        {
            Dictionary<string, byte[]> members;
            using (var zip = new ZipArchive(new MemoryStream(original), ZipArchiveMode.Read))
            {
                members = zip.Entries.ToDictionary(e => e.FullName, e => e.Open().ReadAllBytes());
            }

            var list = members.Select(m => (m.Key, m.Value)).ToList();
            string kind;
            switch (random.Next(7))
            {
                case 0:
                    kind = "damaged config.json";
                    list = list.Select(m => m.Key == "config.json" ? (m.Key, DamagedJson(m.Value, random)) : m).ToList();
                    break;
                case 1:
                    kind = "absurd config values";
                    list = list.Select(m => m.Key == "config.json" ? (m.Key, AbsurdValues(m.Value, random)) : m).ToList();
                    break;
                case 2:
                    kind = "member missing";
                    list.RemoveAt(random.Next(list.Count));
                    break;
                case 3:
                    kind = "members swapped";
                    byte[] config = members["config.json"];
                    list = list.Select(m => m.Key == "config.json" ? (m.Key, members["model.weights.h5"]) : m.Key == "model.weights.h5" ? (m.Key, config) : m).ToList();
                    break;
                case 4:
                    kind = "damaged model.weights.h5";
                    list = list.Select(m => m.Key == "model.weights.h5" ? (m.Key, BytesMutant(m.Value, random).Item2) : m).ToList();
                    break;
                case 5:
                    kind = "member duplicated";
                    list.Add(list[random.Next(list.Count)]);
                    break;
                default:
                    kind = "deeply nested config.json";
                    int depth = random.Next(50, 5000);
                    list = list.Select(m => m.Key == "config.json" ? (m.Key, Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth))) : m).ToList();
                    break;
            }

            var stream = new MemoryStream();
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach ((string name, byte[] bytes) in list)
                {
                    using Stream entry = zip.CreateEntry(name, random.Next(2) == 0 ? CompressionLevel.NoCompression : CompressionLevel.Fastest).Open();
                    entry.Write(bytes);
                }
            }

            return (kind, stream.ToArray());
        }

        private static byte[] DamagedJson(byte[] json, Random random)
        {
            string text = Encoding.UTF8.GetString(json);
            return Encoding.UTF8.GetBytes(random.Next(3) switch
            {
                0 => text.Substring(0, random.Next(text.Length)),
                1 => text.Remove(random.Next(text.Length), 1),
                _ => text.Insert(random.Next(text.Length), "\"}]{"[random.Next(4)].ToString()),
            });
        }

        /// <summary>Numbers and strings of the configuration replaced by absurd values (shapes, strides, names, classes).</summary>
        private static byte[] AbsurdValues(byte[] json, Random random)
        {
            string text = Encoding.UTF8.GetString(json);
            string[] keys = { "\"kernel_size\": ", "\"strides\": ", "\"dilation_rate\": ", "\"filters\": ", "\"class_name\": ", "\"name\": ", "\"layers\": ", "\"config\": ", "\"padding\": ", "\"activation\": " };
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                string key = keys[random.Next(keys.Length)];
                int at = text.IndexOf(key, random.Next(text.Length), StringComparison.Ordinal);
                if (at < 0)
                {
                    at = text.IndexOf(key, StringComparison.Ordinal);
                }

                if (at >= 0)
                {
                    int start = at + key.Length;
                    int end = ValueEnd(text, start);
                    text = text.Substring(0, start) + AbsurdJson[random.Next(AbsurdJson.Length)] + text.Substring(end);
                }
            }

            return Encoding.UTF8.GetBytes(text);
        }

        /// <summary>The end of the JSON value starting at <paramref name="start"/>: a string, a number or a bracketed value.</summary>
        private static int ValueEnd(string text, int start)
        {
            int depth = 0;
            bool inString = false;
            for (int i = start; i < text.Length; i++)
            {
                char c = text[i];
                if (inString)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '"')
                    {
                        inString = false;
                        if (depth == 0)
                        {
                            return i + 1;
                        }
                    }
                }
                else if (c == '"')
                {
                    inString = true;
                }
                else if (c is '[' or '{')
                {
                    depth++;
                }
                else if (c is ']' or '}')
                {
                    if (depth == 0)
                    {
                        return i;
                    }

                    if (--depth == 0)
                    {
                        return i + 1;
                    }
                }
                else if (c == ',' && depth == 0)
                {
                    return i;
                }
            }

            return text.Length;
        }
    }
}

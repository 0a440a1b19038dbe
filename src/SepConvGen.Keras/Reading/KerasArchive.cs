using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace SepConvGen.Keras.Reading
{
    /// <summary>
    /// The members of a Keras 3 <c>.keras</c> archive (a zip file): <c>metadata.json</c>, <c>config.json</c> and
    /// <c>model.weights.h5</c>, read into memory with sizes bounded by the archive's own length.
    /// </summary>
    internal sealed class KerasArchive
    {
        private KerasArchive(byte[]? metadata, byte[] config, byte[]? weights)
        {
            Metadata = metadata;
            Config = config;
            Weights = weights;
        }

        public byte[]? Metadata { get; }

        public byte[] Config { get; }

        /// <summary><c>model.weights.h5</c>, or null when the archive has none (a model without weights).</summary>
        public byte[]? Weights { get; }

        /// <summary>The most one member may inflate to: a fixed allowance plus a multiple of the archive's size.</summary>
        public static long MemberLimit(long archiveLength) => UntrustedFile.FixedAllowance + 32 * archiveLength;

        public static KerasArchive Read(Stream file, long length)
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var members = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            int count = 0;
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (++count > 10_000)
                {
                    throw new InvalidDataException("the archive holds more than 10,000 members, more than any Keras archive");
                }

                // Only the first of duplicate names counts, as Python's zipfile reads the last: refuse the ambiguity.
                if (!members.TryAdd(entry.FullName, entry) && entry.FullName is "config.json" or "model.weights.h5" or "metadata.json")
                {
                    throw new InvalidDataException($"the archive holds '{entry.FullName}' twice");
                }
            }

            if (!members.TryGetValue("config.json", out ZipArchiveEntry? config))
            {
                throw new InvalidDataException(
                    $"the zip archive has no 'config.json', so it is not a Keras '.keras' archive (members: {Describe(members.Keys)})");
            }

            long limit = MemberLimit(length);
            return new KerasArchive(
                members.TryGetValue("metadata.json", out ZipArchiveEntry? metadata) ? ReadMember(metadata, limit) : null,
                ReadMember(config, limit),
                members.TryGetValue("model.weights.h5", out ZipArchiveEntry? weights) ? ReadMember(weights, limit) : null);
        }

        private static byte[] ReadMember(ZipArchiveEntry entry, long limit)
        {
            if (entry.Length > limit || entry.Length < 0)
            {
                throw new InvalidDataException(
                    $"member '{entry.FullName}' claims {entry.Length} bytes, more than an archive of this size may hold ({limit} bytes at most)");
            }

            var bytes = new byte[entry.Length];
            using Stream stream = entry.Open();
            int read = 0;
            while (read < bytes.Length)
            {
                int n = stream.Read(bytes, read, bytes.Length - read);
                if (n == 0)
                {
                    throw new InvalidDataException($"member '{entry.FullName}' ends after {read} of its {bytes.Length} bytes");
                }

                read += n;
            }

            if (stream.ReadByte() >= 0)
            {
                throw new InvalidDataException($"member '{entry.FullName}' inflates past the {bytes.Length} bytes it claims");
            }

            return bytes;
        }

        private static string Describe(IEnumerable<string> names)
        {
            var shown = new List<string>();
            foreach (string name in names)
            {
                if (shown.Count == 8)
                {
                    shown.Add("...");
                    break;
                }

                shown.Add("'" + name + "'");
            }

            return shown.Count == 0 ? "none" : string.Join(", ", shown);
        }
    }
}

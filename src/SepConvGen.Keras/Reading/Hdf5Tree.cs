using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PureHDF;
using PureHDF.VOL.Native;

namespace SepConvGen.Keras.Reading
{
    /// <summary>
    /// An HDF5 file read as untrusted input: attributes and datasets are read only after their claimed sizes are
    /// checked against the file's length, and the tree is walked to a bounded depth.
    /// </summary>
    internal sealed class Hdf5Tree : IDisposable
    {
        private const int MaxDepth = 16;
        private readonly NativeFile _file;
        private readonly long _length;

        private Hdf5Tree(NativeFile file, long length)
        {
            _file = file;
            _length = length;
        }

        public IH5Group Root => _file;

        /// <summary>HDF5's signature; a file may start with it at byte 0, 512, 1024, ...</summary>
        public static ReadOnlySpan<byte> Signature => new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

        public static Hdf5Tree Open(Stream stream, long length)
        {
            var budgeted = new BudgetedStream(stream, UntrustedFile.ReadBudget(length));
            return new Hdf5Tree(H5File.Open(budgeted, leaveOpen: false), length);
        }

        public void Dispose() => _file.Dispose();

        public static IH5Group? Group(IH5Group parent, string name) =>
            parent.LinkExists(name) && parent.Get(name) is IH5Group group ? group : null;

        /// <summary>A string attribute (variable or fixed length), or null when there is none.</summary>
        public string? StringAttribute(IH5Object owner, string name)
        {
            string[] values = StringsAttribute(owner, name);
            return values.Length == 1 ? values[0] : null;
        }

        /// <summary>A string or string-array attribute; Keras writes layers without weights an empty one of another type.</summary>
        public string[] StringsAttribute(IH5Object owner, string name)
        {
            if (!owner.AttributeExists(name))
            {
                return Array.Empty<string>();
            }

            IH5Attribute attribute = owner.Attribute(name);
            if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
            {
                return Array.Empty<string>();
            }

            UntrustedFile.ElementCount(attribute.Space.Dimensions, attribute.Type.Size, _length, $"attribute '{name}'");
            return attribute.Space.Rank == 0 ? new[] { attribute.Read<string>() } : attribute.Read<string[]>();
        }

        public int[] Dimensions(IH5Dataset dataset, string path) =>
            dataset.Space.Dimensions.Select(d => d <= int.MaxValue
                ? (int)d
                : throw new InvalidDataException($"weight '{path}' claims a dimension of {d}")).ToArray();

        /// <summary>A float32 or float64 dataset as floats, after checking that the file can hold what it claims.</summary>
        public (float[] Values, int[] Shape) ReadFloats(string path)
        {
            IH5Dataset dataset = Root.Dataset(path);
            int[] shape = Dimensions(dataset, path);
            if (dataset.Type.Class != H5DataTypeClass.FloatingPoint || dataset.Type.Size is not (4 or 8))
            {
                throw new InvalidDataException($"weight '{path}' is not float32 or float64 ({dataset.Type.Class}, {dataset.Type.Size} bytes)");
            }

            UntrustedFile.ElementCount(dataset.Space.Dimensions, dataset.Type.Size, _length, $"weight '{path}'");
            float[] values = dataset.Type.Size == 8 ? Array.ConvertAll(dataset.Read<double[]>(), v => (float)v) : dataset.Read<float[]>();
            return (values, shape);
        }

        /// <summary>
        /// Every group holding a <c>vars</c> group (the Keras 3 layout), by its key: the path with backslashes
        /// (tf-keras on Windows) read as separators and the container names (<c>layers</c>,
        /// <c>_layer_checkpoint_dependencies</c>) left out, in the file's order.
        /// </summary>
        public IReadOnlyList<(string Key, string Path)> VariableGroups()
        {
            var found = new List<(string, string)>();
            Walk(Root, string.Empty, new List<string>(), 0, found);
            return found;
        }

        private static void Walk(IH5Group group, string path, List<string> key, int depth, List<(string, string)> found)
        {
            if (depth > MaxDepth)
            {
                throw new InvalidDataException($"groups nest deeper than {MaxDepth} levels at '{path}'");
            }

            foreach (IH5Object child in group.Children())
            {
                if (child is not IH5Group childGroup)
                {
                    continue;
                }

                string childPath = path.Length == 0 ? child.Name : path + "/" + child.Name;
                if (child.Name == "vars")
                {
                    if (key.Count > 0)
                    {
                        found.Add((string.Join("/", key), childPath));
                    }

                    continue;
                }

                int added = 0;
                foreach (string segment in child.Name.Split('\\'))
                {
                    if (segment.Length > 0 && segment is not ("layers" or "_layer_checkpoint_dependencies"))
                    {
                        key.Add(segment);
                        added++;
                    }
                }

                Walk(childGroup, childPath, key, depth + 1, found);
                key.RemoveRange(key.Count - added, added);
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SepConvGen.Keras.Hdf5;

namespace SepConvGen.Keras.Reading
{
    /// <summary>What the Keras reader asks of an HDF5 file: groups by name, string attributes, float weights, Keras 3's vars groups.</summary>
    internal sealed class Hdf5Tree
    {
        private const int MaxDepth = 16;
        private readonly Hdf5File _file;

        private Hdf5Tree(Hdf5File file) => _file = file;

        public Hdf5Object Root => _file.Root;

        public static Hdf5Tree Open(byte[] bytes) => new(Hdf5File.Open(bytes));

        public static Hdf5Object? Group(Hdf5Object parent, string name) => parent.Child(name) is { IsGroup: true } group ? group : null;

        /// <summary>A string attribute, or null when there is none.</summary>
        public static string? StringAttribute(Hdf5Object owner, string name) =>
            owner.StringsAttribute(name) is { Length: 1 } values ? values[0] : null;

        /// <summary>
        /// A string-array attribute; empty where there is none or it holds no strings (Keras writes layers without
        /// weights an empty one of another type). Keras 2 splits one too large for a header into <c>name0</c>, <c>name1</c>, ...
        /// </summary>
        public static string[] StringsAttribute(Hdf5Object owner, string name)
        {
            if (owner.StringsAttribute(name) is string[] values)
            {
                return values;
            }

            var parts = new List<string>();
            for (int i = 0; owner.StringsAttribute(name + i) is string[] part; i++)
            {
                parts.AddRange(part);
            }

            return parts.ToArray();
        }

        public static int[] Dimensions(Hdf5Object dataset) =>
            dataset.Dimensions().Select(d => d <= int.MaxValue
                ? (int)d
                : throw new InvalidDataException($"weight '{dataset.Path}' claims a dimension of {d}")).ToArray();

        /// <summary>The names of a Keras 3 <c>vars</c> group's datasets, 0, 1, 2, ..., in that order.</summary>
        public static IReadOnlyList<string> NumberedChildren(Hdf5Object vars)
        {
            var names = new List<string>();
            for (int i = 0; vars.Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not null; i++)
            {
                names.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return names;
        }

        /// <summary>A float32 or float64 dataset as floats, its size checked against the bytes it stores.</summary>
        public (float[] Values, int[] Shape) ReadFloats(string path)
        {
            Hdf5Object dataset = Root.Resolve(path);
            return (dataset.Value().Floats(_file, $"weight '{path}'"), Dimensions(dataset));
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

        private void Walk(Hdf5Object group, string path, List<string> key, int depth, List<(string, string)> found)
        {
            if (depth > MaxDepth)
            {
                throw new InvalidDataException($"groups nest deeper than {MaxDepth} levels at '{path}'");
            }

            foreach ((string name, Hdf5Object child) in group.Children())
            {
                _file.Spend(1);
                if (!child.IsGroup)
                {
                    continue;
                }

                string childPath = path.Length == 0 ? name : path + "/" + name;
                if (name == "vars")
                {
                    if (key.Count > 0)
                    {
                        found.Add((string.Join("/", key), childPath));
                    }

                    continue;
                }

                int added = 0;
                foreach (string segment in name.Split('\\'))
                {
                    if (segment.Length > 0 && segment is not ("layers" or "_layer_checkpoint_dependencies"))
                    {
                        key.Add(segment);
                        added++;
                    }
                }

                Walk(child, childPath, key, depth + 1, found);
                key.RemoveRange(key.Count - added, added);
            }
        }
    }
}

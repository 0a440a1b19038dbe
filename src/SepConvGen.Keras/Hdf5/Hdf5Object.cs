using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace SepConvGen.Keras.Hdf5
{
    /// <summary>A group or dataset: the messages of its object header, decoded on demand.</summary>
    internal sealed class Hdf5Object
    {
        private const int MaxNesting = 32;
        private readonly Hdf5File _file;
        private readonly List<(int Type, long Offset, int Size)> _messages = new();
        private List<(string Name, long Address)>? _links;
        private Dictionary<string, long>? _byName;

        public Hdf5Object(Hdf5File file, long address, string path)
        {
            _file = file;
            Path = path;
            if (file.Span(address, 4).SequenceEqual("OHDR"u8))
            {
                ReadVersion2(address);
            }
            else
            {
                ReadVersion1(address);
            }
        }

        /// <summary>The path it was first reached by, for messages.</summary>
        public string Path { get; }

        public bool IsDataset => Has(0x0008);

        public bool IsGroup => Has(0x0011) || Has(0x0002) || Has(0x0006) || (!IsDataset && Path == "/");

        /// <summary>The links of a group, in the file's order: name-sorted for symbol tables, creation order for compact groups.</summary>
        public IReadOnlyList<(string Name, long Address)> Links => _links ??= ReadLinks();

        public Hdf5Object? Child(string name)
        {
            if (_byName is null)
            {
                _byName = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach ((string linkName, long address) in Links)
                {
                    _byName.TryAdd(linkName, address);
                }
            }

            return _byName.TryGetValue(name, out long found) ? _file.Object(found, ChildPath(name)) : null;
        }

        /// <summary>The linked objects with the names of their links, in the file's order.</summary>
        public IEnumerable<(string Name, Hdf5Object Object)> Children() => Links.Select(l => (l.Name, _file.Object(l.Address, ChildPath(l.Name))));

        private string ChildPath(string name) => Path == "/" ? "/" + name : Path + "/" + name;

        /// <summary>The object at a path of names separated by '/' (names may hold backslashes).</summary>
        public Hdf5Object Resolve(string path)
        {
            Hdf5Object current = this;
            foreach (string name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                current = current.Child(name) ?? throw new InvalidDataException($"'{current.Path}' has no '{name}'");
            }

            return current;
        }

        public bool HasAttribute(string name) => FindAttribute(name) is not null;

        /// <summary>A string or string-array attribute, or null when there is none or it holds no strings.</summary>
        public string[]? StringsAttribute(string name)
        {
            Hdf5Value? value = FindAttribute(name);
            return value is null ? null : value.Value.Strings(_file);
        }

        public Hdf5Value Value()
        {
            if (!IsDataset)
            {
                throw new InvalidDataException($"'{Path}' is not a dataset");
            }

            Hdf5Type datatype = Hdf5Type.Read(_file, Message(0x0003), 0);
            (long dataOffset, long dataLength) = Layout();
            return new Hdf5Value(datatype, Dimensions(), dataOffset, dataLength);
        }

        /// <summary>A dataset's shape (its dataspace), without looking at its data.</summary>
        public ulong[] Dimensions()
        {
            (long offset, int size) = Message(0x0001);
            return Hdf5Value.Dataspace(_file, offset, size);
        }

        private bool Has(int type) => _messages.Any(m => m.Type == type);

        private (long Offset, int Size) Message(int type)
        {
            foreach ((int t, long offset, int size) in _messages)
            {
                if (t == type)
                {
                    return (offset, size);
                }
            }

            throw new InvalidDataException($"'{Path}' lacks a message of type {type}");
        }

        private (long Offset, long Length) Layout()
        {
            (long at, int size) = Message(0x0008);
            int version = _file.Byte(at);
            if (version is not (3 or 4))
            {
                throw new InvalidDataException($"'{Path}' has a data layout of version {version}, not 3 or 4");
            }

            return (int)_file.Byte(at + 1) switch
            {
                0 => (at + 4, _file.UInt16(at + 2) <= size - 4 ? _file.UInt16(at + 2) : throw new InvalidDataException($"'{Path}''s compact data overruns its message")),
                1 when _file.IsUndefined(at + 2) => (0, 0),
                1 => (_file.Address(at + 2), _file.Bounded(_file.LengthAt(at + 2 + _file.OffsetSize), $"'{Path}''s data")),
                int layout => throw new InvalidDataException($"'{Path}' is stored {(layout == 2 ? "in chunks" : $"with layout {layout}")}, which is not read (Keras stores weights contiguously)"),
            };
        }

        private Hdf5Value? FindAttribute(string name)
        {
            if (_messages.Any(m => m.Type == 0x0015) && !_file.IsUndefined(Message(0x0015).Offset + 2 + ((_file.Byte(Message(0x0015).Offset + 1) & 1) != 0 ? 2 : 0)))
            {
                throw new InvalidDataException($"'{Path}' keeps its attributes in dense storage, which is not read");
            }

            foreach ((int type, long offset, int size) in _messages)
            {
                if (type == 0x000C)
                {
                    (string attributeName, Hdf5Value value) = Hdf5Value.Attribute(_file, offset, size);
                    if (attributeName == name)
                    {
                        return value;
                    }
                }
            }

            return null;
        }

        private List<(string, long)> ReadLinks()
        {
            var links = new List<(string, long)>();
            foreach ((int type, long offset, int size) in _messages)
            {
                if (type == 0x0011)
                {
                    long heap = _file.Address(offset + _file.OffsetSize);
                    _file.RequireSignature(heap, "HEAP");
                    long segmentSize = _file.Bounded(_file.LengthAt(heap + 8), "a local heap");
                    long segment = _file.Address(heap + 8 + 2 * _file.LengthSize);
                    _file.Span(segment, segmentSize);
                    ReadSymbolTree(_file.Address(offset), segment, segmentSize, links, new HashSet<long>(), 0);
                }
                else if (type == 0x0002)
                {
                    int flags = _file.Byte(offset + 1);
                    if (!_file.IsUndefined(offset + 2 + ((flags & 1) != 0 ? 8 : 0)))
                    {
                        throw new InvalidDataException($"'{Path}' keeps its links in dense storage, which is not read");
                    }
                }
                else if (type == 0x0006)
                {
                    ReadLink(offset, size, links);
                }
            }

            return links;
        }

        /// <summary>Version-1 B-tree of symbol nodes (an old-style group, h5py's default).</summary>
        private void ReadSymbolTree(long node, long heap, long heapSize, List<(string, long)> links, HashSet<long> seen, int depth)
        {
            if (depth > MaxNesting || !seen.Add(node))
            {
                throw new InvalidDataException($"'{Path}''s group tree loops or nests deeper than {MaxNesting} levels");
            }

            _file.Spend(1);
            _file.RequireSignature(node, "TREE");
            if (_file.Byte(node + 4) != 0)
            {
                throw new InvalidDataException($"'{Path}''s group tree holds a node of another type");
            }

            int level = _file.Byte(node + 5);
            int entries = _file.UInt16(node + 6);
            long children = node + 8 + 2 * _file.OffsetSize;
            _file.Span(children, (long)entries * (_file.LengthSize + _file.OffsetSize) + _file.LengthSize);
            for (int i = 0; i < entries; i++)
            {
                long child = _file.Address(children + _file.LengthSize + (long)i * (_file.LengthSize + _file.OffsetSize));
                if (level > 0)
                {
                    ReadSymbolTree(child, heap, heapSize, links, seen, depth + 1);
                    continue;
                }

                _file.Spend(1);
                _file.RequireSignature(child, "SNOD");
                int symbols = _file.UInt16(child + 6);
                int entrySize = 2 * _file.OffsetSize + 24;
                _file.Span(child + 8, (long)symbols * entrySize);
                for (int s = 0; s < symbols; s++)
                {
                    long entry = child + 8 + (long)s * entrySize;
                    links.Add((_file.HeapName(heap, heapSize, _file.Offset(entry)), _file.Address(entry + _file.OffsetSize)));
                }
            }
        }

        /// <summary>A link message (a compact group): only hard links lead anywhere.</summary>
        private void ReadLink(long offset, int size, List<(string, long)> links)
        {
            long end = offset + size;
            int flags = _file.Byte(offset + 1);
            long at = offset + 2;
            int linkType = (flags & 0x08) != 0 ? _file.Byte(at++) : 0;
            at += (flags & 0x04) != 0 ? 8 : 0;
            at += (flags & 0x10) != 0 ? 1 : 0;
            int lengthSize = 1 << (flags & 3);
            ulong nameLength = _file.Unsigned(at, lengthSize);
            at += lengthSize;
            if (nameLength > (ulong)(end - at))
            {
                throw new InvalidDataException($"a link of '{Path}' has a name longer than its message");
            }

            string name = Encoding.UTF8.GetString(_file.Span(at, (long)nameLength));
            at += (long)nameLength;
            if (linkType == 0)
            {
                links.Add((name, _file.Address(at)));
            }
        }

        private void ReadVersion1(long address)
        {
            if (_file.Byte(address) != 1)
            {
                throw new InvalidDataException($"'{Path}' has no object header at {address}");
            }

            long size = _file.Bounded(_file.UInt32(address + 8), "an object header");
            ReadBlocks(address + 16, size, version: 1);
        }

        private void ReadVersion2(long address)
        {
            int flags = _file.Byte(address + 5);
            long at = address + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int sizeBytes = 1 << (flags & 3);
            long size = _file.Bounded(_file.Unsigned(at, sizeBytes), "an object header");
            ReadBlocks(at + sizeBytes, size, version: 2, creationOrder: (flags & 0x04) != 0);
        }

        /// <summary>The header's messages, following continuation blocks (each read once).</summary>
        private void ReadBlocks(long start, long size, int version, bool creationOrder = false)
        {
            var pending = new Queue<(long Start, long Size)>();
            var seen = new HashSet<long>();
            pending.Enqueue((start, size));
            while (pending.Count > 0)
            {
                (long block, long length) = pending.Dequeue();
                if (!seen.Add(block) || seen.Count > 4096)
                {
                    throw new InvalidDataException($"'{Path}''s object header continues in a loop");
                }

                _file.Span(block, length);
                long at = block;
                long end = block + length;
                int header = version == 1 ? 8 : 4 + (creationOrder ? 2 : 0);
                if (version == 2 && block != start)
                {
                    // A continuation block: its signature and checksum lie within its length (chunk 0's checksum follows it).
                    _file.RequireSignature(block, "OCHK");
                    at += 4;
                    end -= 4;
                }

                while (at + header <= end)
                {
                    _file.Spend(1);
                    int type = version == 1 ? _file.UInt16(at) : _file.Byte(at);
                    int messageSize = version == 1 ? _file.UInt16(at + 2) : _file.UInt16(at + 1);
                    long data = at + header;
                    if (messageSize > end - data)
                    {
                        throw new InvalidDataException($"a message of '{Path}''s object header runs past its block");
                    }

                    if (type == 0x0010)
                    {
                        pending.Enqueue((_file.Address(data), _file.Bounded(_file.LengthAt(data + _file.OffsetSize), "an object header continuation")));
                    }
                    else
                    {
                        _messages.Add((type, data, messageSize));
                    }

                    at = data + messageSize;
                    if (version == 1)
                    {
                        at = block + ((at - block + 7) & ~7L);
                    }
                }
            }
        }
    }
}

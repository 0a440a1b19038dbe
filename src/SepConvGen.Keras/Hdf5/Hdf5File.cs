using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SepConvGen.Keras.Hdf5
{
    /// <summary>
    /// A read-only HDF5 file held in memory, read as untrusted input: the part of the format that Keras files use
    /// (h5py's defaults and the newer layout: superblocks 0-3, object headers 1 and 2, symbol-table and compact
    /// groups, compact and contiguous datasets, attributes, global-heap strings). Every address and size read from
    /// the file is checked against the file before it is followed or anything of that size is allocated, and
    /// every walk is bounded, so a damaged file ends in <see cref="InvalidDataException"/>.
    /// </summary>
    internal sealed class Hdf5File
    {
        private const ulong Undefined = ulong.MaxValue;
        private static readonly byte[] SignatureBytes = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };
        private readonly byte[] _bytes;
        private readonly long _base;
        private readonly Dictionary<long, Hdf5Object> _objects = new();
        private readonly Dictionary<long, Dictionary<int, (long Offset, int Length)>> _globalHeaps = new();
        private long _work;

        private Hdf5File(byte[] bytes, long superblock)
        {
            _bytes = bytes;
            _base = superblock;
            int version = Byte(superblock + 8);
            long root;
            if (version is 0 or 1)
            {
                OffsetSize = Size(Byte(superblock + 13), "size of offsets");
                LengthSize = Size(Byte(superblock + 14), "size of lengths");
                long at = superblock + 24 + (version == 1 ? 4 : 0);
                _base = (long)Offset(at) + superblock;
                at += 4 * OffsetSize;
                root = Address(at + OffsetSize); // the root's symbol table entry: name offset, then header address
            }
            else if (version is 2 or 3)
            {
                OffsetSize = Size(Byte(superblock + 9), "size of offsets");
                LengthSize = Size(Byte(superblock + 10), "size of lengths");
                _base = (long)Offset(superblock + 12) + superblock;
                root = Address(superblock + 12 + 3 * OffsetSize);
            }
            else
            {
                throw new InvalidDataException($"HDF5 superblock version {version} is not one this reader knows (0 to 3)");
            }

            Root = Object(root, "/");
        }

        public int OffsetSize { get; }

        public int LengthSize { get; }

        public long Length => _bytes.Length;

        public Hdf5Object Root { get; }

        public static ReadOnlySpan<byte> Signature => SignatureBytes;

        /// <summary>Where the superblock starts (0, or after a user block of 512, 1024, ... bytes), or -1.</summary>
        public static long FindSuperblock(ReadOnlySpan<byte> bytes)
        {
            for (long at = 0; at + 8 <= bytes.Length; at = at == 0 ? 512 : at * 2)
            {
                if (bytes.Slice((int)at, 8).SequenceEqual(SignatureBytes))
                {
                    return at;
                }
            }

            return -1;
        }

        public static Hdf5File Open(byte[] bytes)
        {
            long superblock = FindSuperblock(bytes);
            if (superblock < 0)
            {
                throw new InvalidDataException("it has no HDF5 signature");
            }

            return new Hdf5File(bytes, superblock);
        }

        /// <summary>The object whose header is at <paramref name="address"/>, read once.</summary>
        public Hdf5Object Object(long address, string path)
        {
            if (!_objects.TryGetValue(address, out Hdf5Object? found))
            {
                Spend(1);
                found = new Hdf5Object(this, address, path);
                _objects[address] = found;
            }

            return found;
        }

        /// <summary>Counts work; a damaged file's loops through its own structures end here.</summary>
        public void Spend(long units)
        {
            _work += units;
            if (_work > 64 + _bytes.Length)
            {
                throw new InvalidDataException("its structures lead round in circles (more objects and nodes than the file has room for)");
            }
        }

        public ReadOnlySpan<byte> Span(long offset, long length)
        {
            if (offset < 0 || length < 0 || offset > _bytes.Length || length > _bytes.Length - offset)
            {
                throw new InvalidDataException($"a structure ({length} bytes at {offset}) lies outside the file ({_bytes.Length} bytes)");
            }

            return _bytes.AsSpan((int)offset, (int)length);
        }

        public byte Byte(long offset) => Span(offset, 1)[0];

        public ushort UInt16(long offset) => BinaryPrimitives.ReadUInt16LittleEndian(Span(offset, 2));

        public uint UInt32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(Span(offset, 4));

        /// <summary>An address field; all ones (the undefined address) reads as <see cref="ulong.MaxValue"/> whatever its size.</summary>
        public ulong Offset(long offset)
        {
            ulong value = Unsigned(offset, OffsetSize);
            return OffsetSize < 8 && value == (1UL << (8 * OffsetSize)) - 1 ? Undefined : value;
        }

        public ulong LengthAt(long offset) => Unsigned(offset, LengthSize);

        /// <summary>A little-endian unsigned number of <paramref name="size"/> bytes.</summary>
        public ulong Unsigned(long offset, int size)
        {
            ReadOnlySpan<byte> span = Span(offset, size);
            ulong value = 0;
            for (int i = size - 1; i >= 0; i--)
            {
                value = (value << 8) | span[i];
            }

            return value;
        }

        /// <summary>An address in the file (relative to the base address), checked to lie inside it.</summary>
        public long Address(long offset)
        {
            ulong value = Offset(offset);
            if (value == Undefined || value >= (ulong)(_bytes.Length - _base))
            {
                throw new InvalidDataException($"an address ({(value == Undefined ? "undefined" : value.ToString())}) points outside the file");
            }

            return (long)value + _base;
        }

        public bool IsUndefined(long offset) => Offset(offset) == Undefined;

        /// <summary>A length read from the file, checked to fit in it.</summary>
        public long Bounded(ulong value, string what) =>
            value <= (ulong)_bytes.Length ? (long)value : throw new InvalidDataException($"{what} claims {value} bytes, more than the file holds");

        public void RequireSignature(long offset, string signature)
        {
            if (!Span(offset, 4).SequenceEqual(Encoding.ASCII.GetBytes(signature)))
            {
                throw new InvalidDataException($"the structure at {offset} is not the '{signature}' it should be");
            }
        }

        /// <summary>A NUL-terminated name in a local heap's data segment.</summary>
        public string HeapName(long dataSegment, long segmentSize, ulong offset)
        {
            if (offset >= (ulong)segmentSize)
            {
                throw new InvalidDataException("a link name lies outside its local heap");
            }

            ReadOnlySpan<byte> rest = Span(dataSegment + (long)offset, segmentSize - (long)offset);
            int end = rest.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? rest : rest.Slice(0, end));
        }

        /// <summary>An object of a global heap collection (variable-length strings live there).</summary>
        public ReadOnlySpan<byte> GlobalHeapObject(long collection, int index)
        {
            if (!_globalHeaps.TryGetValue(collection, out Dictionary<int, (long, int)>? objects))
            {
                objects = ReadCollection(collection);
                _globalHeaps[collection] = objects;
            }

            return objects.TryGetValue(index, out (long Offset, int Length) found)
                ? Span(found.Offset, found.Length)
                : throw new InvalidDataException($"global heap object {index} at {collection} does not exist");
        }

        private Dictionary<int, (long, int)> ReadCollection(long address)
        {
            RequireSignature(address, "GCOL");
            long size = Bounded(LengthAt(address + 8), "a global heap collection");
            long end = address + size;
            Span(address, size);
            var objects = new Dictionary<int, (long, int)>();
            long at = address + 8 + LengthSize;
            while (at + 8 + LengthSize <= end)
            {
                Spend(1);
                int index = UInt16(at);
                if (index == 0)
                {
                    break; // the free space that ends the collection
                }

                long objectSize = Bounded(LengthAt(at + 8), "a global heap object");
                long data = at + 8 + LengthSize;
                if (objectSize > end - data)
                {
                    throw new InvalidDataException("a global heap object runs past its collection");
                }

                objects[index] = (data, (int)objectSize);
                at = data + ((objectSize + 7) & ~7L);
            }

            return objects;
        }

        private static int Size(int size, string what) =>
            size is 2 or 4 or 8 ? size : throw new InvalidDataException($"the superblock's {what} is {size}, not 2, 4 or 8");
    }
}

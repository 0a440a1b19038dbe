using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace SepConvGen.Keras.Hdf5
{
    /// <summary>A datatype, as far as Keras files need one: numbers, fixed-length and variable-length strings.</summary>
    internal readonly record struct Hdf5Type(int Class, long Size, bool BigEndian, bool VariableLengthString)
    {
        public const int FixedPoint = 0, FloatingPoint = 1, String = 3, VariableLength = 9;

        public bool IsString => Class == String || VariableLengthString;

        public static Hdf5Type Read(Hdf5File file, (long Offset, int Size) message, int depth) => Read(file, message.Offset, message.Size, depth);

        public static Hdf5Type Read(Hdf5File file, long at, long available, int depth)
        {
            if (available < 8 || depth > 4)
            {
                throw new InvalidDataException("a datatype message is too short or nests too deeply");
            }

            int kind = file.Byte(at) & 0x0F;
            int bits = file.Byte(at + 1);
            long size = file.UInt32(at + 4);
            bool variableString = kind == VariableLength && (bits & 0x0F) == 1;
            if (kind == VariableLength)
            {
                Read(file, at + 8, available - 8, depth + 1); // the base type, checked but not needed
            }

            return new Hdf5Type(kind, size, (bits & 1) != 0 && kind is FixedPoint or FloatingPoint, variableString);
        }
    }

    /// <summary>The shape, type and bytes of a dataset or attribute.</summary>
    internal readonly record struct Hdf5Value(Hdf5Type Type, ulong[] Dimensions, long DataOffset, long DataLength)
    {
        /// <summary>The number of elements, checked to fit in the stored bytes.</summary>
        public int Count
        {
            get
            {
                ulong count = 1;
                foreach (ulong d in Dimensions)
                {
                    if (d != 0 && count > (ulong)Math.Max(DataLength, 0) / d)
                    {
                        throw new InvalidDataException($"a shape ({string.Join(", ", Dimensions)}) claims more elements than its data holds");
                    }

                    count *= d;
                }

                if (count * (ulong)Math.Max(1, Type.Size) > (ulong)DataLength)
                {
                    throw new InvalidDataException($"a value claims {count} elements of {Type.Size} bytes but stores {DataLength} bytes");
                }

                return (int)count;
            }
        }

        /// <summary>The dimensions of a dataspace message (none for a scalar).</summary>
        public static ulong[] Dataspace(Hdf5File file, long at, long available)
        {
            int version = file.Byte(at);
            int rank = file.Byte(at + 1);
            int flags = file.Byte(at + 2);
            long dims = version == 1 ? at + 8 : version == 2 ? at + 4 : throw new InvalidDataException($"a dataspace message has version {version}");
            if (version == 2 && file.Byte(at + 3) == 2)
            {
                return new ulong[] { 0 }; // a null dataspace
            }

            if (rank > 32 || dims - at + (long)rank * file.LengthSize * ((flags & 1) != 0 ? 2 : 1) > available)
            {
                throw new InvalidDataException($"a dataspace of rank {rank} does not fit its message");
            }

            var dimensions = new ulong[rank];
            for (int i = 0; i < rank; i++)
            {
                dimensions[i] = file.LengthAt(dims + (long)i * file.LengthSize);
            }

            return dimensions;
        }

        /// <summary>An attribute message: its name and value (the data follows the message's name, datatype and dataspace).</summary>
        public static (string Name, Hdf5Value Value) Attribute(Hdf5File file, long at, int size)
        {
            int version = file.Byte(at);
            int nameSize = file.UInt16(at + 2), typeSize = file.UInt16(at + 4), spaceSize = file.UInt16(at + 6);
            int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
            long name = version switch
            {
                1 or 2 => at + 8,
                3 => at + 9,
                _ => throw new InvalidDataException($"an attribute message has version {version}"),
            };
            long type = name + Pad(nameSize), space = type + Pad(typeSize), data = space + Pad(spaceSize);
            long end = at + size;
            if (data > end)
            {
                throw new InvalidDataException("an attribute's name, datatype and dataspace overrun its message");
            }

            ReadOnlySpan<byte> nameBytes = file.Span(name, nameSize);
            int nul = nameBytes.IndexOf((byte)0);
            var value = new Hdf5Value(Hdf5Type.Read(file, type, typeSize, 0), Dataspace(file, space, spaceSize), data, end - data);
            return (Encoding.UTF8.GetString(nul < 0 ? nameBytes : nameBytes.Slice(0, nul)), value);
        }

        /// <summary>The value's strings, or null when it holds none.</summary>
        public string[]? Strings(Hdf5File file)
        {
            if (!Type.IsString)
            {
                return null;
            }

            int count = Count;
            var strings = new string[count];
            long element = Type.Size;
            for (int i = 0; i < count; i++)
            {
                long at = DataOffset + i * element;
                if (Type.VariableLengthString)
                {
                    long collection = file.Address(at + 4);
                    ReadOnlySpan<byte> bytes = file.GlobalHeapObject(collection, (int)file.UInt32(at + 4 + file.OffsetSize));
                    uint length = file.UInt32(at);
                    strings[i] = Encoding.UTF8.GetString(bytes.Slice(0, (int)Math.Min(length, (uint)bytes.Length)));
                }
                else
                {
                    ReadOnlySpan<byte> bytes = file.Span(at, element);
                    int nul = bytes.IndexOf((byte)0);
                    strings[i] = Encoding.UTF8.GetString(nul < 0 ? bytes : bytes.Slice(0, nul)).TrimEnd(' ');
                }
            }

            return strings;
        }

        /// <summary>A float32 or float64 value as floats.</summary>
        public float[] Floats(Hdf5File file, string what)
        {
            if (Type.Class != Hdf5Type.FloatingPoint || Type.Size is not (4 or 8) || Type.BigEndian)
            {
                throw new InvalidDataException($"{what} is not little-endian float32 or float64");
            }

            int count = Count;
            ReadOnlySpan<byte> bytes = file.Span(DataOffset, count * Type.Size);
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = Type.Size == 4
                    ? BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4))
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8));
            }

            return values;
        }
    }
}

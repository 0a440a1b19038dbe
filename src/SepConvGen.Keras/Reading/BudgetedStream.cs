using System;
using System.IO;

namespace SepConvGen.Keras.Reading
{
    /// <summary>
    /// A read-only view of a file's bytes that stops a reader after a fixed number of bytes read. The HDF5 parser
    /// follows addresses found in the file; a damaged file can send it round a cycle of object headers or B-tree
    /// nodes, and a budget proportional to the file turns that endless walk into an error.
    /// </summary>
    internal sealed class BudgetedStream : Stream
    {
        private readonly Stream _inner;
        private long _budget;

        public BudgetedStream(Stream inner, long budget)
        {
            _inner = inner;
            _budget = budget;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _inner.Position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            Spend(buffer.Length);
            return _inner.Read(buffer);
        }

        public override int ReadByte()
        {
            Spend(1);
            return _inner.ReadByte();
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Spend(1);
            long target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _inner.Position + offset,
                _ => _inner.Length + offset,
            };
            if (target < 0 || target > _inner.Length)
            {
                throw new InvalidDataException($"an address ({target}) points outside the file ({_inner.Length} bytes)");
            }

            return _inner.Seek(target, SeekOrigin.Begin);
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Spend(long bytes)
        {
            _budget -= Math.Max(bytes, 1);
            if (_budget < 0)
            {
                throw new InvalidDataException("reading it took far more work than its size allows (a damaged file can loop)");
            }
        }
    }
}

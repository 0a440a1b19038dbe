using System;
using System.Text;

namespace SepConvGen.Generator.Emitting
{
    /// <summary>Writes C# text with four-space indentation and balanced braces.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        /// <summary>Writes one line (or each line of a multi-line string) at the current indentation.</summary>
        public void WriteLine(string line = "")
        {
            foreach (string part in line.Split('\n'))
            {
                if (part.Length > 0)
                {
                    _text.Append(' ', _indent * 4);
                }

                _text.Append(part).Append('\n');
            }
        }

        /// <summary>Writes <paramref name="header"/> (if any) and "{", then indents.</summary>
        public void OpenBlock(string? header = null)
        {
            if (header is not null)
            {
                WriteLine(header);
            }

            WriteLine("{");
            _indent++;
        }

        /// <summary>
        /// Writes <paramref name="header"/> (if any) and "{", indents, and closes the block with "}" and
        /// <paramref name="suffix"/> when the returned scope is disposed: <c>using (w.Block("for (...)")) { ... }</c>.
        /// </summary>
        public Scope Block(string? header = null, string suffix = "")
        {
            OpenBlock(header);
            return new Scope(this, suffix);
        }

        /// <summary>
        /// Opens the namespace (unless global), the containing type declarations and <c>partial {keyword} {name}</c>;
        /// all of them close when the returned frame is disposed.
        /// </summary>
        public Frame TypeFrame(string ns, System.Collections.Generic.IEnumerable<string> containingTypes, string keyword, string name)
        {
            int blocks = 0;
            if (ns.Length > 0)
            {
                OpenBlock($"namespace {ns}");
                blocks++;
            }

            foreach (string outer in containingTypes)
            {
                OpenBlock(outer);
                blocks++;
            }

            OpenBlock($"partial {keyword} {name}");
            return new Frame(this, blocks + 1);
        }

        /// <summary>Unindents and writes "}" followed by <paramref name="suffix"/>.</summary>
        public void CloseBlock(string suffix = "")
        {
            _indent--;
            WriteLine("}" + suffix);
        }

        /// <summary>An open block, closed when disposed.</summary>
        public readonly struct Scope : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly string _suffix;

            public Scope(SourceWriter writer, string suffix)
            {
                _writer = writer;
                _suffix = suffix;
            }

            public void Dispose() => _writer.CloseBlock(_suffix);
        }

        /// <summary>Nested blocks, all closed when disposed.</summary>
        public readonly struct Frame : IDisposable
        {
            private readonly SourceWriter _writer;
            private readonly int _blocks;

            public Frame(SourceWriter writer, int blocks)
            {
                _writer = writer;
                _blocks = blocks;
            }

            public void Dispose()
            {
                for (int i = 0; i < _blocks; i++)
                {
                    _writer.CloseBlock();
                }
            }
        }

        public override string ToString()
        {
            if (_indent != 0)
            {
                throw new InvalidOperationException($"Unbalanced blocks: indentation ends at {_indent}.");
            }

            return _text.ToString();
        }
    }
}

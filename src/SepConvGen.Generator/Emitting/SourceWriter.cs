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

        /// <summary>Unindents and writes "}" followed by <paramref name="suffix"/>.</summary>
        public void CloseBlock(string suffix = "")
        {
            _indent--;
            WriteLine("}" + suffix);
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

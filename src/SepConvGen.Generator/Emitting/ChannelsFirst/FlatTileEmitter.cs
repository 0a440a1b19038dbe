using System.Collections.Generic;
using System.Linq;
using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>
    /// NCHW depthwise tiles as one run of pixels, for fixed-size stride-1 SAME layers whose rows fill vectors badly.
    /// The output plane then has the input's size, so output pixel q and the centre of its window are both q into
    /// their planes, and tap (ky, kx) reads the vector at q plus a constant. A tile's pixels run on across its rows:
    /// S3 (19-pixel rows, 5-row tiles) takes 6 vectors a tile instead of 10, and its depthwise step went from 0.095
    /// to 0.06 ms. Lanes whose tap column falls off their row are masked to zero (the column masks); vectors that
    /// would reach outside the plane are loaded clipped, zero outside it, which covers the rows above and below.
    /// </summary>
    internal sealed class FlatTileEmitter
    {
        private readonly LayerSpec _spec;
        private readonly KernelNames _names;

        public FlatTileEmitter(LayerSpec spec, KernelNames names)
        {
            _spec = spec;
            _names = names;
        }

        private int Width => _spec.Width.FixedInput;

        private int Height => _spec.Height.FixedInput;

        private int PlaneLength => Width * Height;

        private int RowTile => _spec.RowTile(Height, Width);

        private int TilePixels => RowTile * Width;

        private static int Vectors(int pixels) => (pixels + 15) / 16;

        /// <summary>Plane offset of tap (ky, kx) from the output pixel.</summary>
        private int Offset(int ky, int kx) =>
            (((ky * _spec.Height.Dilation) - _spec.Height.PadBefore(Height)) * Width) + ColumnShift(kx);

        /// <summary>Column offset of kernel column kx from the output column.</summary>
        private int ColumnShift(int kx) => (kx * _spec.Width.Dilation) - _spec.Width.PadBefore(Width);

        /// <summary>The kernel columns that can fall off a row (shifted columns), each with its mask.</summary>
        private IEnumerable<int> MaskedColumns => Enumerable.Range(0, _spec.Width.Kernel).Where(kx => ColumnShift(kx) != 0);

        /// <summary>Where mask <paramref name="m"/> (of <see cref="MaskedColumns"/>) holds tile pixel p.</summary>
        private static string MaskIndex(int m) => m == 0 ? "p" : $"{Literal.Int(m)} * ColumnMaskLength + p";

        /// <summary>The column masks, once per class: which pixels of a tile keep each shifted kernel column in their row.</summary>
        public void EmitColumnMasks(SourceWriter writer)
        {
            int[] columns = MaskedColumns.ToArray();
            writer.WriteLine();
            writer.WriteLine("// Flat depthwise tiles: for each kernel column that shifts, all ones at the tile pixels whose tap stays in");
            writer.WriteLine("// their row, zero where it falls off. A tile starts a row, so its pixel p is in column p % InputWidth.");
            writer.WriteLine($"private const int ColumnMaskLength = {Literal.Int(Vectors(TilePixels) * 16)}; // whole Vector512s over a tile");
            writer.WriteLine("private static readonly int[] s_sepConvColumnMasks = CreateColumnMasks();");
            writer.WriteLine();
            writer.OpenBlock("private static int[] CreateColumnMasks()");
            writer.WriteLine($"int[] masks = new int[{Literal.Int(columns.Length)} * ColumnMaskLength];");
            writer.OpenBlock("for (int p = 0; p < ColumnMaskLength; p++)");
            writer.WriteLine("int column = p % InputWidth;");
            for (int m = 0; m < columns.Length; m++)
            {
                int shift = ColumnShift(columns[m]);
                string keeps = shift < 0 ? $"column - {Literal.Int(-shift)} >= 0" : $"column + {Literal.Int(shift)} < InputWidth";
                writer.WriteLine($"masks[{MaskIndex(m)}] = {keeps} ? -1 : 0; // kernel column {Literal.Int(columns[m])}");
            }

            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("return masks;");
            writer.CloseBlock();
        }

        /// <summary>The clipped load of one vector width.</summary>
        public void EmitClippedVector(SourceWriter writer, Isa isa)
        {
            int lanes = isa.Lanes;
            string type = $"{isa.VectorType}<float>";
            writer.WriteLine();
            writer.WriteLine($"/// <summary>The {Literal.Int(lanes)} floats of the plane from <paramref name=\"start\"/> on, zero where they lie outside it.</summary>");
            writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)] // a call would make the JIT spill the tile loop's vectors");
            writer.OpenBlock($"private static {type} Clipped{isa.VectorType}({_names.Param("plane", writable: false)}, int start)");
            writer.WriteLine($"int inside = Math.Min(Math.Max(start, 0), InputHeight * InputWidth - {Literal.Int(lanes)});");
            string indices = string.Join(", ", Enumerable.Range(0, lanes).Select(Literal.Int));
            writer.WriteLine("// Lane i takes element i + start - inside of the loaded vector; indices outside it select zero.");
            writer.WriteLine($"return {isa.VectorType}.Shuffle({_names.LoadVector(isa, "plane", "inside")}, {isa.VectorType}.Create({indices}) + {isa.VectorType}.Create(start - inside));");
            writer.CloseBlock();
        }

        /// <summary>The body of a vector depthwise method over the tile's <c>rows</c> rows from <c>oy</c> on.</summary>
        public void EmitTile(SourceWriter writer, Isa isa)
        {
            int lanes = isa.Lanes;
            string type = $"{isa.VectorType}<float>";
            int kh = _spec.Height.Kernel, kw = _spec.Width.Kernel;
            int[] columns = MaskedColumns.ToArray();
            int low = Offset(0, 0), high = Offset(kh - 1, kw - 1);
            writer.WriteLine("// The tile's rows as one run of pixels (see the column masks): tap (ky, kx) of pixel q reads plane index");
            writer.WriteLine("// q + (ky * DilationHeight - PadTop) * InputWidth + kx * DilationWidth - PadLeft.");
            writer.WriteLine("const int planeLength = InputHeight * InputWidth;");
            writer.WriteLine("int first = oy * InputWidth;");
            writer.WriteLine("int pixels = rows * InputWidth;");
            writer.WriteLine(_names.IsChecked ? "ReadOnlySpan<int> masks = s_sepConvColumnMasks;" : "ref int masks = ref s_sepConvColumnMasks[0];");
            writer.OpenBlock("for (int k = 0; k < DepthwiseChannels; k++)");
            if (_spec.DepthMultiplier > 1)
            {
                writer.WriteLine("// Rows are multiplier-major (see Intermediate): row k reads input channel k % InChannels.");
            }

            writer.WriteLine(_names.Let("plane", writable: false, "image", _spec.DepthMultiplier == 1 ? "k * planeLength" : "k % InChannels * planeLength"));
            writer.WriteLine(_names.Let("w", writable: false, "weights", "k"));
            writer.WriteLine(_names.Let("target", writable: true, "row", "k * channelStride"));
            writer.WriteLine("// The channel's weights, a register each (broadcast in the loop, S3's step took twice as long).");
            for (int tap = 0; tap < kh * kw; tap++)
            {
                writer.WriteLine($"{type} weight{tap} = {Weight(isa, tap)};");
            }

            writer.WriteLine("// The last vector may run past the tile, into the padding of the channel's row in the buffer.");
            writer.OpenBlock($"for (int p = 0; p < pixels; p += {Literal.Int(lanes)})");
            writer.WriteLine("int q = first + p;");
            for (int m = 0; m < columns.Length; m++)
            {
                string mask = _names.IsChecked
                    ? $"{isa.VectorType}.Create<int>(masks.Slice({MaskIndex(m)})).AsSingle()"
                    : $"{isa.VectorType}.LoadUnsafe(ref masks, (nuint)({MaskIndex(m)})).AsSingle()";
                writer.WriteLine($"{type} keep{columns[m]} = {mask};");
            }

            int sums = System.Math.Min(kh * kw, IndependentSums);
            writer.WriteLine($"{type} {string.Join(", ", Enumerable.Range(0, sums).Select(s => $"sum{s}"))};");
            writer.OpenBlock($"if (q >= {Literal.Int(-low)} && q <= {Literal.Int(PlaneLength - lanes - high)})");
            writer.WriteLine("// Every tap's vector lies inside the plane.");
            EmitTaps(writer, sums, at => _names.LoadVector(isa, "plane", at));
            writer.CloseBlock();
            writer.OpenBlock("else");
            writer.WriteLine("// Near the plane's first or last row: lanes outside the plane are zero.");
            EmitTaps(writer, sums, at => $"Clipped{isa.VectorType}({_names.Arg("plane")}, {at})");
            writer.CloseBlock();
            writer.WriteLine();
            string total = string.Join(" + ", Enumerable.Range(0, sums).Select(s => $"sum{s}"));
            writer.WriteLine(_names.StoreVector(sums == 1 ? total : $"({total})", "target", "p"));
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>Independent sums the taps rotate through, so that several multiply-adds are in flight.</summary>
        private const int IndependentSums = 3;

        private string Weight(Isa isa, int tap) => $"{isa.VectorType}.Create({_names.At("w", tap == 0 ? "0" : $"{Literal.Int(tap)} * DepthwiseChannels")})";

        private void EmitTaps(SourceWriter writer, int sums, System.Func<string, string> load)
        {
            int kw = _spec.Width.Kernel;
            for (int ky = 0; ky < _spec.Height.Kernel; ky++)
            {
                for (int kx = 0; kx < kw; kx++)
                {
                    int tap = (ky * kw) + kx;
                    int offset = Offset(ky, kx);
                    string at = offset == 0 ? "q" : offset < 0 ? $"q - {Literal.Int(-offset)}" : $"q + {Literal.Int(offset)}";
                    string input = ColumnShift(kx) == 0 ? load(at) : $"({load(at)} & keep{kx})";
                    string weight = $"weight{tap}";
                    string sum = $"sum{tap % sums}";
                    writer.WriteLine(tap < sums ? $"{sum} = {input} * {weight};" : $"{sum} = MultiplyAdd({input}, {weight}, {sum});");
                }
            }
        }
    }
}

using SepConvGen.Generator.Model;
using SepConvGen.Generator.Planning;

namespace SepConvGen.Generator.Emitting.ChannelsFirst
{
    /// <summary>
    /// Depthwise step for NCHW: each channel is its own plane, so the row is computed plane by plane and
    /// the row buffer holds DepthwiseChannels rows of OutputWidth values.
    /// </summary>
    internal sealed partial class ChannelsFirstDepthwiseEmitter : DepthwiseEmitter
    {
        private readonly FlatTileEmitter _flat;

        public ChannelsFirstDepthwiseEmitter(LayerSpec spec, KernelNames names, KernelPlan plan)
            : base(spec, names, plan)
        {
            _flat = new FlatTileEmitter(spec, names);
        }

        protected override string ColumnStep => "DilationWidth";

        protected override string RowStep => $"DilationHeight * {Names.Size("InputWidth")}";

        protected override string RowLayout => "DepthwiseChannels rows of OutputWidth values, channelStride apart (NCHW)";

        private bool Slides(Isa isa) => Plan.DepthwiseFor(isa).Slides;

        private bool ReadsPlane(Isa isa) => Plan.DepthwiseFor(isa).ReadsPlane;

        private bool PairsRows(Isa isa) => Plan.DepthwiseFor(isa).PairsRows;

        private bool SplitsPairs(Isa isa) => Plan.DepthwiseFor(isa).SplitsPairs;

        /// <summary>Whether the window <paramref name="shift"/> lanes into low then high is loaded instead of slid (rows in pairs slide all).</summary>
        private bool LoadsWindow(Isa isa, int shift, bool pairedRows) => Plan.DepthwiseFor(isa).LoadsEveryThirdWindow && !pairedRows && shift % 3 == 0;

        protected override void EmitRowBody(SourceWriter writer, Isa isa)
        {
            if (!isa.IsScalar && Names.PadsRows)
            {
                EmitPaddedVectorRow(writer, isa);
                return;
            }

            string width = Names.Size("OutputWidth");
            writer.WriteLine($"int planeLength = {Names.Size("InputHeight")} * {Names.Size("InputWidth")};");
            if (!isa.IsScalar)
            {
                EmitRowClip(writer);
                EmitTapSteps(writer, rows: false);
            }
            else
            {
                if (Spec.Height.HasBorder)
                {
                    writer.WriteLine($"bool borderRow = oy < {Names.Size("InteriorTop")} || oy >= {Names.Size("InteriorBottom")};");
                }

                EmitTapSteps(writer);
            }

            writer.OpenBlock("for (int c = 0; c < InChannels; c++)");
            writer.WriteLine(Names.Let("plane", writable: false, "image", "c * planeLength"));
            writer.WriteLine(Names.Let("target", writable: true, "row", "c * channelStride"));
            if (isa.IsScalar && Spec.Height.HasBorder)
            {
                writer.OpenBlock("if (borderRow)");
                writer.WriteLine("// Border row: some kernel rows fall into the zero padding.");
                EmitBorderLoop(writer, "0", width);
                writer.WriteLine("continue;");
                writer.CloseBlock();
                writer.WriteLine();
            }

            (string start, string end) = InteriorColumns;
            if (Spec.Width.HasBorder)
            {
                writer.WriteLine("// Left border: some kernel columns fall into the zero padding.");
                EmitBorderLoop(writer, "0", start);
                writer.WriteLine();
            }

            writer.WriteLine(Names.Let("w", writable: false, "weights", "c"));
            if (!isa.IsScalar)
            {
                EmitVectorInterior(writer, isa, start, end);
            }
            else
            {
                writer.WriteLine("// Interior: every tap lands inside the image, at offsets fixed for the whole row.");
                writer.WriteLine(Names.Let("inputRow", writable: false, "plane", $"iy * {Names.Size("InputWidth")}"));
                writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
                writer.WriteLine(Names.Let("x", writable: false, "inputRow", Names.InputColumn));
                EmitWindow(writer, m => Names.At("target", m == "0" ? "ox" : "m * InChannels * channelStride + ox"));
                writer.CloseBlock();
            }

            if (Spec.Width.HasBorder)
            {
                writer.WriteLine();
                writer.WriteLine("// Right border.");
                EmitBorderLoop(writer, end, width);
            }

            writer.CloseBlock();
        }

        /// <summary>The column masks of flat tiles (see <see cref="FlatTileEmitter"/>).</summary>
        protected override void EmitSharedVectorHelpers(SourceWriter writer)
        {
            if (Plan.FlatTiles)
            {
                _flat.EmitColumnMasks(writer);
            }
        }

        /// <summary>The lane pickers <see cref="EmitPairSplit"/> calls (and the clipped loads of flat tiles), for one vector width.</summary>
        protected override void EmitVectorHelpers(SourceWriter writer, Isa isa)
        {
            if (Plan.FlatTiles)
            {
                _flat.EmitClippedVector(writer, isa);
            }

            if (!Names.PadsRows || !SplitsPairs(isa))
            {
                return;
            }

            // One two-source permute on AVX-512; on AVX2 one permute per vector and their lower halves joined, without
            // Vector128 values in between (a call that passes them keeps ReadyToRun from precompiling the kernel).
            int lanes = isa.Lanes;
            string type = $"{isa.VectorType}<float>";
            foreach ((string name, int first) in new[] { ("EvenLanes", 0), ("OddLanes", 1) })
            {
                bool twoSources = isa.Bits == 512;
                var indices = new System.Text.StringBuilder();
                for (int lane = 0; lane < lanes; lane++)
                {
                    int index = twoSources || lane < lanes / 2 ? (2 * lane) + first : 0;
                    indices.Append(lane == 0 ? string.Empty : ", ").Append(Literal.Int(index));
                }

                writer.WriteLine();
                writer.WriteLine($"/// <summary>The {(first == 0 ? "even" : "odd")} lanes of <paramref name=\"low\"/> then of <paramref name=\"high\"/>.</summary>");
                writer.WriteLine("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
                writer.OpenBlock($"private static {type} {name}({type} low, {type} high)");
                if (twoSources)
                {
                    writer.WriteLine($"return Avx512F.PermuteVar16x32x2(low, Vector512.Create({indices}), high);");
                }
                else
                {
                    writer.WriteLine($"{isa.VectorType}<int> pick = {isa.VectorType}.Create({indices});");
                    writer.WriteLine($"return Avx.Permute2x128({isa.VectorType}.Shuffle(low, pick), {isa.VectorType}.Shuffle(high, pick), 0x20);");
                }

                writer.CloseBlock();
            }
        }

        /// <summary>
        /// The interior columns with vectors along the row (see <see cref="EmitVectorColumns"/>), the kernel rows
        /// clipped to the image for this output row.
        /// </summary>
        private void EmitVectorInterior(SourceWriter writer, Isa isa, string start, string end)
        {
            string inputWidth = Names.Size("InputWidth");
            writer.WriteLine("// Interior columns: every kernel column lands inside the image.");
            EmitVectorColumns(writer, isa, start, end,
                ky => Names.Let("xr", writable: false, "plane", $"{InputRowOf(ky)} * {inputWidth} + {Names.InputColumn}"),
                kx => Column(kx, "TapColumnStep"),
                "plane", $"(iy + ky * DilationHeight) * {inputWidth} + {Names.InputColumn} + kx * DilationWidth");
        }

        private void EmitBorderLoop(SourceWriter writer, string start, string end)
        {
            writer.OpenBlock($"for (int ox = {start}; ox < {end}; ox++)");
            writer.WriteLine($"DepthwiseBorderPixel({Names.ArgAt("target", "ox")}, {Names.Arg("plane")}, c, iy, {Names.InputColumn}, channelStride{Names.Argument});");
            writer.CloseBlock();
        }

        protected override void EmitBorderPixel(SourceWriter writer)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Depthwise step of channel <paramref name=\"c\"/> for one pixel whose window crosses the zero padding:");
            writer.WriteLine("/// only the taps inside the image contribute, added in the same tap order as the interior code.");
            writer.WriteLine("/// </summary>");
            Names.EmitKernelAttribute(writer);
            writer.OpenBlock($"private void DepthwiseBorderPixel({Names.Param("target", writable: true)}, {Names.Param("plane", writable: false)}, int c, int iy, int ix, int channelStride{Names.Parameter})");
            EmitClippedTapRange(writer);
            writer.WriteLine(Names.LetArray("weights", "_sepConvDepthwise", "c"));
            bool multiplier = Spec.DepthMultiplier > 1;
            if (multiplier)
            {
                writer.OpenBlock("for (int m = 0; m < DepthMultiplier; m++)");
            }

            writer.WriteLine("float acc = 0f;");
            writer.OpenBlock($"for (int ky = {KyStart}; ky < {KyEnd}; ky++)");
            writer.OpenBlock($"for (int kx = {KxStart}; kx < {KxEnd}; kx++)");
            writer.WriteLine($"acc += {Names.At("plane", $"(iy + ky * DilationHeight) * {Names.Size("InputWidth")} + ix + kx * DilationWidth")}");
            writer.WriteLine($"    * {Names.At("weights", $"(ky * KernelWidth + kx) * DepthwiseChannels{(multiplier ? " + m * InChannels" : string.Empty)}")};");
            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine($"{Names.At("target", multiplier ? MultiplierRows : "0")} = acc;");
            if (multiplier)
            {
                writer.CloseBlock();
            }

            writer.CloseBlock();
        }
    }
}

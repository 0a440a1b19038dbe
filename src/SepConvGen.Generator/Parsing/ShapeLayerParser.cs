using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SepConvGen.Generator.Diagnostics;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Parsing
{
    /// <summary>
    /// Turns one <c>[Conv2D]</c>, <c>[DepthwiseConv2D]</c>, pooling or <c>[Dense]</c> application into a
    /// <see cref="ShapeLayerSpec"/> or into diagnostics, with the checks <see cref="AttributeParser"/> makes.
    /// </summary>
    internal static class ShapeLayerParser
    {
        /// <summary>The attributes this parser reads, by metadata name.</summary>
        public static readonly IReadOnlyList<(string MetadataName, ShapeLayerKind Kind)> Attributes = new[]
        {
            ("SepConvGen.Conv2DAttribute", ShapeLayerKind.Conv2D),
            ("SepConvGen.DepthwiseConv2DAttribute", ShapeLayerKind.DepthwiseConv2D),
            ("SepConvGen.MaxPooling2DAttribute", ShapeLayerKind.MaxPooling2D),
            ("SepConvGen.AveragePooling2DAttribute", ShapeLayerKind.AveragePooling2D),
            ("SepConvGen.GlobalAveragePooling2DAttribute", ShapeLayerKind.GlobalAveragePooling2D),
            ("SepConvGen.GlobalMaxPooling2DAttribute", ShapeLayerKind.GlobalMaxPooling2D),
            ("SepConvGen.DenseAttribute", ShapeLayerKind.Dense),
        };

        public static ParseResult<ShapeLayerSpec> Parse(GeneratorAttributeSyntaxContext context, ShapeLayerKind kind, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();

            // The compiler already reports a malformed attribute; add nothing to it.
            if (AttributeTarget.Read(context, cancellationToken) is not AttributeTarget target)
            {
                return new ParseResult<ShapeLayerSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            INamedTypeSymbol type = target.Type;
            TypeDeclarationSyntax declaration = target.Declaration;
            AttributeData attribute = target.Attribute;
            ArgumentLocator at = target.At;

            EquatableArray<string> containingTypes = AttributeParser.CheckType(type, declaration, diagnostics);
            var args = new AttributeParser.Arguments(attribute);
            string[] parameters = attribute.AttributeConstructor!.Parameters.Select(p => p.Name).ToArray();
            int Constructor(string name, int fallback = 0)
            {
                int index = System.Array.IndexOf(parameters, name);
                if (index < 0)
                {
                    return fallback;
                }

                int value = args.Constructor(index);
                if (name != "padding")
                {
                    AttributeParser.RequirePositive(value, name, at.Constructor(index, name), diagnostics);
                }

                return value;
            }

            int Positive(string name, int fallback)
            {
                int value = args.Named(name, fallback);
                AttributeParser.RequirePositive(value, name, at.Property(name), diagnostics);
                return value;
            }

            bool pooling = kind is ShapeLayerKind.MaxPooling2D or ShapeLayerKind.AveragePooling2D;
            bool global = kind is ShapeLayerKind.GlobalAveragePooling2D or ShapeLayerKind.GlobalMaxPooling2D;
            bool convolution = kind is ShapeLayerKind.Conv2D or ShapeLayerKind.DepthwiseConv2D;
            int inChannels = Constructor(kind == ShapeLayerKind.Dense ? "inputs" : pooling || global ? "channels" : "inChannels");
            int outChannels = kind switch
            {
                ShapeLayerKind.Conv2D => Constructor("filters"),
                ShapeLayerKind.Dense => Constructor("units"),
                _ => inChannels,
            };
            int kernelHeight = Constructor(pooling ? "poolHeight" : "kernelHeight", 1);
            int kernelWidth = Constructor(pooling ? "poolWidth" : "kernelWidth", 1);
            int padding = Constructor("padding");
            if (parameters.Contains("padding"))
            {
                AttributeParser.RequireDefined<PaddingKind>(padding, "padding", "Padding", at.Constructor(System.Array.IndexOf(parameters, "padding"), "padding"), diagnostics);
            }

            int depthMultiplier = kind == ShapeLayerKind.DepthwiseConv2D ? Positive("DepthMultiplier", 1) : 1;
            int strideHeight = convolution ? Positive("StrideHeight", 1) : pooling ? PoolStride("StrideHeight", kernelHeight) : 1;
            int strideWidth = convolution ? Positive("StrideWidth", 1) : pooling ? PoolStride("StrideWidth", kernelWidth) : 1;
            int dilationHeight = convolution ? Positive("DilationHeight", 1) : 1;
            int dilationWidth = convolution ? Positive("DilationWidth", 1) : 1;
            int PoolStride(string name, int window)
            {
                int value = args.Named(name, 0);
                if (value < 0)
                {
                    AttributeParser.RequirePositive(value, name, at.Property(name), diagnostics);
                }

                return value == 0 ? window : value;
            }

            if (convolution && (strideHeight > 1 || strideWidth > 1) && (dilationHeight > 1 || dilationWidth > 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StrideWithDilation,
                    at.Property(dilationHeight > 1 ? "DilationHeight" : "DilationWidth"), strideHeight, strideWidth, dilationHeight, dilationWidth));
            }

            int dataFormat = args.Named("DataFormat", 0);
            int activation = args.Named("Activation", 0);
            AttributeParser.RequireDefined<LayoutKind>(dataFormat, "DataFormat", "DataFormat", at.Property("DataFormat"), diagnostics);
            AttributeParser.RequireDefined<ActivationKind>(activation, "Activation", "Activation", at.Property("Activation"), diagnostics);
            int inputHeight = kind == ShapeLayerKind.Dense ? 1 : args.Named("InputHeight", 0);
            int inputWidth = kind == ShapeLayerKind.Dense ? 1 : args.Named("InputWidth", 0);
            AttributeParser.CheckInputSize(inputHeight, inputWidth, at, diagnostics);
            if (inputHeight == 0 && inputWidth == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSizeRequired, at.Attribute, kind));
            }

            if (diagnostics.Count > 0)
            {
                return new ParseResult<ShapeLayerSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            var height = new AxisPlan(global ? inputHeight : kernelHeight, strideHeight, dilationHeight, (PaddingKind)padding, inputHeight);
            var width = new AxisPlan(global ? inputWidth : kernelWidth, strideWidth, dilationWidth, (PaddingKind)padding, inputWidth);
            var spec = new ShapeLayerSpec(
                Namespace: target.Namespace,
                ContainingTypes: containingTypes,
                TypeKeyword: AttributeParser.Keyword(declaration),
                ClassName: type.Name,
                AttributeText: target.Text(kind.ToString()),
                Kind: kind,
                InChannels: inChannels,
                OutChannels: kind == ShapeLayerKind.DepthwiseConv2D ? inChannels * depthMultiplier : outChannels,
                DepthMultiplier: depthMultiplier,
                Height: height,
                Width: width,
                UseBias: args.NamedBool("UseBias", true),
                Layout: (LayoutKind)dataFormat,
                Activation: (ActivationKind)activation);
            CheckSizes(spec, at, diagnostics);
            return new ParseResult<ShapeLayerSpec>(diagnostics.Count > 0 ? null : spec, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        /// <summary>Rejects lengths that do not fit an int and fixed Valid inputs smaller than the window.</summary>
        private static void CheckSizes(ShapeLayerSpec spec, ArgumentLocator at, List<DiagnosticInfo> diagnostics)
        {
            BigInteger effectiveHeight = ((BigInteger)(spec.Height.Kernel - 1) * spec.Height.Dilation) + 1;
            BigInteger effectiveWidth = ((BigInteger)(spec.Width.Kernel - 1) * spec.Width.Dilation) + 1;
            var lengths = new List<(string Name, BigInteger Value, Location? At)>
            {
                ("The dilated kernel height", effectiveHeight, at.Property("DilationHeight")),
                ("The dilated kernel width", effectiveWidth, at.Property("DilationWidth")),
                ("The output channels", (BigInteger)spec.InChannels * spec.DepthMultiplier, at.Property("DepthMultiplier")),
                ("The kernel length", (BigInteger)spec.Height.Kernel * spec.Width.Kernel * spec.InChannels *
                                      (spec.Kind == ShapeLayerKind.DepthwiseConv2D ? spec.DepthMultiplier : spec.HasWeights ? spec.OutChannels : 1), at.Attribute),
                ("The input image length", (BigInteger)spec.Height.FixedInput * spec.Width.FixedInput * spec.InChannels, at.Property("InputHeight")),
            };
            foreach ((string name, BigInteger value, Location? location) in lengths)
            {
                if (value > int.MaxValue)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeOverflow, location, name, value));
                    return;
                }
            }

            if (spec.Height.Padding == PaddingKind.Valid && (spec.Height.FixedInput < effectiveHeight || spec.Width.FixedInput < effectiveWidth))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSmallerThanKernel, at.Property("InputHeight"),
                    spec.Height.FixedInput, spec.Width.FixedInput, effectiveHeight, effectiveWidth));
                return;
            }

            BigInteger output = (BigInteger)spec.OutputHeight * spec.OutputWidth * spec.OutChannels;
            if (output > int.MaxValue)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeOverflow, at.Property("InputHeight"), "The output image length", output));
            }
        }
    }
}

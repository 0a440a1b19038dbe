using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SepConvGen.Generator.Diagnostics;
using SepConvGen.Generator.Model;

namespace SepConvGen.Generator.Parsing
{
    /// <summary>
    /// Turns one <c>[SeparableConv]</c> application into a <see cref="LayerSpec"/> or into diagnostics.
    /// Runs for every edit of an attributed class, so it only reads the attribute and the class header.
    /// </summary>
    internal static class AttributeParser
    {
        public const string AttributeMetadataName = "SepConvGen.SeparableConvAttribute";

        public static ParseResult<LayerSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();

            // The compiler already reports a malformed attribute; add nothing to it.
            if (AttributeTarget.Read(context, cancellationToken) is not AttributeTarget target || target.Attribute.ConstructorArguments.Length != 5)
            {
                return new ParseResult<LayerSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            INamedTypeSymbol type = target.Type;
            TypeDeclarationSyntax declaration = target.Declaration;
            AttributeData attribute = target.Attribute;
            ArgumentLocator at = target.At;

            EquatableArray<string> containingTypes = CheckType(type, declaration, diagnostics);

            var args = new Arguments(attribute);
            int inChannels = args.Constructor(0);
            int outChannels = args.Constructor(1);
            int kernelHeight = args.Constructor(2);
            int kernelWidth = args.Constructor(3);
            int padding = args.Constructor(4);
            int depthMultiplier = args.Named("DepthMultiplier", 1);
            int strideHeight = args.Named("StrideHeight", 1);
            int strideWidth = args.Named("StrideWidth", 1);
            int dilationHeight = args.Named("DilationHeight", 1);
            int dilationWidth = args.Named("DilationWidth", 1);
            bool useBias = args.NamedBool("UseBias", true);
            int dataFormat = args.Named("DataFormat", 0);
            int activation = args.Named("Activation", 0);
            int inputHeight = args.Named("InputHeight", 0);
            int inputWidth = args.Named("InputWidth", 0);

            RequirePositive(inChannels, "inChannels", at.Constructor(0, "inChannels"), diagnostics);
            RequirePositive(outChannels, "outChannels", at.Constructor(1, "outChannels"), diagnostics);
            RequirePositive(kernelHeight, "kernelHeight", at.Constructor(2, "kernelHeight"), diagnostics);
            RequirePositive(kernelWidth, "kernelWidth", at.Constructor(3, "kernelWidth"), diagnostics);
            foreach (var (name, value) in new[]
            {
                ("DepthMultiplier", depthMultiplier), ("StrideHeight", strideHeight), ("StrideWidth", strideWidth),
                ("DilationHeight", dilationHeight), ("DilationWidth", dilationWidth),
            })
            {
                RequirePositive(value, name, at.Property(name), diagnostics);
            }

            RequireDefined<PaddingKind>(padding, "padding", "Padding", at.Constructor(4, "padding"), diagnostics);
            RequireDefined<LayoutKind>(dataFormat, "DataFormat", "DataFormat", at.Property("DataFormat"), diagnostics);
            RequireDefined<ActivationKind>(activation, "Activation", "Activation", at.Property("Activation"), diagnostics);

            if ((strideHeight > 1 || strideWidth > 1) && (dilationHeight > 1 || dilationWidth > 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StrideWithDilation,
                    at.Property(dilationHeight > 1 ? "DilationHeight" : "DilationWidth"),
                    strideHeight, strideWidth, dilationHeight, dilationWidth));
            }

            CheckInputSize(inputHeight, inputWidth, at, diagnostics);
            if (diagnostics.Count > 0)
            {
                return new ParseResult<LayerSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            var height = new AxisPlan(kernelHeight, strideHeight, dilationHeight, (PaddingKind)padding, inputHeight);
            var width = new AxisPlan(kernelWidth, strideWidth, dilationWidth, (PaddingKind)padding, inputWidth);
            if (!CheckSizes(inChannels, outChannels, depthMultiplier, LayerSpec.PackBlock((LayoutKind)dataFormat), height, width, at, diagnostics))
            {
                return new ParseResult<LayerSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            var spec = new LayerSpec(
                Namespace: target.Namespace,
                ContainingTypes: containingTypes,
                TypeKeyword: Keyword(declaration),
                ClassName: type.Name,
                AttributeText: target.Text("SeparableConv"),
                InChannels: inChannels,
                OutChannels: outChannels,
                DepthMultiplier: depthMultiplier,
                Height: height,
                Width: width,
                UseBias: useBias,
                Layout: (LayoutKind)dataFormat,
                Activation: (ActivationKind)activation);

            if (!spec.UnrollTaps)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TapsNotUnrolled, at.Attribute,
                    kernelHeight, kernelWidth, spec.Taps, LayerSpec.MaxUnrolledTaps));
            }

            return new ParseResult<LayerSpec>(spec, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        /// <summary>Checks that the class can take generated members; returns its containing type declarations.</summary>
        internal static EquatableArray<string> CheckType(INamedTypeSymbol type, TypeDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics)
        {
            Location name = declaration.Identifier.GetLocation();
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, name, type.Name));
            }

            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticClassNotSupported, name, type.Name));
            }

            var containing = new List<string>();
            bool generic = type.IsGenericType;
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                generic |= outer.IsGenericType;
                var outerSyntax = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().ToArray();
                if (outerSyntax.Length == 0 || !outerSyntax.Any(s => s.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, name, type.Name, outer.Name));
                }
                else
                {
                    containing.Insert(0, $"partial {Keyword(outerSyntax[0])} {outer.Name}");
                }
            }

            if (generic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericTypeNotSupported, name, type.Name));
            }

            return new EquatableArray<string>(containing);
        }

        internal static void CheckInputSize(int inputHeight, int inputWidth, ArgumentLocator at, List<DiagnosticInfo> diagnostics)
        {
            if (inputHeight < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSizeNegative, at.Property("InputHeight"), "InputHeight", inputHeight));
            }

            if (inputWidth < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSizeNegative, at.Property("InputWidth"), "InputWidth", inputWidth));
            }

            if (inputHeight > 0 && inputWidth == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSizeForOneAxis, at.Property("InputHeight"), "InputHeight", "InputWidth"));
            }
            else if (inputWidth > 0 && inputHeight == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSizeForOneAxis, at.Property("InputWidth"), "InputWidth", "InputHeight"));
            }
        }

        /// <summary>Rejects sizes whose derived lengths do not fit an int, and fixed Valid inputs smaller than the kernel.</summary>
        private static bool CheckSizes(int inChannels, int outChannels, int depthMultiplier, int packBlock, AxisPlan height, AxisPlan width,
                                       ArgumentLocator at, List<DiagnosticInfo> diagnostics)
        {
            // Exact products: three or four ints can overflow a long too (a 2147483647x2147483646 kernel did, and
            // its wrapped length passed this check).
            BigInteger effectiveHeight = ((BigInteger)(height.Kernel - 1) * height.Dilation) + 1;
            BigInteger effectiveWidth = ((BigInteger)(width.Kernel - 1) * width.Dilation) + 1;
            BigInteger depthwiseChannels = (BigInteger)inChannels * depthMultiplier;
            BigInteger packedFilters = ((BigInteger)outChannels + packBlock - 1) / packBlock * packBlock;
            // Each length is reported at the argument that contributes most to it.
            Location? inChannelsAt = at.Constructor(0, "inChannels");
            var lengths = new List<(string Name, BigInteger Value, Location? At)>
            {
                ("The dilated kernel height", effectiveHeight, at.Property("DilationHeight")),
                ("The dilated kernel width", effectiveWidth, at.Property("DilationWidth")),
                ("InChannels x DepthMultiplier", depthwiseChannels, inChannelsAt),
                // The NHWC kernels step between kernel columns by this constant.
                ("The step between kernel columns (DilationWidth x InChannels)", (BigInteger)width.Dilation * inChannels, at.Property("DilationWidth")),
                ("The depthwise kernel length", (BigInteger)height.Kernel * width.Kernel * depthwiseChannels, at.Constructor(2, "kernelHeight")),
                ("The packed pointwise kernel length", packedFilters * depthwiseChannels, at.Constructor(1, "outChannels")),
            };
            if (height.IsFixed && width.IsFixed)
            {
                lengths.Add(("The input image length", (BigInteger)height.FixedInput * width.FixedInput * inChannels, at.Property("InputHeight")));
                if (effectiveHeight <= int.MaxValue && effectiveWidth <= int.MaxValue)
                {
                    if (height.Padding == PaddingKind.Valid && (height.FixedInput < effectiveHeight || width.FixedInput < effectiveWidth))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSmallerThanKernel, at.Property("InputHeight"),
                            height.FixedInput, width.FixedInput, effectiveHeight, effectiveWidth));
                        return false;
                    }

                    BigInteger outputHeight = height.Output(height.FixedInput);
                    BigInteger outputWidth = width.Output(width.FixedInput);
                    lengths.Add(("The output image length", outputHeight * outputWidth * outChannels, at.Property("InputHeight")));
                    lengths.Add(("The depthwise row buffer length", outputWidth * depthwiseChannels, at.Property("InputWidth")));
                }
            }

            foreach ((string name, BigInteger value, Location? location) in lengths)
            {
                if (value > int.MaxValue)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeOverflow, location, name, value));
                    return false;
                }
            }

            return true;
        }

        internal static void RequirePositive(int value, string name, Location? location, List<DiagnosticInfo> diagnostics)
        {
            if (value < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ValueNotPositive, location, name, value));
            }
        }

        internal static void RequireDefined<TEnum>(int value, string name, string enumName, Location? location, List<DiagnosticInfo> diagnostics)
            where TEnum : struct, Enum
        {
            if (!Enum.IsDefined(typeof(TEnum), value))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, location, $"{name} = {value}", enumName));
            }
        }

        /// <summary>"class", "record", "struct", "record struct"...: the keyword a partial declaration must repeat.</summary>
        internal static string Keyword(TypeDeclarationSyntax declaration) =>
            declaration is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.None)
                ? $"record {record.ClassOrStructKeyword.ValueText}"
                : declaration.Keyword.ValueText;

        /// <summary>Reads attribute values by position or property name.</summary>
        internal readonly struct Arguments
        {
            private readonly AttributeData _attribute;

            public Arguments(AttributeData attribute) => _attribute = attribute;

            public int Constructor(int index) => _attribute.ConstructorArguments[index].Value is int value ? value : 0;

            public int Named(string name, int defaultValue)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
                {
                    if (argument.Key == name && argument.Value.Value is int value)
                    {
                        return value;
                    }
                }

                return defaultValue;
            }

            public bool NamedBool(string name, bool defaultValue)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
                {
                    if (argument.Key == name && argument.Value.Value is bool value)
                    {
                        return value;
                    }
                }

                return defaultValue;
            }
        }
    }
}

using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SepConvGen.Generator.Parsing
{
    /// <summary>An attributed class and its attribute, as every layer parser reads them.</summary>
    internal sealed class AttributeTarget
    {
        private static readonly Regex Whitespace = new Regex(@"\s+", RegexOptions.Compiled);

        private readonly AttributeSyntax? _syntax;

        private AttributeTarget(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData attribute, AttributeSyntax? syntax)
        {
            Type = type;
            Declaration = declaration;
            Attribute = attribute;
            _syntax = syntax;
            At = new ArgumentLocator(syntax, declaration.Identifier.GetLocation());
        }

        public INamedTypeSymbol Type { get; }

        public TypeDeclarationSyntax Declaration { get; }

        public AttributeData Attribute { get; }

        public ArgumentLocator At { get; }

        /// <summary>The class's namespace, empty for the global one.</summary>
        public string Namespace => Type.ContainingNamespace.IsGlobalNamespace ? string.Empty : Type.ContainingNamespace.ToDisplayString();

        /// <summary>The class and its attribute; null where the compiler already reports the attribute as malformed.</summary>
        public static AttributeTarget? Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            AttributeData attribute = context.Attributes[0];
            if (attribute.AttributeConstructor is null ||
                attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error) ||
                attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
            {
                return null;
            }

            return new AttributeTarget((INamedTypeSymbol)context.TargetSymbol, (TypeDeclarationSyntax)context.TargetNode, attribute,
                attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax);
        }

        /// <summary>The attribute as written, on one line, for the generated file's header.</summary>
        public string Text(string fallback) => _syntax is null ? fallback : Whitespace.Replace(_syntax.ToString(), " ");
    }
}

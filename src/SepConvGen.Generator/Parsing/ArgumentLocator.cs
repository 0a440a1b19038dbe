using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SepConvGen.Generator.Parsing
{
    /// <summary>Finds the syntax of one attribute argument, so a diagnostic points at the value that is wrong.</summary>
    internal sealed class ArgumentLocator
    {
        private readonly AttributeSyntax? _attribute;
        private readonly Location? _fallback;

        public ArgumentLocator(AttributeSyntax? attribute, Location? fallback)
        {
            _attribute = attribute;
            _fallback = attribute?.GetLocation() ?? fallback;
        }

        /// <summary>The attribute as a whole.</summary>
        public Location? Attribute => _fallback;

        /// <summary>A constructor argument, written by position or as <c>name: value</c>.</summary>
        public Location? Constructor(int index, string parameterName)
        {
            if (_attribute?.ArgumentList is null)
            {
                return _fallback;
            }

            AttributeArgumentSyntax? byName = _attribute.ArgumentList.Arguments.FirstOrDefault(
                a => a.NameColon is not null && a.NameColon.Name.Identifier.ValueText == parameterName);
            if (byName is not null)
            {
                return byName.GetLocation();
            }

            AttributeArgumentSyntax[] positional = _attribute.ArgumentList.Arguments
                .Where(a => a.NameColon is null && a.NameEquals is null).ToArray();
            return index < positional.Length ? positional[index].GetLocation() : _fallback;
        }

        /// <summary>A property set as <c>Name = value</c>.</summary>
        public Location? Property(string propertyName)
        {
            AttributeArgumentSyntax? argument = _attribute?.ArgumentList?.Arguments.FirstOrDefault(
                a => a.NameEquals is not null && string.Equals(a.NameEquals.Name.Identifier.ValueText, propertyName, StringComparison.Ordinal));
            return argument?.GetLocation() ?? _fallback;
        }
    }
}

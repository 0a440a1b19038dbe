using System.Collections.Generic;

namespace SepConvGen.Generator.Model
{
    internal static class TypeNames
    {
        /// <summary>Namespace, containing types (from their <c>partial class Name</c> declarations) and class, dot-separated.</summary>
        public static string Qualified(string ns, EquatableArray<string> containingTypes, string className)
        {
            var parts = new List<string>();
            if (ns.Length > 0)
            {
                parts.Add(ns);
            }

            foreach (string declaration in containingTypes)
            {
                parts.Add(declaration.Substring(declaration.LastIndexOf(' ') + 1));
            }

            parts.Add(className);
            return string.Join(".", parts);
        }
    }
}

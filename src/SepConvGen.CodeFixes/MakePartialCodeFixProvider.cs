using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SepConvGen.CodeFixes
{
    /// <summary>
    /// Fixes SCG0001 (the layer class is not partial) and SCG0002 (a containing type is not partial) by adding
    /// the <c>partial</c> modifier where it is missing.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
    public sealed class MakePartialCodeFixProvider : CodeFixProvider
    {
        public const string TypeNotPartialId = "SCG0001";
        public const string ContainingTypeNotPartialId = "SCG0002";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(TypeNotPartialId, ContainingTypeNotPartialId);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            TypeDeclarationSyntax? layer = root?.FindToken(context.Span.Start).Parent?
                .AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (root is null || layer is null)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                // SCG0001 names the layer itself; SCG0002 every enclosing type that lacks the modifier.
                TypeDeclarationSyntax[] targets = (diagnostic.Id == TypeNotPartialId
                        ? new[] { layer }
                        : layer.Ancestors().OfType<TypeDeclarationSyntax>())
                    .Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword))
                    .ToArray();
                if (targets.Length == 0)
                {
                    continue;
                }

                string title = targets.Length == 1 ? $"Make '{targets[0].Identifier.ValueText}' partial" : "Make the containing types partial";
                context.RegisterCodeFix(
                    CodeAction.Create(title, cancellationToken => MakePartialAsync(context.Document, root, targets, cancellationToken), equivalenceKey: diagnostic.Id),
                    diagnostic);
            }
        }

        private static Task<Document> MakePartialAsync(Document document, SyntaxNode root, IEnumerable<TypeDeclarationSyntax> targets, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SyntaxNode fixedRoot = root.ReplaceNodes(targets, (_, rewritten) => AddPartial(rewritten));
            return Task.FromResult(document.WithSyntaxRoot(fixedRoot));
        }

        /// <summary>Adds <c>partial</c> as the last modifier (where C# requires it), keeping the declaration's trivia.</summary>
        private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
        {
            SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            if (declaration.Modifiers.Count > 0)
            {
                return declaration.AddModifiers(partial);
            }

            // No modifiers: the keyword's leading trivia (indentation, comments) moves in front of 'partial'.
            SyntaxToken keyword = declaration.Keyword;
            return declaration
                .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
        }
    }
}

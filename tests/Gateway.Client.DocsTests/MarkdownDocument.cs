namespace Gateway.Client.DocsTests;

/// <summary>What the reader found in one Markdown file.</summary>
/// <param name="File">The file, relative to the repository root, with forward slashes.</param>
/// <param name="CodeBlocks">Every fenced code block, in order, whatever its language.</param>
/// <param name="UnattachedAnnotations">Snippet comments not right before a <c>csharp</c> block (a mistake: they apply to nothing).</param>
public sealed record MarkdownDocument(string File, IReadOnlyList<DocumentationCodeBlock> CodeBlocks, IReadOnlyList<SnippetAnnotation> UnattachedAnnotations);

namespace Gateway.Client.DocsTests;

/// <summary>One fenced code block of a Markdown file.</summary>
/// <param name="File">The Markdown file, relative to the repository root, with forward slashes.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Language">The fence's info string up to its first space (<c>csharp</c>, <c>bash</c>, ...), as written.</param>
/// <param name="Code">The block's lines, without the fences and without the fence's indentation.</param>
/// <param name="Annotation">The <c>&lt;!-- snippet: ... --&gt;</c> comment right before the fence, if any.</param>
public sealed record DocumentationCodeBlock(string File, int Line, string Language, string Code, SnippetAnnotation? Annotation)
{
    /// <summary>How a test case names the block: <c>README.md:50</c>.</summary>
    public string Id => $"{File}:{Line}";

    /// <summary>The 1-based line of the block's first line of code.</summary>
    public int FirstCodeLine => Line + 1;

    public bool IsCSharp => Language == "csharp";
}

namespace Gateway.Client.DocsTests;

/// <summary>The reader finds every fenced block with its line and the snippet comment that belongs to it.</summary>
public class MarkdownCodeBlockReaderTests
{
    private static MarkdownDocument Read(params string[] lines) => MarkdownCodeBlockReader.Read("doc.md", string.Join("\n", lines));

    [Fact]
    public void A_block_is_named_by_its_file_and_the_line_of_its_opening_fence()
    {
        var document = Read("# Title", "", "```csharp", "var x = 1;", "```", "", "```bash", "ls", "```");

        Assert.Collection(
            document.CodeBlocks,
            block => Assert.Equal(("doc.md:3", "csharp", "var x = 1;\n", 4), (block.Id, block.Language, block.Code, block.FirstCodeLine)),
            block => Assert.Equal(("doc.md:7", "bash", "ls\n"), (block.Id, block.Language, block.Code)));
    }

    [Fact]
    public void The_snippet_comment_right_before_a_block_is_its_prelude_blank_lines_between_allowed()
    {
        var document = Read("text", "<!-- snippet: CancellationToken ct = default; -->", "", "```csharp", "ct.ThrowIfCancellationRequested();", "```");

        var annotation = Assert.Single(document.CodeBlocks).Annotation;
        Assert.Equal(new SnippetAnnotation(2, 2, "CancellationToken ct = default;"), annotation);
        Assert.Equal("CancellationToken ct = default;", annotation!.Prelude);
        Assert.Empty(document.UnattachedAnnotations);
    }

    [Fact]
    public void A_prelude_may_span_lines_and_starts_where_its_code_does()
    {
        var document = Read("<!-- snippet:", "  int a = 1;", "  int b = 2; -->", "```csharp", "var c = a + b;", "```");

        var annotation = Assert.Single(document.CodeBlocks).Annotation!;
        Assert.Equal((1, 2, "int a = 1;\n  int b = 2;"), (annotation.Line, annotation.TextLine, annotation.Text));
    }

    [Fact]
    public void A_snippet_comment_with_text_between_it_and_the_block_or_before_another_language_applies_to_nothing()
    {
        var document = Read(
            "<!-- snippet: int a = 1; -->", "Some prose.", "```csharp", "a++;", "```",
            "<!-- snippet: int b = 1; -->", "```bash", "ls", "```",
            "<!-- snippet: int c = 1; -->");

        Assert.All(document.CodeBlocks, block => Assert.Null(block.Annotation));
        Assert.Equal([1, 6, 10], document.UnattachedAnnotations.Select(annotation => annotation.Line));
    }

    [Fact]
    public void Other_html_comments_are_not_snippet_comments()
    {
        var document = Read("<!-- a note for editors -->", "```csharp", "var x = 1;", "```");

        Assert.Null(Assert.Single(document.CodeBlocks).Annotation);
        Assert.Empty(document.UnattachedAnnotations);
    }

    [Fact]
    public void Indented_fences_in_lists_tilde_fences_and_longer_fences_are_read()
    {
        var document = Read(
            "- item", "   ```csharp", "   var x = 1;", "     x++;", "   ```",
            "~~~csharp", "var y = 2;", "~~~",
            "````markdown", "```csharp", "not a block of its own", "```", "````");

        Assert.Equal(
            ["csharp:var x = 1;\n  x++;\n", "csharp:var y = 2;\n", "markdown:```csharp\nnot a block of its own\n```\n"],
            document.CodeBlocks.Select(block => $"{block.Language}:{block.Code}"));
    }

    [Theory]
    [InlineData("skip (pseudo-code)", true, "pseudo-code")]
    [InlineData("skip(the old API, kept for comparison)", true, "the old API, kept for comparison")]
    [InlineData("skip", true, null)]
    [InlineData("skip ()", true, null)]
    [InlineData("skipped = 1;", false, null)]
    [InlineData("int x = 1;", false, null)]
    public void A_skip_marker_carries_its_reason_in_parentheses(string text, bool isSkip, string? reason)
    {
        var annotation = new SnippetAnnotation(1, 1, text);

        Assert.Equal((isSkip, reason), (annotation.IsSkip, annotation.SkipReason));
        Assert.Equal(isSkip ? "" : text, annotation.Prelude);
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Client.DocsTests;

/// <summary>
/// Reads the fenced code blocks of a Markdown file (backtick or tilde fences, indented ones inside lists included)
/// and the snippet comment that stands right before each, with only blank lines between the two.
/// </summary>
public static partial class MarkdownCodeBlockReader
{
    public static MarkdownDocument Read(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<DocumentationCodeBlock>();
        var unattached = new List<SnippetAnnotation>();
        SnippetAnnotation? pending = null;

        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            if (OpeningFence().Match(line) is { Success: true } opening)
            {
                var indent = opening.Groups["indent"].Value.Length;
                var fence = opening.Groups["fence"].Value;
                var language = opening.Groups["info"].Value.Trim().Split(' ', 2)[0];
                var openingLine = index + 1;
                var code = new StringBuilder();
                for (index++; index < lines.Length && !IsClosingFence(lines[index], fence); index++)
                {
                    code.Append(Unindent(lines[index], indent)).Append('\n');
                }

                var annotation = pending is not null && language == "csharp" ? pending : null;
                if (pending is not null && annotation is null)
                {
                    unattached.Add(pending);
                }

                pending = null;
                blocks.Add(new DocumentationCodeBlock(file, openingLine, language, code.ToString(), annotation));
                continue;
            }

            if (SnippetCommentStart().Match(line) is { Success: true } comment)
            {
                if (pending is not null)
                {
                    unattached.Add(pending);
                }

                var startLine = index + 1;
                var text = new StringBuilder(comment.Groups["rest"].Value);
                while (!text.ToString().Contains("-->", StringComparison.Ordinal) && index + 1 < lines.Length)
                {
                    text.Append('\n').Append(lines[++index]);
                }

                var body = text.ToString();
                var end = body.IndexOf("-->", StringComparison.Ordinal);
                var content = end < 0 ? body : body[..end];
                var leading = content[..(content.Length - content.TrimStart().Length)];
                pending = new SnippetAnnotation(startLine, startLine + leading.Count(c => c == '\n'), content.Trim());
                continue;
            }

            if (pending is not null && !string.IsNullOrWhiteSpace(line))
            {
                unattached.Add(pending);
                pending = null;
            }
        }

        if (pending is not null)
        {
            unattached.Add(pending);
        }

        return new MarkdownDocument(file, blocks, unattached);
    }

    private static bool IsClosingFence(string line, string openingFence) =>
        ClosingFence().Match(line) is { Success: true } closing
        && closing.Groups["fence"].Value[0] == openingFence[0]
        && closing.Groups["fence"].Value.Length >= openingFence.Length;

    private static string Unindent(string line, int indent)
    {
        var remove = 0;
        while (remove < indent && remove < line.Length && line[remove] == ' ')
        {
            remove++;
        }

        return line[remove..];
    }

    [GeneratedRegex(@"^(?<indent> *)(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^ *(?<fence>`{3,}|~{3,}) *$")]
    private static partial Regex ClosingFence();

    [GeneratedRegex(@"^\s*<!--\s*snippet:(?<rest>.*)$")]
    private static partial Regex SnippetCommentStart();
}

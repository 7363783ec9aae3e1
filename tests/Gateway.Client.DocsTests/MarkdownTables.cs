using System.Text.RegularExpressions;

namespace Gateway.Client.DocsTests;

/// <summary>Reads what a Markdown file's tables list: the code spans of a table's first column.</summary>
public static partial class MarkdownTables
{
    /// <summary>
    /// The names in code spans (<c>`Name`</c>) in the first column of the first table under the heading
    /// <paramref name="heading"/> of <paramref name="file"/> (relative to the repository root), header row excluded.
    /// </summary>
    public static IReadOnlyList<string> FirstColumnNames(string file, string heading)
    {
        var lines = File.ReadAllLines(Path.Combine(DocumentationFiles.RepositoryRoot, file));
        var start = Array.FindIndex(lines, line => HeadingText(line) == heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"{file} has no heading '{heading}'.");
        }

        var rows = lines
            .Skip(start + 1)
            .TakeWhile(line => HeadingText(line) is null)
            .SkipWhile(line => !line.StartsWith('|'))
            .TakeWhile(line => line.StartsWith('|'))
            .Skip(2)
            .ToList();
        if (rows.Count == 0)
        {
            throw new InvalidOperationException($"{file} has no table under '{heading}'.");
        }

        return rows
            .SelectMany(row => CodeSpan().Matches(row.Split('|')[1]).Select(match => match.Groups["name"].Value))
            .ToList();
    }

    /// <summary>The text of a Markdown heading line (<c>## Options</c>: <c>Options</c>), or null for another line.</summary>
    public static string? HeadingText(string line) => Heading().Match(line) is { Success: true } match ? match.Groups["text"].Value.Trim() : null;

    [GeneratedRegex("`(?<name>[^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+)$")]
    private static partial Regex Heading();
}

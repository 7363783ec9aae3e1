using System.Text.RegularExpressions;

namespace Gateway.Client.DocsTests;

/// <summary>
/// The <c>&lt;!-- snippet: ... --&gt;</c> comment right before a code block: either C# the block relies on
/// (its prelude), <c>skip (reason)</c> for a block that is deliberately not compilable C#, or <c>run</c> for a complete
/// program that is also run (against a TestGateway standing in for the gateway it names).
/// </summary>
/// <param name="Line">The 1-based line of the comment's <c>&lt;!--</c> in its Markdown file.</param>
/// <param name="TextLine">The 1-based line where <see cref="Text"/> starts (the prelude's first line).</param>
/// <param name="Text">What follows <c>snippet:</c>, up to the <c>--&gt;</c>, trimmed.</param>
public sealed partial record SnippetAnnotation(int Line, int TextLine, string Text)
{
    public bool IsSkip => SkipWord().IsMatch(Text);

    /// <summary>Whether the block is a complete program that the tests also run.</summary>
    public bool IsRun => Text == "run";

    /// <summary>The reason a skipped block gives, or null when it gives none (which the tests refuse).</summary>
    public string? SkipReason => IsSkip && SkipWithReason().Match(Text) is { Success: true } match
        ? match.Groups["reason"].Value.Trim() is { Length: > 0 } reason ? reason : null
        : null;

    /// <summary>The C# to compile before the block (declarations of what it uses without declaring); empty for a skip.</summary>
    public string Prelude => IsSkip || IsRun ? "" : Text;

    [GeneratedRegex(@"^skip\b")]
    private static partial Regex SkipWord();

    [GeneratedRegex(@"^skip\s*\((?<reason>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex SkipWithReason();
}

using System.Text.RegularExpressions;

namespace Gateway.Client.DocsTests;

/// <summary>
/// Every relative link in the README, CONTRIBUTING.md, docs/ and the samples' and tools' READMEs, and every link into
/// this repository from a package README (absolute, since NuGet shows them), leads somewhere: the file exists, and a
/// <c>#fragment</c> names a heading of it (GitHub's anchors). Moving a section cannot leave a dead link.
/// </summary>
public partial class DocumentationLinkTests
{
    private const string RepositoryBlob = "https://github.com/gateway-client/gateway-client/blob/main/";

    private static readonly string[] Files = ["README.md", "CONTRIBUTING.md", "docs/*.md", "samples/*/README.md", "tools/*/README.md", "src/*/README.md"];

    [Fact]
    public void Every_relative_link_leads_to_a_file_and_heading_that_exist()
    {
        var dead = new List<string>();
        foreach (var file in MarkdownFiles())
        {
            var text = File.ReadAllText(Path.Combine(DocumentationFiles.RepositoryRoot, file));
            foreach (Match link in RelativeLink().Matches(StripCode(text)))
            {
                var target = link.Groups["target"].Value;
                if (target.StartsWith("http", StringComparison.Ordinal))
                {
                    if (!target.StartsWith(RepositoryBlob, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    target = "/" + target[RepositoryBlob.Length..];
                }

                var hash = target.IndexOf('#');
                var path = hash < 0 ? target : target[..hash];
                var fragment = hash < 0 ? null : target[(hash + 1)..];
                var from = path.StartsWith('/') ? DocumentationFiles.RepositoryRoot : Path.Combine(DocumentationFiles.RepositoryRoot, Path.GetDirectoryName(file)!);
                var resolved = path.Length == 0 ? file : Path.GetRelativePath(DocumentationFiles.RepositoryRoot, Path.GetFullPath(Path.Combine(from, path.TrimStart('/')))).Replace('\\', '/');
                var full = Path.Combine(DocumentationFiles.RepositoryRoot, resolved);
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    dead.Add($"{file}: ({target}): no {resolved}");
                }
                else if (fragment is not null && File.Exists(full) && !Anchors(full).Contains(fragment))
                {
                    dead.Add($"{file}: ({target}): {resolved} has no heading #{fragment}");
                }
            }
        }

        Assert.True(dead.Count == 0, "Dead links:\n" + string.Join("\n", dead));
    }

    [Theory]
    [InlineData("Requests: at most once", "requests-at-most-once")]
    [InlineData("In a hosted app (Generic Host, DI, configuration)", "in-a-hosted-app-generic-host-di-configuration")]
    [InlineData("Bounds (`GatewayTurnOptions`)", "bounds-gatewayturnoptions")]
    public void A_heading_s_anchor_is_GitHub_s(string heading, string anchor) => Assert.Equal(anchor, Slug(heading));

    private static IEnumerable<string> MarkdownFiles() => Files.SelectMany(DocumentationFiles.Matching).Distinct(StringComparer.Ordinal);

    private static HashSet<string> Anchors(string path) =>
        File.ReadLines(path).Select(MarkdownTables.HeadingText).OfType<string>().Select(Slug).ToHashSet(StringComparer.Ordinal);

    /// <summary>GitHub's heading anchor: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens.</summary>
    private static string Slug(string heading) =>
        string.Concat(heading.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    /// <summary>Code blocks and code spans hold no links.</summary>
    private static string StripCode(string markdown) => CodeSpan().Replace(Fence().Replace(markdown, ""), "");

    [GeneratedRegex(@"\]\((?<target>(?!mailto:)[^)\s]+)\)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex("`[^`\n]*`")]
    private static partial Regex CodeSpan();
}

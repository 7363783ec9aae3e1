namespace Gateway.Client.DocsTests;

/// <summary>
/// The Markdown files whose code blocks are checked: the README, docs/*.md and every package's and sample's own
/// README (what NuGet shows).
/// </summary>
public static class DocumentationFiles
{
    private static readonly Lazy<IReadOnlyList<MarkdownDocument>> Documents = new(ReadAll);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static IReadOnlyList<MarkdownDocument> All => Documents.Value;

    public static IEnumerable<DocumentationCodeBlock> CodeBlocks => All.SelectMany(document => document.CodeBlocks);

    public static IEnumerable<DocumentationCodeBlock> CSharpBlocks => CodeBlocks.Where(block => block.IsCSharp);

    public static DocumentationCodeBlock CSharpBlock(string id) =>
        CSharpBlocks.SingleOrDefault(block => block.Id == id)
        ?? throw new InvalidOperationException($"No csharp block {id} (the Markdown changed since the tests were discovered?)");

    private static IReadOnlyList<MarkdownDocument> ReadAll()
    {
        string[] patterns = ["README.md", "docs/*.md", "src/*/README.md", "tools/*/README.md", "samples/*/README.md"];
        return patterns
            .SelectMany(Matching)
            .Distinct(StringComparer.Ordinal)
            .Select(file => MarkdownCodeBlockReader.Read(file, File.ReadAllText(Path.Combine(RepositoryRoot, file))))
            .ToList();
    }

    /// <summary>The files a pattern names (<c>README.md</c>, <c>docs/*.md</c>, <c>src/*/README.md</c>), relative to the root, in order.</summary>
    public static IEnumerable<string> Matching(string pattern)
    {
        var slash = pattern.LastIndexOf('/');
        var fileName = pattern[(slash + 1)..];
        IEnumerable<string> folders = slash < 0 ? [""] : FoldersMatching(pattern[..slash]);
        return folders
            .SelectMany(folder => Directory.Exists(Path.Combine(RepositoryRoot, folder))
                ? Directory.GetFiles(Path.Combine(RepositoryRoot, folder), fileName)
                : [])
            .Select(path => Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    private static IEnumerable<string> FoldersMatching(string folderPattern)
    {
        if (!folderPattern.EndsWith("/*", StringComparison.Ordinal))
        {
            return [folderPattern];
        }

        var parent = Path.Combine(RepositoryRoot, folderPattern[..^2]);
        return Directory.Exists(parent)
            ? Directory.GetDirectories(parent).Select(path => Path.GetRelativePath(RepositoryRoot, path))
            : [];
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayClient.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (GatewayClient.sln) was not found above " + AppContext.BaseDirectory);
    }
}

namespace Gateway.Client.DocsTests;

/// <summary>
/// Every ```csharp block of the README, docs/*.md and the package and tool READMEs compiles against the real
/// assemblies, so no name in the documentation can drift from the API.
/// </summary>
/// <remarks>
/// The convention (docs/architecture.md, "Where each kind of change goes"):
/// <list type="bullet">
/// <item>C# is fenced as ```csharp, never ```cs or ```c#.</item>
/// <item>A block is compiled as a program with top-level statements (as a library when it has no statements), with
/// the global usings in <see cref="SnippetCompiler.GlobalUsings"/> (an app's implicit usings, System.Text.Json's
/// namespaces and Gateway.Client); it writes any other using itself. Its types follow its statements, as in a
/// Program.cs. System.Text.Json's source generator runs. Only errors fail.</item>
/// <item>A complete program marked <c>&lt;!-- snippet: run --&gt;</c> is also run, to its end, against a TestGateway
/// standing in for <c>ws://127.0.0.1:8765/ws</c> (<see cref="SnippetRunner"/>).</item>
/// <item>What a block uses without declaring it (<c>client</c>, <c>ct</c>, <c>builder</c>, a <c>Handle</c> helper)
/// is declared in an HTML comment right before it, which GitHub and NuGet do not show:
/// <c>&lt;!-- snippet: IGatewayClient client = null!; CancellationToken ct = default; --&gt;</c>. That prelude may
/// hold usings, statements, local functions and types.</item>
/// <item>A block that is deliberately not compilable C# (pseudo-code, an old API shown for comparison) is marked
/// <c>&lt;!-- snippet: skip (the reason) --&gt;</c>; the reason is required.</item>
/// </list>
/// </remarks>
public class DocumentationCodeBlockTests
{
    public static TheoryData<CodeBlockId> CompiledBlocks =>
        new(DocumentationFiles.CSharpBlocks.Where(block => block.Annotation is not { IsSkip: true }).Select(block => new CodeBlockId(block.Id)));

    [Theory]
    [MemberData(nameof(CompiledBlocks))]
    public void Each_csharp_block_compiles(CodeBlockId block)
    {
        var errors = SnippetCompiler.Errors(DocumentationFiles.CSharpBlock(block.Value));

        Assert.True(errors.Count == 0, $"The ```csharp block at {block} does not compile:\n{string.Join("\n", errors)}");
    }

    public static TheoryData<CodeBlockId> RunnableBlocks =>
        new(DocumentationFiles.CSharpBlocks.Where(block => block.Annotation is { IsRun: true }).Select(block => new CodeBlockId(block.Id)));

    [Theory]
    [MemberData(nameof(RunnableBlocks))]
    public async Task Each_runnable_block_runs_to_its_end(CodeBlockId block)
    {
        await SnippetRunner.RunAsync(DocumentationFiles.CSharpBlock(block.Value));
    }

    [Fact]
    public async Task The_readme_s_hello_world_runs_and_prints_the_agent_s_answer()
    {
        var readme = Assert.Single(DocumentationFiles.All, document => document.File == "README.md");
        var hello = readme.CodeBlocks.First(block => block.IsCSharp);
        Assert.True(hello.Annotation is { IsRun: true }, "The README's first C# block is its hello world, marked <!-- snippet: run -->.");
        var lines = hello.Code.TrimEnd('\n').Split('\n').Length;
        Assert.True(lines <= 8, $"The hello world has {lines} lines; at most 8.");

        var output = await SnippetRunner.RunAsync(hello);

        Assert.Contains("hello", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_skipped_block_says_why()
    {
        var unexplained = DocumentationFiles.CSharpBlocks
            .Where(block => block.Annotation is { IsSkip: true, SkipReason: null })
            .Select(block => block.Id)
            .ToList();

        Assert.True(unexplained.Count == 0, $"Write <!-- snippet: skip (the reason) --> before: {string.Join(", ", unexplained)}");
    }

    [Fact]
    public void CSharp_is_fenced_as_csharp_so_that_every_block_is_compiled()
    {
        string[] otherSpellings = ["cs", "c#", "csharp"];
        var misfenced = DocumentationFiles.CodeBlocks
            .Where(block => otherSpellings.Contains(block.Language, StringComparer.OrdinalIgnoreCase) && !block.IsCSharp)
            .Select(block => $"{block.Id} (```{block.Language})")
            .ToList();

        Assert.True(misfenced.Count == 0, $"Fence C# as ```csharp: {string.Join(", ", misfenced)}");
    }

    [Fact]
    public void Every_snippet_comment_stands_right_before_a_csharp_block()
    {
        var stray = DocumentationFiles.All
            .SelectMany(document => document.UnattachedAnnotations.Select(annotation => $"{document.File}:{annotation.Line}"))
            .ToList();

        Assert.True(stray.Count == 0, $"A <!-- snippet: ... --> comment applies to the ```csharp block right after it (blank lines allowed), and these apply to nothing: {string.Join(", ", stray)}");
    }

    [Fact]
    public void The_readme_s_blocks_are_found()
    {
        var readme = Assert.Single(DocumentationFiles.All, document => document.File == "README.md");

        Assert.Contains(readme.CodeBlocks, block => block.IsCSharp && block.Annotation is not { IsSkip: true });
    }
}

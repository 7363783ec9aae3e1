namespace Gateway.Client.DocsTests;

/// <summary>What the compiler makes of a block: errors named by Markdown file and line, warnings ignored, preludes applied.</summary>
public class SnippetCompilerTests
{
    private static IReadOnlyList<string> Compile(string code, string? prelude = null, int line = 10) =>
        SnippetCompiler.Errors(new DocumentationCodeBlock(
            "doc.md", line, "csharp", code, prelude is null ? null : new SnippetAnnotation(line - 2, line - 2, prelude)));

    [Fact]
    public void A_name_the_api_does_not_have_is_an_error_at_its_markdown_line()
    {
        var errors = Compile("var options = new GatewayClientOptions();\noptions.NoSuchOption = 1;\n", line: 10);

        var error = Assert.Single(errors);
        Assert.StartsWith("doc.md:12:9: error CS1061:", error);
        Assert.Contains("NoSuchOption", error);
    }

    [Fact]
    public void Warnings_such_as_an_unused_variable_do_not_fail_a_block()
    {
        Assert.Empty(Compile("var unused = 1;\nstring? maybe = null;\nConsole.WriteLine(maybe.Length);\n"));
    }

    [Fact]
    public void The_prelude_declares_what_the_block_uses_variables_local_functions_and_types()
    {
        const string prelude = "IGatewayClient client = null!; CancellationToken ct = default;\nvoid Handle(Order order) { }\nrecord Order(string Id);";

        Assert.Empty(Compile("await client.ConnectAsync(ct);\nHandle(new Order(\"o-1\"));\n", prelude));
        Assert.Contains(Compile("await client.ConnectAsync(ct);\n"), error => error.StartsWith("doc.md:11:", StringComparison.Ordinal) && error.Contains("'client'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_error_in_the_prelude_is_named_at_the_comment_s_line()
    {
        var error = Assert.Single(Compile("ct.ThrowIfCancellationRequested();\n", "CancellationTokn ct = default;", line: 10));

        Assert.StartsWith("doc.md:8:", error);
    }

    [Fact]
    public void The_block_s_own_usings_come_before_the_prelude_s_statements()
    {
        Assert.Empty(Compile(
            "using Gateway.Client.PraisonAI;\n\nawait client.SendMessageAsync(\"hi\", ct);\n",
            "IGatewayClient client = null!; CancellationToken ct = default; ResyncResult? last = null;"));
    }

    [Fact]
    public void A_dialect_s_namespace_is_not_implied()
    {
        Assert.Contains(Compile("Console.WriteLine(PraisonAIEventTypes.TokenStream);\n"), error => error.Contains("CS0103", StringComparison.Ordinal));
    }

    [Fact]
    public void A_block_without_statements_compiles_as_a_library()
    {
        Assert.Empty(Compile("public sealed class Handler\n{\n    public Task HandleAsync(GatewayEvent e) => Task.CompletedTask;\n}\n"));
    }

    [Fact]
    public void A_json_serializer_context_declared_in_a_block_is_generated()
    {
        Assert.Empty(Compile(
            "var info = AppJson.Default.Order;\n\n[JsonSerializable(typeof(Order))]\npartial class AppJson : JsonSerializerContext;\n",
            "record Order(string Id);"));
    }

    [Fact]
    public void A_type_before_the_statements_is_an_error_as_in_a_program_cs()
    {
        Assert.Contains(Compile("class Early;\nConsole.WriteLine();\n"), error => error.Contains("CS8803", StringComparison.Ordinal));
    }
}

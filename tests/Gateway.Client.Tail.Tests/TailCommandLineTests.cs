using GatewayTail;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Tail.Tests;

/// <summary>The command line on its own: what each option sets, and what reaches the client's options.</summary>
public class TailCommandLineTests
{
    private static TailOptions Bind(string[] args, Func<string, string?>? environment = null)
    {
        var commandLine = new TailCommandLine();
        var parse = commandLine.Root.Parse(args);
        Assert.Empty(commandLine.Errors(parse));
        return commandLine.Bind(parse, environment ?? (_ => null));
    }

    [Fact]
    public void Resume_reaches_the_client_options_as_the_point_it_names()
    {
        var point = new GatewayResumePoint("sess-1", "epoch-3", 41);

        var options = TailCommand.ClientOptions(Bind(new[] { "ws://127.0.0.1:1/ws", "--resume", point.ToString() }));

        Assert.Equal(point, options.ResumeFrom);
        Assert.Null(TailCommand.ClientOptions(Bind(new[] { "ws://127.0.0.1:1/ws" })).ResumeFrom);
    }

    [Fact]
    public void Wait_retries_the_first_connection_and_max_attempts_bounds_it()
    {
        var waiting = TailCommand.ClientOptions(Bind(new[] { "ws://127.0.0.1:1/ws", "--wait", "--max-attempts", "4" }));
        var failingFast = TailCommand.ClientOptions(Bind(new[] { "ws://127.0.0.1:1/ws", "--max-attempts", "4" }));

        Assert.True(waiting.Reconnect.RetryInitialConnect);
        Assert.Equal(4, waiting.Reconnect.MaxAttempts);
        Assert.False(failingFast.Reconnect.RetryInitialConnect);
    }

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "-v" }, LogLevel.Information)]
    [InlineData(new[] { "--verbose" }, LogLevel.Information)]
    [InlineData(new[] { "-vv" }, LogLevel.Debug)]
    [InlineData(new[] { "-v", "--verbose" }, LogLevel.Debug)]
    [InlineData(new[] { "-vvv" }, LogLevel.Trace)]
    public void Each_v_lowers_the_log_level(string[] flags, LogLevel? expected)
    {
        Assert.Equal(expected, Bind(flags.Prepend("ws://127.0.0.1:1/ws").ToArray()).LogLevel);
    }

    [Theory]
    [InlineData(new string[0], "Json")]
    [InlineData(new[] { "--format", "json" }, "Json")]
    [InlineData(new[] { "--format", "text" }, "Text")]
    public void Format_is_json_unless_text_is_asked(string[] flags, string expected)
    {
        Assert.Equal(expected, Bind(flags.Prepend("ws://127.0.0.1:1/ws").ToArray()).Format.ToString());
    }

    [Fact]
    public void The_token_is_the_first_line_of_the_token_file_trimmed()
    {
        using var file = TemporaryFile.With("  file-token \t\nsecond line\n");

        var options = Bind(new[] { "ws://127.0.0.1:1/ws", "--token-file", file.Path }, Environment(("GATEWAY_TOKEN", "env-token")));

        Assert.Equal("file-token", options.Token); // the file wins over the variable
    }

    [Fact]
    public async Task The_token_provider_gives_the_token_from_the_environment_variable()
    {
        var options = TailCommand.ClientOptions(Bind(new[] { "ws://127.0.0.1:1/ws" }, Environment(("GATEWAY_TOKEN", "env-token"))));

        Assert.Equal("env-token", await options.TokenProvider!(CancellationToken.None));
        Assert.Null(Bind(new[] { "ws://127.0.0.1:1/ws" }, Environment(("GATEWAY_TOKEN", ""))).Token); // empty is unset
        Assert.Null(Bind(new[] { "ws://127.0.0.1:1/ws" }).Token);
    }

    [Fact]
    public void Dialect_and_format_complete_with_the_names_this_tool_takes()
    {
        var commandLine = new TailCommandLine();

        var dialects = commandLine.Root.Parse("--dialect ").GetCompletions().Select(c => c.Label);
        var formats = commandLine.Root.Parse("--format ").GetCompletions().Select(c => c.Label);

        Assert.Equal(ProtocolDialects.All.Select(ProtocolDialects.NameOf).Order(), dialects.Order());
        Assert.Equal(new[] { "json", "text" }, formats.Order());
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}

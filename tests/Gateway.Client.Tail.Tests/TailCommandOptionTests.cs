using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using GatewayTail;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.Tail.Tests;

/// <summary>--format, colour, --token-file and the token variable, -v, and --wait, run in-process against TestGateway.</summary>
public class TailCommandOptionTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, TailHost? host = null, Func<string, string?>? environment = null, LineSignallingWriter? stderr = null)
    {
        var output = host?.Out ?? new LineSignallingWriter();
        var errors = stderr ?? new LineSignallingWriter();
        host = new TailHost
        {
            Out = output,
            Error = TextWriter.Synchronized(errors),
            OutIsTerminal = host?.OutIsTerminal ?? false,
            ErrorIsTerminal = host?.ErrorIsTerminal ?? false,
            Environment = environment ?? (_ => null),
            Time = host?.Time ?? TimeProvider.System,
        };
        var exit = await TailCommand.RunAsync(args, host, Deadline());
        return (exit, output.ToString()!, errors.ToString());
    }

    [Fact]
    public async Task Format_text_prints_one_line_per_event_with_time_seq_type_and_data()
    {
        // The gateway's clock stamps "stream" events; the tail's clock times the arrival of events with no time of their own.
        var gatewayClock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 30, 0, 250, TimeSpan.Zero));
        var tailClock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 4, 5, 123, TimeSpan.Zero));
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, TimeProvider = gatewayClock });
        var run = RunAsync(new[] { gateway.Url.ToString(), "--format", "text", "--max-events", "2" }, new TailHost { Out = new LineSignallingWriter(), Error = TextWriter.Null, Time = tailClock });
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["text"] = "tick é☃ \"q\"" }, EnvelopeShape.Flat);
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 2 }, EnvelopeShape.Wrapped);

        var (exit, output, _) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(
            new[]
            {
                $"12:04:05.123 #1 message {{\"text\":\"tick é☃ \\\"q\\\"\",\"session_id\":\"{connection.Session.Id}\"}}",
                "09:30:00.250 #2 message {\"n\":2}",
            },
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("\u001b[", output); // not a terminal: no colour
    }

    [Fact]
    public async Task Format_text_marks_replayed_events_and_unnumbered_ones_and_appends_the_frame_with_frames()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var praxis = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = TestGatewayDialect.Praxis, EnableHeartbeat = false });
        var stdout = new LineSignallingWriter();
        var replaying = RunAsync(new[] { gateway.Url.ToString(), "--format", "text", "--max-events", "2" }, new TailHost { Out = stdout, Error = TextWriter.Null, Time = clock });
        var unnumbered = RunAsync(new[] { praxis.Url.ToString(), "--dialect", "praxis", "--format", "text", "--frames", "--max-events", "1" }, new TailHost { Out = new LineSignallingWriter(), Error = TextWriter.Null, Time = clock });
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Wrapped);
        await stdout.WaitForLineAsync("#1 message", Deadline());
        connection.Drop();
        await gateway.PublishAsync(connection.Session.Id, "message", new JsonObject { ["n"] = 2 }, EnvelopeShape.Wrapped); // replayed on resume
        await praxis.WaitForHandshakeAsync(1, Deadline());
        await praxis.PublishPraxisEventAsync("workflowProgress", new JsonObject { ["workflowId"] = "wf-1" });

        var (exit, output, _) = await replaying;
        var (praxisExit, praxisOutput, _) = await unnumbered;

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (exit, praxisExit));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} #2 message \(replay\) \{""n"":2\}$", output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Matches(@"^12:00:00\.000 #- workflowProgress \{""workflowId"":""wf-1""\} frame=\{.*""type"":""workflowProgress"".*\}$", praxisOutput.Trim());
    }

    [Theory]
    [InlineData("text", null, true)]
    [InlineData("text", "1", false)]
    [InlineData("json", null, false)] // JSON stays machine-readable, even on a terminal
    public async Task A_terminal_gets_colour_unless_NO_COLOR_is_set(string format, string? noColor, bool coloured)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var stderr = new LineSignallingWriter();
        var run = RunAsync(
            new[] { gateway.Url.ToString(), "--format", format, "--max-events", "1", "--no-status" },
            new TailHost { Out = new LineSignallingWriter(), Error = TextWriter.Null, OutIsTerminal = true, ErrorIsTerminal = true },
            name => name == "NO_COLOR" ? noColor : null,
            stderr);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);

        var (exit, output, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(coloured, output.Contains("\u001b[36mmessage\u001b[0m", StringComparison.Ordinal));
        Assert.Equal(noColor is null, errors.Contains("\u001b[32mstate:\u001b[0m Connecting -> Connected", StringComparison.Ordinal));
        if (format == "json")
        {
            Assert.DoesNotContain("\u001b[", output);
        }
    }

    [Fact]
    public async Task The_token_comes_from_the_token_file_before_the_environment_variable()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "secret", EnableHeartbeat = false });
        using var file = TemporaryFile.With("  secret \nnot the token\n");
        var run = RunAsync(new[] { gateway.Url.ToString(), "--token-file", file.Path, "--max-events", "1" }, environment: name => name == "GATEWAY_TOKEN" ? "wrong" : null);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);

        var (exit, _, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.DoesNotContain("secret", errors);
    }

    [Fact]
    public async Task The_token_comes_from_the_environment_variable_when_no_option_gives_one()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "secret", EnableHeartbeat = false });

        var refused = await RunAsync(new[] { gateway.Url.ToString() }, environment: name => name == "GATEWAY_TOKEN" ? "wrong" : null);
        var run = RunAsync(new[] { gateway.Url.ToString(), "--max-events", "1" }, environment: name => name == "GATEWAY_TOKEN" ? "secret" : null);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);

        Assert.Equal(ExitCodes.AuthenticationFailed, refused.Exit);
        Assert.Equal(ExitCodes.Ok, (await run).Exit);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("empty", "is empty; it must hold the token")]
    [InlineData("blank", "is empty; it must hold the token")]
    [InlineData("directory", "cannot be read")]
    public async Task A_token_file_that_gives_no_token_is_a_usage_error_naming_the_file(string kind, string reason)
    {
        using var file = TemporaryFile.With(kind == "blank" ? "   \nsecond line is not read\n" : string.Empty);
        var path = kind switch
        {
            "missing" => file.Path + ".absent",
            "directory" => Path.GetTempPath(),
            _ => file.Path,
        };

        var (exit, _, errors) = await RunAsync(new[] { "ws://127.0.0.1:1/ws", "--token-file", path });

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"--token-file: ", errors);
        Assert.Contains(path, errors);
        Assert.Contains(reason, errors);
        Assert.Contains("Run 'gateway-tail --help'", errors);
        Assert.DoesNotContain("second line", errors);
    }

    [Fact]
    public async Task The_token_is_given_one_way_only()
    {
        using var file = TemporaryFile.With("from-file\n");

        var (exit, _, errors) = await RunAsync(new[] { "ws://127.0.0.1:1/ws", "--token-file", file.Path, "--token", "on-the-line" });

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Give the token one way: --token-file or --token, not both.", errors);
        Assert.DoesNotContain("on-the-line", errors);
    }

    [Theory]
    [InlineData("-v", false)]
    [InlineData("-vv", true)]
    public async Task Verbose_prints_the_client_librarys_logs_on_stderr(string verbosity, bool debug)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var stdout = new LineSignallingWriter();
        var stderr = new LineSignallingWriter();
        var run = RunAsync(new[] { gateway.Url.ToString(), verbosity, "--frames", "--max-events", "2" }, new TailHost { Out = stdout, Error = TextWriter.Null }, stderr: stderr);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        var sessionId = connection.Session!.Id;
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);
        await stdout.WaitForLineAsync("\"seq\":1,", Deadline());
        // The same frame again: the client drops it, and says so at debug level.
        var frame = JsonDocument.Parse(stdout.ToString()!.Trim()).RootElement.GetProperty("frame").GetRawText();
        await connection.SendTextAsync(frame);
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = 2 }, EnvelopeShape.Flat);

        var (exit, _, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains($"info: Connecting to {gateway.Url}", errors);
        Assert.Contains($"info: Connected: session {sessionId}", errors);
        Assert.Equal(debug, errors.Contains("dbug: Dropped duplicate event #1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_verbose_the_client_logs_nothing()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var run = RunAsync(new[] { gateway.Url.ToString(), "--max-events", "1" });
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);

        var (exit, _, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.DoesNotContain("info:", errors);
    }

    [Fact]
    public async Task Wait_retries_the_first_connection_until_a_gateway_that_starts_later_is_reachable()
    {
        var port = LoopbackForwarder.FreePort(); // nothing listens there yet
        var stderr = new LineSignallingWriter();
        var run = RunAsync(new[] { $"ws://127.0.0.1:{port}/ws", "--wait", "-v", "--max-events", "1" }, stderr: stderr);
        // The first attempt failed, and the client did not give up (without --wait it would have ended the tail, exit 5).
        await stderr.WaitForLineAsync("warn: Reconnecting: attempt 2", Deadline());

        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var forwarder = LoopbackForwarder.Start(port, gateway.Port);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);
        var (exit, output, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(1, JsonDocument.Parse(output.Trim()).RootElement.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Contains("-> Connected", errors);
    }

    [Fact]
    public async Task Max_attempts_bounds_the_first_connection_with_wait_and_without_it_one_failure_ends_the_tail()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        gateway.RefuseUpgrades(503); // up, but not ready: each attempt fails and may be retried

        var once = await RunAsync(new[] { gateway.Url.ToString(), "--max-attempts", "3" });
        var afterOne = gateway.AcceptedSockets;
        var waited = await RunAsync(new[] { gateway.Url.ToString(), "--wait", "--max-attempts", "2" });

        Assert.Equal((ExitCodes.ConnectionFailed, ExitCodes.ConnectionFailed), (once.Exit, waited.Exit));
        Assert.Equal(1, afterOne);
        Assert.Equal(3, gateway.AcceptedSockets); // 1, then 2 more with --wait
    }
}

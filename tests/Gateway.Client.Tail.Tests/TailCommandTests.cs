using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using GatewayTail;

namespace Gateway.Client.Tail.Tests;

/// <summary>gateway-tail run in-process against TestGateway: output, stderr, exit codes.</summary>
public class TailCommandTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, Func<string, string?>? environment = null, CancellationToken cancellationToken = default, LineSignallingWriter? output = null)
    {
        var stdout = output ?? new LineSignallingWriter();
        var stderr = new StringWriter();
        var host = new TailHost { Out = stdout, Error = TextWriter.Synchronized(stderr), Environment = environment ?? (_ => null) };
        var exit = await TailCommand.RunAsync(args, host, cancellationToken == default ? Deadline() : cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Prints_each_event_as_a_json_line_and_resumes_after_a_drop()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "secret" });
        var run = RunAsync(new[] { gateway.Url.ToString(), "--agent", "support", "--max-events", "3" }, name => name == "GATEWAY_TOKEN" ? "secret" : null);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        var sessionId = connection.Session!.Id;
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = "one" }, EnvelopeShape.Flat);
        connection.Drop();
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = "two" }, EnvelopeShape.Flat);
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["text"] = "three" }, EnvelopeShape.Flat);

        var (exit, output, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(new long[] { 1, 2, 3 }, lines.Select(l => l.GetProperty("seq").GetInt64()));
        Assert.Equal("message", lines[0].GetProperty("type").GetString());
        Assert.Equal("one", lines[0].GetProperty("data").GetProperty("text").GetString());
        Assert.All(lines, l => Assert.Equal(new[] { "seq", "type", "replay", "data" }, l.EnumerateObject().Select(p => p.Name)));
        Assert.Contains("state: Disconnected -> Connecting", errors);
        Assert.Contains("state: Reconnecting -> Connected", errors);
        Assert.DoesNotContain("secret", errors);
    }

    [Fact]
    public async Task Tails_a_praxis_agent_printing_its_unnumbered_frames()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = TestGatewayDialect.Praxis, EnableHeartbeat = false });
        var run = RunAsync(new[] { gateway.Url.ToString(), "--dialect", "praxis", "--max-events", "2" });
        await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishPraxisEventAsync("workflowProgress", new JsonObject { ["workflowId"] = "wf-1", ["progress"] = 0.5 });
        await gateway.PublishPraxisEventAsync("tool_result", new JsonObject { ["tool"] = "read_file" });

        var (exit, output, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(new[] { "workflowProgress", "tool_result" }, lines.Select(l => l.GetProperty("type").GetString()));
        Assert.Equal("wf-1", lines[0].GetProperty("data").GetProperty("workflowId").GetString());
        Assert.Contains("state: Connecting -> Connected", errors);
        Assert.DoesNotContain("resume:", errors); // a Praxis stream cannot be resumed
    }

    [Fact]
    public async Task Frames_adds_each_events_whole_frame_beside_its_data()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Dialect = TestGatewayDialect.Praxis, EnableHeartbeat = false });
        var run = RunAsync(new[] { gateway.Url.ToString(), "--dialect", "praxis", "--frames", "--max-events", "1" });
        await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishPraxisEventAsync("workflowProgress", new JsonObject { ["workflowId"] = "wf-1" });

        var (exit, output, _) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        var line = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal(new[] { "seq", "type", "replay", "data", "frame" }, line.EnumerateObject().Select(p => p.Name));
        Assert.Equal("wf-1", line.GetProperty("data").GetProperty("workflowId").GetString());
        Assert.Equal("workflowProgress", line.GetProperty("frame").GetProperty("type").GetString());
        Assert.Equal("wf-1", line.GetProperty("frame").GetProperty("payload").GetProperty("workflowId").GetString());
    }

    [Fact]
    public async Task The_resume_point_it_prints_on_exit_resumes_the_next_run_after_the_last_printed_event()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var firstRun = RunAsync(new[] { gateway.Url.ToString(), "--max-events", "2" });
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        var sessionId = connection.Session!.Id;
        for (var n = 1; n <= 3; n++)
        {
            await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = n }, EnvelopeShape.Flat);
        }

        var (firstExit, _, firstErrors) = await firstRun;
        var printed = firstErrors.Split('\n').Single(l => l.StartsWith("resume: ", StringComparison.Ordinal))["resume: ".Length..].Trim();
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = 4 }, EnvelopeShape.Flat);
        var (exit, output, errors) = await RunAsync(new[] { gateway.Url.ToString(), "--resume", printed, "--max-events", "2" });

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (firstExit, exit));
        Assert.Equal(new GatewayResumePoint(sessionId, gateway.GetSession(sessionId).Epoch, 2), GatewayResumePoint.Parse(printed));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(new long[] { 3, 4 }, lines.Select(l => l.GetProperty("seq").GetInt64()));
        Assert.All(lines, l => Assert.True(l.GetProperty("replay").GetBoolean()));
        Assert.Contains($"resume: {new GatewayResumePoint(sessionId, gateway.GetSession(sessionId).Epoch, 4)}", errors);
    }

    [Fact]
    public async Task With_no_event_printed_it_gives_back_the_point_it_was_given()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var given = new GatewayResumePoint("sess-unknown", null, 0).ToString();
        using var stop = new CancellationTokenSource();
        var stderr = new LineSignallingWriter();
        var run = TailCommand.RunAsync(new[] { gateway.Url.ToString(), "--resume", given }, new TailHost { Out = new StringWriter(), Error = TextWriter.Synchronized(stderr) }, stop.Token);
        await stderr.WaitForLineAsync("-> Connected", Deadline());

        stop.Cancel();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(Deadline()));
        Assert.Contains($"resume: {given}", stderr.ToString());
    }

    [Fact]
    public async Task Ctrl_C_before_the_first_connection_has_its_own_exit_code()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        gateway.DelayNextHandshake(TimeSpan.FromMinutes(5)); // the handshake never comes while we wait
        using var stop = new CancellationTokenSource();
        var run = RunAsync(new[] { gateway.Url.ToString() }, cancellationToken: stop.Token);
        await gateway.WaitForConnectionAsync(1, Deadline());

        stop.Cancel();
        var (exit, _, _) = await run;

        Assert.Equal(ExitCodes.Interrupted, exit);
    }

    [Fact]
    public async Task Stdout_closing_stops_the_tail_with_its_own_exit_code()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var closed = new TaskCompletionSource();
        var stdout = new LineSignallingWriter();
        var stderr = new StringWriter();
        var run = TailCommand.RunAsync(new[] { gateway.Url.ToString() }, new TailHost { Out = stdout, Error = TextWriter.Synchronized(stderr) }, Deadline(), closed.Task);
        await gateway.WaitForHandshakeAsync(1, Deadline());

        closed.SetResult();

        Assert.Equal(ExitCodes.OutputClosed, await run.WaitAsync(Deadline()));
    }

    [Fact]
    public async Task Non_ascii_text_is_written_as_utf8_in_valid_json_lines_and_version_prints()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var run = RunAsync(new[] { gateway.Url.ToString(), "--max-events", "1" });
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["text"] = "tick 11 é☃ \"q\"" }, EnvelopeShape.Flat);

        var (exit, output, _) = await run;
        var (versionExit, version, _) = await RunAsync(new[] { "--version" });

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("tick 11 é☃", output);
        Assert.DoesNotContain("\\u00E9", output);
        Assert.Equal("tick 11 é☃ \"q\"", JsonDocument.Parse(output.Trim()).RootElement.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(ExitCodes.Ok, versionExit);
        Assert.StartsWith("gateway-tail 1.0.0", version);
    }

    [Fact]
    public async Task The_help_lists_every_dialect_by_name()
    {
        var (_, help, _) = await RunAsync(new[] { "--help" });

        Assert.All(ProtocolDialects.All, d => Assert.Contains(ProtocolDialects.NameOf(d), help));
    }

    [Fact]
    public async Task A_gap_is_reported_on_stderr_and_the_tail_goes_on()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { RetentionWindow = 2 });
        var stdout = new LineSignallingWriter();
        var run = RunAsync(new[] { gateway.Url.ToString(), "--max-events", "3" }, output: stdout);
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        var sessionId = connection.Session!.Id;
        await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);
        await stdout.WaitForLineAsync("\"seq\":1,", Deadline()); // printed, so the resume asks from #1
        connection.Drop();
        for (var n = 2; n <= 6; n++)
        {
            await gateway.PublishAsync(sessionId, "message", new JsonObject { ["n"] = n }, EnvelopeShape.Flat);
        }

        var (exit, output, errors) = await run;

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(new long[] { 1, 5, 6 }, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()));
        Assert.Contains("gap: ReplayWindowExceeded, 3 events missing from #2", errors);
    }

    [Theory]
    [InlineData(new[] { "--agent", "x" }, "The gateway URL is required.")]
    [InlineData(new[] { "http://example/ws" }, "is not a ws:// or wss:// URL")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--max-events", "zero" }, "--max-events must be a whole number")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--resume", "sess-1:41" }, "--resume needs a point as gateway-tail printed it (\"resume: <point>\"): 'sess-1:41' is not a resume point")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--resume", "gr1.c2Vzcy0x..forty-one" }, "has a sequence that is not a whole number")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--since", "4" }, "Unknown option '--since'.")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--dialect", "soap" }, "--dialect must be praisonai or openclaw or praxis")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--frobnicate" }, "Unknown option '--frobnicate'.")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "ws://127.0.0.1:2/ws" }, "One URL only; got 'ws://127.0.0.1:1/ws' and 'ws://127.0.0.1:2/ws'.")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--format", "xml" }, "--format must be json or text, not 'xml'.")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--max-attempts", "0" }, "--max-attempts must be a whole number of at least 1, not '0'.")]
    [InlineData(new[] { "ws://127.0.0.1:1/ws", "--token-file" }, "Required argument missing for option: '--token-file'.")]
    public async Task A_wrong_command_line_exits_2_with_the_reason_and_a_pointer_to_help(string[] args, string reason)
    {
        var (exit, _, errors) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(reason, errors);
        Assert.Contains("Run 'gateway-tail --help'", errors);
        Assert.DoesNotContain("Usage: gateway-tail", errors); // not the whole help on every typo
    }

    [Fact]
    public async Task A_resume_point_for_a_dialect_that_cannot_resume_is_a_usage_error()
    {
        var (exit, _, errors) = await RunAsync(new[] { "ws://127.0.0.1:1/ws", "--dialect", "openclaw", "--resume", new GatewayResumePoint("s", null, 4).ToString() });

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("ResumeFrom cannot be used with the openclaw dialect", errors);
    }

    [Fact]
    public async Task A_refused_token_exits_3()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "right" });

        var (exit, _, errors) = await RunAsync(new[] { gateway.Url.ToString(), "--token", "wrong-token-value" });

        Assert.Equal(ExitCodes.AuthenticationFailed, exit);
        Assert.Contains("error:", errors);
        Assert.DoesNotContain("wrong-token-value", errors);
    }

    [Theory]
    [InlineData("AUTH_TOKEN_MISMATCH", ExitCodes.AuthenticationFailed)]
    [InlineData("pairing_required", ExitCodes.AuthenticationFailed)]
    [InlineData("PROTOCOL_MISMATCH", ExitCodes.IncompatibleProtocol)]
    [InlineData("agent_not_found", ExitCodes.Refused)]
    public void Handshake_codes_of_both_dialects_map_to_their_exit_codes(string code, int expected)
    {
        Assert.Equal(expected, ExitCodes.For(new GatewayHandshakeException(code, "refused")));
    }

    [Fact]
    public async Task An_unknown_agent_exits_6()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { AgentIds = new[] { "support" } });

        var (exit, _, errors) = await RunAsync(new[] { gateway.Url.ToString(), "--agent", "sales" });

        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("sales", errors);
    }

    [Fact]
    public async Task A_gateway_with_no_common_protocol_exits_4()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ProtocolMin = 3, ProtocolMax = 3 });

        var (exit, _, errors) = await RunAsync(new[] { gateway.Url.ToString() });

        Assert.Equal(ExitCodes.IncompatibleProtocol, exit);
        Assert.Contains("error:", errors);
    }

    [Fact]
    public async Task An_unreachable_gateway_exits_5_once_the_attempts_run_out()
    {
        var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var url = $"ws://127.0.0.1:{((System.Net.IPEndPoint)port.LocalEndpoint).Port}/ws";
        port.Stop(); // nothing listens there now

        var (exit, _, errors) = await RunAsync(new[] { url, "--max-attempts", "1" });

        Assert.Equal(ExitCodes.ConnectionFailed, exit);
        Assert.Contains("Could not connect", errors);
    }

    [Fact]
    public async Task An_untrusted_certificate_exits_7_and_pinning_it_connects()
    {
        using var certificate = TestCertificate.CreateSelfSigned();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ServerCertificate = certificate });

        var refused = await RunAsync(new[] { gateway.Url.ToString() });
        var pinned = RunAsync(new[] { gateway.Url.ToString(), "--pin-certificate", certificate.Thumbprint, "--max-events", "1" });
        var connection = await gateway.WaitForHandshakeAsync(1, Deadline());
        await gateway.PublishAsync(connection.Session!.Id, "message", new JsonObject { ["n"] = 1 }, EnvelopeShape.Flat);

        Assert.Equal(ExitCodes.TlsFailed, refused.Exit);
        Assert.Contains("not trusted", refused.Err);
        // The advice is this tool's option with the thumbprint to give it, not the library's option.
        Assert.Contains($"--pin-certificate {certificate.Thumbprint}", refused.Err);
        Assert.DoesNotContain("RemoteCertificateValidationCallback", refused.Err);
        Assert.Equal(ExitCodes.Ok, (await pinned).Exit);
    }

    [Fact]
    public async Task A_certificate_other_than_the_pinned_one_exits_7_naming_both()
    {
        using var certificate = TestCertificate.CreateSelfSigned();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ServerCertificate = certificate });
        var pinned = new string('A', 40);

        var (exit, _, errors) = await RunAsync(new[] { gateway.Url.ToString(), "--pin-certificate", pinned });

        Assert.Equal(ExitCodes.TlsFailed, exit);
        Assert.Contains($"SHA-1 thumbprint {certificate.Thumbprint}) is not the one pinned with --pin-certificate {pinned}", errors);
    }

    [Fact]
    public async Task Cancelling_ends_the_tail_with_exit_0()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var stop = new CancellationTokenSource();
        var stderr = new LineSignallingWriter();
        var run = TailCommand.RunAsync(new[] { gateway.Url.ToString() }, new TailHost { Out = new StringWriter(), Error = TextWriter.Synchronized(stderr) }, stop.Token);
        await stderr.WaitForLineAsync("-> Connected", Deadline()); // tailing (before that, Ctrl+C is exit 130)

        stop.Cancel();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(Deadline()));
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_0()
    {
        var (exit, output, _) = await RunAsync(new[] { "--help" });

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Exit codes:", output);
    }
}

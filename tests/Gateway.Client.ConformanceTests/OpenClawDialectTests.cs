using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Gateway.Client.OpenClaw;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>The OpenClaw v4 dialect against TestGateway's OpenClaw mode: the same engine, another wire.</summary>
public class OpenClawDialectTests
{
    private const string Token = "oc-secret-51f2";

    /// <summary>A <see cref="Scenario"/> in OpenClaw mode, with a token and no gateway heartbeat unless changed.</summary>
    private static Task<Scenario> StartAsync(Action<TestGatewayOptions>? gateway = null, Action<GatewayClientOptions>? client = null, bool connect = true)
    {
        var gatewayOptions = new TestGatewayOptions { Dialect = TestGatewayDialect.OpenClaw, Token = Token, EnableHeartbeat = false };
        gateway?.Invoke(gatewayOptions);
        return Scenario.StartAsync(gatewayOptions, o =>
        {
            o.Dialect = ProtocolDialect.OpenClaw;
            client?.Invoke(o);
        }, connect);
    }

    [Fact]
    public async Task The_capabilities_the_options_announce_are_the_connect_requests_caps()
    {
        await using var s = await StartAsync(client: o => o.AnnouncedCapabilities = new List<string> { "tool-events", "thinking" });

        var connection = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var connect = await connection.WaitForFrameAsync(f => f.GetProperty("type").GetString() == "req", Harness.Deadline());

        Assert.Equal(new[] { "tool-events", "thinking" }, connect.GetProperty("params").GetProperty("caps").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task The_handshake_answers_the_challenge_with_a_connect_request_and_exposes_the_session()
    {
        await using var s = await StartAsync(g => g.HeartbeatInterval = TimeSpan.FromSeconds(30));
        var (gateway, client, states) = s;

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var connect = await connection.WaitForFrameAsync(f => f.GetProperty("type").GetString() == "req", Harness.Deadline());
        var parameters = connect.GetProperty("params");

        Assert.Equal("connect", connect.GetProperty("method").GetString());
        Assert.Equal(4, parameters.GetProperty("minProtocol").GetInt32());
        Assert.Equal(4, parameters.GetProperty("maxProtocol").GetInt32());
        Assert.Equal("gateway-client", parameters.GetProperty("client").GetProperty("id").GetString());
        Assert.Equal("backend", parameters.GetProperty("client").GetProperty("mode").GetString());
        Assert.Equal("operator", parameters.GetProperty("role").GetString());
        Assert.Equal(new[] { "operator.read", "operator.write" }, parameters.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(parameters.GetProperty("caps").EnumerateArray()); // the dialect's default: none (not PraisonAI's "streaming")
        Assert.Equal(Token, parameters.GetProperty("auth").GetProperty("token").GetString());
        Assert.False(connection.Query.ContainsKey("token")); // the token never rides in the URL here

        var session = client.Session!;
        Assert.Equal(4, session.Protocol);
        Assert.Equal(connection.ConnectionId, session.SessionId);
        Assert.Equal(gateway.BootId, ((OpenClawSessionDetails)session.Details!).ServerBootId);
        Assert.Equal(TimeSpan.FromSeconds(30), session.Policy.HeartbeatInterval);
        Assert.Contains("health", session.Features.Methods);
        Assert.Equal(ContinuityOutcome.Fresh, (await states.WaitForAsync(ConnectionState.Connected)).Continuity!.Outcome);
    }

    [Fact]
    public async Task A_wrong_token_is_a_terminal_typed_error_with_no_retry_storm()
    {
        await using var s = await StartAsync(client: o => o.TokenProvider = _ => ValueTask.FromResult<string?>("wrong"), connect: false);
        var (gateway, client, states) = s;

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal("AUTH_TOKEN_MISMATCH", error.Code);
        Assert.Equal("update_auth_credentials", error.NextStep);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.Single(gateway.Connections);
    }

    [Fact]
    public async Task A_refused_protocol_range_is_a_typed_mismatch_with_both_ranges()
    {
        await using var s = await StartAsync(client: o => o.GetDialectOptions<OpenClawOptions>().MinProtocol = o.GetDialectOptions<OpenClawOptions>().MaxProtocol = 3, connect: false);
        var (gateway, client, _) = s;

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal("PROTOCOL_MISMATCH", error.Code);
        Assert.Equal(new ProtocolRange(3, 3), error.ClientProtocol);
        Assert.Equal(new ProtocolRange(3, 4), error.ServerProtocol);
        Assert.False(error.IsRetryable);
        Assert.Single(gateway.Connections);
    }

    [Fact]
    public async Task A_starting_gateway_is_retried_no_sooner_than_its_retry_after()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await StartAsync(client: o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.RetryInitialConnect = true;
        }, connect: false);
        var (gateway, client, states) = s;
        gateway.RefuseNextConnectsAsStarting(2);

        var connecting = client.ConnectAsync(Harness.Deadline());
        for (var refusal = 1; refusal <= 2; refusal++)
        {
            var retry = await s.Retries.WaitForAsync(_ => true, refusal);
            Assert.Equal("UNAVAILABLE", Assert.IsType<GatewayHandshakeException>(retry.Cause).Code);
            Assert.Equal(TimeSpan.FromMilliseconds(500), retry.RetryDelay);
            await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(500), Harness.Deadline());
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        await connecting;
        Assert.Equal(3, gateway.Connections.Count);
    }

    [Fact]
    public async Task Events_are_named_by_event_and_numbered_per_connection()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;

        await gateway.PublishOpenClawEventAsync("health", new JsonObject { ["ok"] = true });
        await gateway.PublishOpenClawEventAsync("sessions.changed", new JsonObject { ["reason"] = "test" });
        await gateway.PublishOpenClawEventAsync("tick", new JsonObject { ["ts"] = 1 });
        var events = await client.ReadAsync(3, Harness.Deadline());

        Assert.Equal(new[] { "health", "sessions.changed", "tick" }, events.Select(e => e.Type));
        Assert.Equal(new long?[] { 1, 2, 3 }, events.Select(e => e.Sequence));
        Assert.True(events[0].Data.GetProperty("ok").GetBoolean());
        Assert.Equal(3, client.Cursor);
    }

    [Fact]
    public async Task A_forward_jump_within_a_connection_is_a_gap()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;
        var gaps = new List<GapInfo>();
        client.OnGap((gap, _) =>
        {
            gaps.Add(gap);
            return Task.CompletedTask;
        });
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendTextAsync("""{"type":"event","event":"chat","payload":{},"seq":1}""");
        await connection.SendTextAsync("""{"type":"event","event":"chat","payload":{},"seq":4}""");
        await client.ReadAsync(2, Harness.Deadline());

        var gap = Assert.Single(gaps);
        Assert.Equal((2L, 4L, GapReason.SequenceJump), (gap.Expected, gap.Received!.Value, gap.Reason));
    }

    [Fact]
    public async Task Requests_use_req_and_res_with_payload()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;

        var health = await client.RequestAsync("health", Harness.Deadline());
        var status = await client.RequestAsync("status", Harness.Deadline());
        var sessions = await client.RequestAsync("sessions.list", Harness.Deadline());
        var refused = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync("no.such.method", Harness.Deadline()));

        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.Equal("test-gateway", status.GetProperty("runtimeVersion").GetString());
        Assert.Equal(0, sessions.GetProperty("count").GetInt32());
        Assert.Equal("INVALID_REQUEST", refused.Code);
    }

    [Fact]
    public async Task A_two_stage_answer_completes_on_the_final_answer_when_asked_to()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.RegisterTwoStageMethod("agent", async (_, _) =>
        {
            await release.Task;
            return new JsonObject { ["status"] = "ok", ["text"] = "done" };
        });
        var accepted = new TaskCompletionSource<GatewayRequestProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new InlineProgress<GatewayRequestProgress>(p => accepted.TrySetResult(p));

        var final = client.RequestAsync("agent", default, new GatewayRequestOptions { ExpectFinal = true, Progress = progress }, Harness.Deadline());
        var interim = await accepted.Task.WaitAsync(Harness.Deadline());
        Assert.Equal(GatewayRequestProgressKind.Accepted, interim.Kind);
        Assert.StartsWith("Accepted: {", interim.ToString(), StringComparison.Ordinal);
        var runId = interim.Data.GetProperty("runId").GetString();
        Assert.False(final.IsCompleted);
        release.SetResult();

        Assert.Equal("done", (await final).GetProperty("text").GetString());
        Assert.False(string.IsNullOrEmpty(runId));

        // Without ExpectFinal the first answer is the answer.
        var first = await client.RequestAsync("agent", Harness.Deadline());
        Assert.Equal("accepted", first.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Every_reconnect_reports_that_the_server_cannot_replay_before_the_new_connections_first_event()
    {
        await using var s = await StartAsync();
        var (gateway, client, states) = s;
        await using var stream = new StreamRecorder(client);
        await gateway.PublishOpenClawEventAsync("chat", new JsonObject { ["n"] = 1 });
        await gateway.PublishOpenClawEventAsync("chat", new JsonObject { ["n"] = 2 });
        await stream.WaitForSequenceAsync(2);

        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var reconnected = await states.WaitForAsync(ConnectionState.Connected, 2);
        await gateway.PublishOpenClawEventAsync("chat", new JsonObject { ["n"] = 3 });
        await stream.WaitForEntriesAsync(4);

        // The new connection numbers from 1 again: after the reported break, that is not a duplicate.
        Assert.Equal(new[] { "live 1", "live 2", "gap ReplayUnsupported 3->?", "live 1" }, stream.Log);
        Assert.Equal(ContinuityOutcome.NotResumable, reconnected.Continuity!.Outcome);
        Assert.Equal(0, client.Statistics.DuplicatesDropped);
    }

    [Fact]
    public async Task A_restart_announced_by_shutdown_waits_at_least_restartExpectedMs_and_reports_the_new_boot()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await StartAsync(client: o => o.TimeProvider = clock);
        var (gateway, client, states) = s;
        await using var stream = new StreamRecorder(client, recordUnnumbered: true);
        var bootBefore = (client.Session!.Details as OpenClawSessionDetails)?.ServerBootId;

        await gateway.ShutdownOpenClawAsync(restartExpectedMs: 1500);
        var reconnecting = await states.WaitForAsync(ConnectionState.Reconnecting);
        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(1500), Harness.Deadline());
        Assert.Single(gateway.Connections);
        clock.Advance(TimeSpan.FromMilliseconds(1500));
        await states.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), reconnecting.RetryDelay);
        Assert.Equal(1012, (int)Assert.IsType<GatewayConnectionException>(reconnecting.Cause).CloseStatus!.Value);
        Assert.NotEqual(bootBefore, (client.Session!.Details as OpenClawSessionDetails)?.ServerBootId);
        await stream.WaitForAsync("gap ReplayUnsupported 2->?");
        Assert.Equal(new[] { "live 1", "gap ReplayUnsupported 2->?" }, stream.Log); // 'shutdown' was event #1
    }

    [Fact]
    public async Task Ticks_keep_the_connection_alive_and_their_absence_kills_it()
    {
        var clientClock = new ObservableFakeTimeProvider();
        await using var s = await StartAsync(g => g.HeartbeatInterval = TimeSpan.FromSeconds(30), o => o.TimeProvider = clientClock);
        var (gateway, client, states) = s;
        await using var stream = new StreamRecorder(client);
        await clientClock.WaitForTimerAsync(TimeSpan.FromSeconds(30), Harness.Deadline());

        clientClock.Advance(TimeSpan.FromSeconds(30));
        await gateway.PublishOpenClawEventAsync("tick", new JsonObject { ["ts"] = 1 });
        await stream.WaitForSequenceAsync(1);
        clientClock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.DoesNotContain(gateway.Connections[0].ReceivedFrames, f => f.GetProperty("type").GetString() == "ping");

        clientClock.Advance(TimeSpan.FromSeconds(30));
        var dead = await states.WaitForAsync(ConnectionState.Reconnecting);
        Assert.Contains("No frame arrived", dead.Cause!.Message);
    }

    [Fact]
    public async Task PraisonAI_verbs_are_refused_at_once_saying_what_to_use_instead()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;

        var message = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendMessageAsync("hi", Harness.Deadline()));
        var abort = await Assert.ThrowsAsync<InvalidOperationException>(() => client.AbortAsync("user", Harness.Deadline()));

        Assert.StartsWith("SendMessageAsync is a PraisonAI verb; this client speaks openclaw: ", message.Message);
        Assert.StartsWith("AbortAsync is a PraisonAI verb; this client speaks openclaw: ", abort.Message);
        Assert.False(client.Capabilities.ChatTurns);
        Assert.All(new[] { message, abort }, e => Assert.Contains("RequestAsync", e.Message));

        // No resync either: OpenClaw cannot replay, so the app fetches what it needs.
        var resync = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ResyncAsync(Harness.Deadline()));
        Assert.StartsWith("ResyncAsync is a PraisonAI verb; this client speaks openclaw: ", resync.Message);
        Assert.False(client.Capabilities.Resync);
        Assert.Contains("chat.history", resync.Message);

        Assert.DoesNotContain((await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).ReceivedFrames,
            f => f.GetProperty("type").GetString() is "message" or "abort" || (f.TryGetProperty("method", out var m) && m.GetString() == "resync"));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Gateway.Client.Praxis;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>The Praxis dialect against TestGateway's two Praxis modes (the live handler by default, the documented protocol too).</summary>
public class PraxisDialectTests
{
    private static Task<Scenario> StartAsync(TestGatewayDialect mode = TestGatewayDialect.Praxis, Action<GatewayClientOptions>? client = null, bool connect = true, Action<TestGatewayOptions>? gateway = null)
    {
        var gatewayOptions = new TestGatewayOptions { Dialect = mode, EnableHeartbeat = false };
        gateway?.Invoke(gatewayOptions);
        return Scenario.StartAsync(gatewayOptions, o =>
        {
            o.Dialect = ProtocolDialect.Praxis;
            o.AgentId = null;
            client?.Invoke(o);
        }, connect);
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string? Type(JsonElement frame) => frame.TryGetProperty("type", out var t) ? t.GetString() : null;

    [Fact]
    public async Task Connecting_sends_nothing_and_needs_no_agent_id_on_the_events_path()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.Equal("/ws/events", connection.Path);
        Assert.Equal(ContinuityOutcome.Fresh, (await s.States.WaitForAsync(ConnectionState.Connected)).Continuity!.Outcome);
        Assert.Contains(PraxisCommands.DslCommand, client.Session!.Features.Methods);
        Assert.Empty(connection.ReceivedFrames);
    }

    [Fact]
    public async Task A_dsl_command_returns_its_result_with_each_progress_report_as_an_interim_answer_first()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;
        var progress = new List<GatewayRequestProgress>();
        var progressSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reports = new InlineProgress<GatewayRequestProgress>(p =>
        {
            progress.Add(p);
            progressSeen.TrySetResult();
        });

        var result = await client.RequestAsync(PraxisCommands.DslCommand, Json("""{"command":"list files"}"""),
            new GatewayRequestOptions { Progress = reports }, Harness.Deadline());
        await progressSeen.Task.WaitAsync(Harness.Deadline());

        Assert.True(result.GetProperty("success").GetBoolean());
        Assert.Equal("list files", result.GetProperty("command").GetString());
        Assert.Equal("praxis-agent-1", result.GetProperty("matchedAgents")[0].GetString());
        var report = Assert.Single(progress);
        Assert.Equal(GatewayRequestProgressKind.Progress, report.Kind);
        Assert.Equal("analyzing", report.Data.GetProperty("stage").GetString());
        Assert.Equal("list files", report.Data.GetProperty("details").GetProperty("command").GetString());

        // Nothing of the exchange is also an event, and the request went out as {"type","id","payload"}.
        var sent = await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync(PraxisCommands.DslCommand, Harness.Deadline());
        Assert.Equal("list files", sent.GetProperty("payload").GetProperty("command").GetString());
        Assert.StartsWith("r", sent.GetProperty("id").GetString());
        Assert.Equal(0, client.Statistics.EventsReceived);
        Assert.Equal(0, client.Statistics.UnmatchedResponsesSkipped);
    }

    [Fact]
    public async Task Execute_workflow_returns_workflow_start_and_chat_returns_the_assistants_reply()
    {
        await using var s = await StartAsync();
        var client = s.Client;

        var started = await client.RequestAsync(PraxisCommands.ExecuteWorkflow,
            Json("""{"workflow":{"id":"wf-7","nodes":[{"id":"n1"}],"edges":[]}}"""), Harness.Deadline());
        var reply = await client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"hello"}"""), Harness.Deadline());

        Assert.Equal("wf-7", started.GetProperty("workflowId").GetString());
        Assert.Equal("n1", started.GetProperty("nodes")[0].GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(started.GetProperty("executionId").GetString()));
        Assert.Equal("I received your message: hello", reply.GetProperty("content").GetString());
        Assert.Equal("assistant", reply.GetProperty("sender").GetString());
    }

    [Fact]
    public async Task Concurrent_requests_are_answered_in_the_order_they_went_out()
    {
        await using var s = await StartAsync();
        var client = s.Client;

        var requests = Enumerable.Range(1, 20).Select(i => i % 2 == 0
            ? client.RequestAsync(PraxisCommands.ChatMessage, Json($$"""{"content":"m{{i}}"}"""), Harness.Deadline())
            : client.RequestAsync(PraxisCommands.DslCommand, Json($$"""{"command":"c{{i}}"}"""), Harness.Deadline())).ToArray();
        var answers = await Task.WhenAll(requests);

        for (var i = 1; i <= 20; i++)
        {
            var answer = answers[i - 1];
            Assert.Equal(i % 2 == 0 ? $"I received your message: m{i}" : $"c{i}",
                i % 2 == 0 ? answer.GetProperty("content").GetString() : answer.GetProperty("command").GetString());
        }
    }

    [Fact]
    public async Task Invalid_input_fails_the_request_with_the_servers_code_and_the_connection_stays()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;

        var error = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync(PraxisCommands.ExecuteWorkflow, Json("[1,2]"), Harness.Deadline()));
        Assert.Equal("INTERNAL_ERROR", error.Code);
        Assert.Contains("'list' object has no attribute 'get'", error.Message);

        var after = await client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"still here"}"""), Harness.Deadline());
        Assert.Equal("I received your message: still here", after.GetProperty("content").GetString());
        Assert.Single(gateway.Connections);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task Other_frames_are_unnumbered_events_whose_payload_is_the_frames_payload_and_system_notices_are_not_events()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;
        await using var stream = new StreamRecorder(client, recordUnnumbered: true);

        // An app frame of a type the handler does not know is answered with the welcome notice: control, not an event.
        await client.SendAsync(JsonDocument.Parse("""{"type":"HELLO","payload":{}}""").RootElement, Harness.Deadline());
        await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).WaitForFrameAsync("HELLO", Harness.Deadline());
        await gateway.PublishPraxisEventAsync(PraxisEventTypes.WorkflowProgress, new JsonObject { ["workflowId"] = "wf-1", ["progress"] = 0.5 });
        var progress = await stream.WaitForEventAsync(e => e.Type == PraxisEventTypes.WorkflowProgress, Harness.Deadline());

        Assert.Null(progress.Sequence);
        Assert.Equal("wf-1", progress.Data.GetProperty("workflowId").GetString());
        Assert.Equal(0.5, progress.Data.GetProperty("progress").GetDouble());
        Assert.Equal(new[] { PraxisEventTypes.WorkflowProgress }, stream.Log);
    }

    [Fact]
    public async Task More_requests_in_flight_than_the_ledger_holds_each_get_their_own_answer_or_a_typed_refusal()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var deadline = Harness.Deadline(60);
        const int Bound = Gateway.Client.Dialects.Praxis.PraxisAnswerLedger.MaxAwaiting, Count = Bound + 76;
        var requests = new Task<JsonElement>[Count];

        // The server reads every frame but answers none until all are out: 1,100 requests in flight at once. They
        // go one at a time (each on the server, or refused, before the next), so the wire order is the loop's. A
        // refused one's frame never arrives: the last frame below releases its waiter (none may fail at the end).
        const string Last = "LAST";
        using (gateway.HoldPraxisAnswers())
        {
            for (var i = 0; i < Count; i++)
            {
                var content = $"m{i}";
                requests[i] = client.RequestAsync(PraxisCommands.ChatMessage, Json($$"""{"content":"{{content}}"}"""), deadline);
                await Task.WhenAny(requests[i], connection.WaitForFrameAsync(
                    f => Type(f) == Last || (f.GetProperty("payload").TryGetProperty("content", out var c) && c.GetString() == content), deadline));
            }
        }

        // Each gets its own answer, or was refused before it was written (the newest first: had answers shifted, the
        // newest would hold an older one's at once).
        for (var i = Count - 1; i >= 0; i--)
        {
            string outcome;
            try
            {
                outcome = (await requests[i]).GetProperty("content").GetString()!;
            }
            catch (GatewayRequestException refused)
            {
                outcome = $"refused {refused.Code}";
            }

            Assert.Equal(i < Bound ? $"I received your message: m{i}" : "refused TOO_MANY_AWAITING", outcome);
        }

        await client.SendAsync(Json("""{"type":"LAST","payload":{}}"""), deadline);
        await connection.WaitForFrameAsync(Last, deadline);
        Assert.Equal(Bound + 1, connection.ReceivedFrames.Count);
        Assert.Equal(0, client.Statistics.UnmatchedResponsesSkipped);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_frame_with_anything_after_its_object_is_skipped_and_counted_as_malformed()
    {
        await using var s = await StartAsync();
        var (gateway, client, _) = s;
        await using var stream = new StreamRecorder(client, recordUnnumbered: true);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendTextAsync("""{"type":"workflowLog","payload":{"message":"trailing"}} trailing""");
        await connection.SendTextAsync("""{"type":"workflowLog","payload":{"message":"first"}}{"type":"workflowLog","payload":{"message":"second"}}""");
        await gateway.PublishPraxisEventAsync(PraxisEventTypes.WorkflowLog, new JsonObject { ["message"] = "after" });
        await stream.WaitForEventAsync(e => e.Data.GetProperty("message").GetString() == "after", Harness.Deadline());

        Assert.Equal(new[] { "after" }, stream.Events.Select(e => e.Data.GetProperty("message").GetString()));
        Assert.Equal(2, client.Statistics.MalformedFramesSkipped);
    }

    [Fact]
    public async Task A_server_restart_reconnects_reports_the_continuity_break_and_restores_subscriptions_before_any_app_frame()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await StartAsync(client: o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = o.Reconnect.MaxDelay = TimeSpan.FromSeconds(1);
            o.GetDialectOptions<PraxisOptions>().EventTypes = new List<string> { "task.started", "task.completed" };
        });
        var (gateway, client, states) = s;
        await using var stream = new StreamRecorder(client, recordUnnumbered: true);
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var subscribe = await first.WaitForFrameAsync(PraxisCommands.SubscribeEvents, Harness.Deadline());
        Assert.Equal(new[] { "task.started", "task.completed" }, subscribe.GetProperty("payload").GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));

        await gateway.PublishPraxisEventAsync(PraxisEventTypes.WorkflowStart, new JsonObject { ["workflowId"] = "before" });
        await stream.WaitForEntriesAsync(1);

        // The server goes away (the live handler never closes: 1006); an app request waits for the next connection,
        // which comes after a backoff step on the fake clock (the connection was not up long enough to reset it).
        await gateway.RestartAsync(RestartMode.ForgetSessions);
        var reconnecting = await states.WaitForAsync(ConnectionState.Reconnecting);
        var pending = client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"after"}"""), Harness.Deadline());
        Assert.True(reconnecting.RetryDelay > TimeSpan.Zero, $"retry in {reconnecting.RetryDelay}");
        await clock.WaitForTimerAsync(reconnecting.RetryDelay!.Value, Harness.Deadline());
        Assert.False(pending.IsCompleted);
        clock.Advance(reconnecting.RetryDelay!.Value);
        var reconnected = await states.WaitForAsync(ConnectionState.Connected, 2);
        var reply = await pending;

        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        Assert.Equal(new[] { PraxisCommands.SubscribeEvents, PraxisCommands.ChatMessage }, second.ReceivedFrames.Select(Type));
        Assert.Equal("I received your message: after", reply.GetProperty("content").GetString());
        Assert.Equal(ContinuityOutcome.NotResumable, reconnected.Continuity!.Outcome);
        await stream.WaitForAsync("gap ReplayUnsupported 1->?");
        Assert.Null(Assert.Single(stream.Gaps).Received);
        Assert.Equal(2, client.Statistics.SessionRestoreFramesSent);
        Assert.Equal(1, client.Statistics.EventsReceived); // the welcome notices answering the subscriptions were control
    }

    [Fact]
    public async Task The_socket_keep_alive_watches_liveness_so_a_silent_healthy_connection_is_kept()
    {
        var clock = new ObservableFakeTimeProvider();
        (TimeSpan Interval, TimeSpan Timeout) keepAlive = default;
        await using var s = await StartAsync(client: o =>
        {
            o.TimeProvider = clock;
            o.HeartbeatInterval = TimeSpan.FromSeconds(10);
            o.ConfigureWebSocket = socket => keepAlive = (socket.KeepAliveInterval, socket.KeepAliveTimeout);
        });
        var (gateway, client, _) = s;

        // No app-level ping and no silence deadline: Praxis may say nothing for hours.
        clock.Advance(TimeSpan.FromSeconds(60));
        var answer = await client.RequestAsync(PraxisCommands.ChatMessage, Json("""{"content":"quiet"}"""), Harness.Deadline());

        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), keepAlive);
        Assert.Equal("I received your message: quiet", answer.GetProperty("content").GetString());
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.DoesNotContain((await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).ReceivedFrames, f => Type(f) == PraxisCommands.Ping);
    }

    [Fact]
    public async Task Chat_verbs_and_resync_are_refused_saying_what_to_use_instead()
    {
        await using var s = await StartAsync();
        var client = s.Client;

        var message = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendMessageAsync("hi", Harness.Deadline()));
        var resync = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ResyncAsync(Harness.Deadline()));

        Assert.StartsWith("SendMessageAsync is a PraisonAI verb; this client speaks praxis: ", message.Message);
        Assert.Contains("CHAT_MESSAGE", message.Message);
        Assert.StartsWith("ResyncAsync is a PraisonAI verb; this client speaks praxis: ", resync.Message);
    }

    [Fact]
    public async Task Documented_protocol_welcome_pong_and_acknowledgements_are_control_and_subscribed_bus_events_arrive()
    {
        await using var s = await StartAsync(TestGatewayDialect.PraxisDocumented, o => o.GetDialectOptions<PraxisOptions>().EventTypes = new List<string> { "task.started" });
        var (gateway, client, _) = s;
        await using var stream = new StreamRecorder(client, recordUnnumbered: true);

        var pong = await client.RequestAsync(PraxisCommands.Ping, default, Harness.Deadline());
        await gateway.PublishPraxisBusEventAsync("task.started", PraxisEventTypes.WorkflowStart, new JsonObject { ["workflowId"] = "t-1" });
        await gateway.PublishPraxisBusEventAsync("log.entry", PraxisEventTypes.WorkflowLog, new JsonObject { ["message"] = "not subscribed" });
        await gateway.PublishPraxisBusEventAsync("task.started", PraxisEventTypes.WorkflowStart, new JsonObject { ["workflowId"] = "t-2" });
        await stream.WaitForEntriesAsync(2);

        Assert.True(pong.TryGetProperty("timestamp", out _));
        Assert.Equal(new[] { "t-1", "t-2" }, stream.Events.Select(e => e.Data.GetProperty("workflowId").GetString()));
        Assert.Equal(0, client.Statistics.MalformedFramesSkipped + client.Statistics.UnmatchedResponsesSkipped);

        // An unknown command is an error answer, typed, and the connection stays.
        var error = await Assert.ThrowsAsync<GatewayRequestException>(() => client.RequestAsync("NOPE", default, Harness.Deadline()));
        Assert.Equal("WEBSOCKET_ERROR", error.Code);
        Assert.Contains("Invalid message type: NOPE", error.Message);
    }

    [Fact]
    public async Task Documented_protocol_dsl_command_is_answered_through_the_bus_in_order()
    {
        await using var s = await StartAsync(TestGatewayDialect.PraxisDocumented);
        var client = s.Client;

        var result = await client.RequestAsync(PraxisCommands.DslCommand, Json("""{"command":"deploy"}"""), Harness.Deadline());

        Assert.Equal("deploy", result.GetProperty("command").GetString());
    }

    [Fact]
    public async Task A_full_documented_server_closing_with_1008_is_retried_after_a_full_backoff_step()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await StartAsync(TestGatewayDialect.PraxisDocumented, o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(1);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(30);
        }, connect: false);
        var (gateway, client, states) = s;
        gateway.LimitPraxisConnections(1);
        await using var other = new GatewayClient(Harness.OptionsFor(gateway, o => { o.Dialect = ProtocolDialect.Praxis; o.AgentId = null; }));
        await other.ConnectAsync(Harness.Deadline());

        await client.ConnectAsync(Harness.Deadline()); // the server accepts, then closes: there is no handshake to refuse
        var reconnecting = await states.WaitForAsync(ConnectionState.Reconnecting);

        Assert.Equal(1008, (int)Assert.IsType<GatewayConnectionException>(reconnecting.Cause).CloseStatus!.Value);
        // A backoff step (1 s less the default 20% jitter, randomness pinned low), never an immediate retry.
        Assert.True(reconnecting.RetryDelay >= TimeSpan.FromSeconds(0.8), $"retry in {reconnecting.RetryDelay}");
        await other.DisposeAsync();
        await clock.WaitForTimerAsync(reconnecting.RetryDelay!.Value, Harness.Deadline());
        clock.Advance(reconnecting.RetryDelay!.Value);
        await states.WaitForAsync(ConnectionState.Connected, 2);
    }
}

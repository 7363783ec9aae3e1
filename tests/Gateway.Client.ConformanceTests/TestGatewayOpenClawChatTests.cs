using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// TestGateway's OpenClaw chat, seen through raw sockets: <c>chat.send</c> answers and dedupe, the run's <c>agent</c>/<c>chat</c>
/// events broadcast to every connection (so a run goes on to a new one), <c>chat.abort</c>'s authority, and <c>chat.history</c>.
/// </summary>
public class TestGatewayOpenClawChatTests
{
    private static TestGatewayOptions Options(TestAgent? agent = null)
    {
        var options = new TestGatewayOptions { Dialect = TestGatewayDialect.OpenClaw, EnableHeartbeat = false };
        if (agent is not null)
        {
            options.Agent = agent;
        }

        return options;
    }

    private static JsonObject Send(string message, string key, string sessionKey = "main") =>
        new() { ["sessionKey"] = sessionKey, ["message"] = message, ["idempotencyKey"] = key };

    private static JsonElement Payload(JsonElement frame) => frame.GetProperty("payload");

    private static string? State(JsonElement frame) =>
        frame.GetProperty("event").GetString() == "chat" ? Payload(frame).GetProperty("state").GetString() : null;

    private static bool Ends(JsonElement frame) => State(frame) is "final" or "aborted" or "error";

    [Fact]
    public async Task A_chat_send_without_an_idempotency_key_is_refused()
    {
        await using var gateway = await TestGateway.StartAsync(Options());
        await using var socket = await RawSocket.ConnectOpenClawAsync(gateway);

        var answer = await socket.RequestAsync("chat.send", new JsonObject { ["sessionKey"] = "main", ["message"] = "hi" });

        Assert.False(answer.GetProperty("ok").GetBoolean());
        Assert.Equal("INVALID_REQUEST", answer.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("must have required property 'idempotencyKey'", answer.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_run_streams_agent_and_chat_events_with_a_per_run_seq_and_the_final_shares_the_last_deltas_seq()
    {
        await using var gateway = await TestGateway.StartAsync(Options());
        await using var socket = await RawSocket.ConnectOpenClawAsync(gateway);

        var answer = await socket.RequestAsync("chat.send", Send("hello big world", "k1", "x"));
        var events = await socket.ReadUntilAsync(Ends);

        Assert.Equal("""{"runId":"k1","status":"started"}""", Payload(answer).GetRawText());
        Assert.All(events, e => Assert.Equal("k1", Payload(e).GetProperty("runId").GetString()));
        Assert.All(events, e => Assert.Equal("agent:main:x", Payload(e).GetProperty("sessionKey").GetString()));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("seq").GetInt64())); // per connection
        var lifecycle = events.Where(e => e.GetProperty("event").GetString() == "agent" && Payload(e).GetProperty("stream").GetString() == "lifecycle").ToList();
        Assert.Equal(new[] { "start", "end" }, lifecycle.Select(e => Payload(e).GetProperty("data").GetProperty("phase").GetString()));
        var assistant = events.Where(e => e.GetProperty("event").GetString() == "agent" && Payload(e).GetProperty("stream").GetString() == "assistant").ToList();
        Assert.Equal(new[] { "echo: ", "hello ", "big ", "world" }, assistant.Select(e => Payload(e).GetProperty("data").GetProperty("delta").GetString()));
        Assert.Equal("echo: hello big world", Payload(assistant[^1]).GetProperty("data").GetProperty("text").GetString());

        // Paced as the real gateway: the first delta at once, the burst after it merged and sent with the end.
        var deltas = events.Where(e => State(e) == "delta").ToList();
        Assert.Equal(new[] { "echo: ", "hello big world" }, deltas.Select(e => Payload(e).GetProperty("deltaText").GetString()));
        Assert.Equal("echo: hello big world", Payload(deltas[^1]).GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
        var final = Payload(events[^1]);
        Assert.Equal(("final", "stop"), (final.GetProperty("state").GetString(), final.GetProperty("stopReason").GetString()));
        Assert.Equal("echo: hello big world", final.GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(Payload(deltas[^1]).GetProperty("seq").GetInt64(), final.GetProperty("seq").GetInt64());
        Assert.Equal(Payload(lifecycle[^1]).GetProperty("seq").GetInt64(), final.GetProperty("seq").GetInt64());
        var runSeq = events.Where(e => e.GetProperty("event").GetString() == "agent").Select(e => Payload(e).GetProperty("seq").GetInt64());
        Assert.Equal(Enumerable.Range(1, runSeq.Count()).Select(i => (long)i), runSeq);
    }

    [Fact]
    public async Task Reasoning_and_tool_calls_are_agent_thinking_and_tool_events_broadcast_to_every_connection()
    {
        var agent = new ScriptedAgent(async (turn, _) =>
        {
            await turn.StreamReasoningAsync("hmm");
            await turn.CallToolAsync("search", new JsonObject { ["q"] = "x" }, new JsonObject { ["hits"] = 1 }, "c1");
            await turn.StreamTokenAsync("done");
            return "echo: done";
        });
        agent.ReleaseAll();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        await using var sender = await RawSocket.ConnectOpenClawAsync(gateway);
        await using var watcher = await RawSocket.ConnectOpenClawAsync(gateway);

        await sender.RequestAsync("chat.send", Send("go", "k1"));
        var events = await sender.ReadUntilAsync(Ends);
        var watched = await watcher.ReadUntilAsync(Ends);

        var streams = events.Where(e => e.GetProperty("event").GetString() == "agent").Select(e => Payload(e).GetProperty("stream").GetString());
        Assert.Equal(new[] { "lifecycle", "assistant", "thinking", "tool", "tool", "assistant", "lifecycle" }, streams);
        var data = events.Where(e => e.GetProperty("event").GetString() == "agent").Select(e => Payload(e).GetProperty("data")).ToList();
        Assert.Equal("""{"text":"hmm","delta":"hmm"}""", data[2].GetRawText());
        Assert.Equal("""{"phase":"start","name":"search","toolCallId":"c1","args":{"q":"x"}}""", data[3].GetRawText());
        Assert.Equal("""{"phase":"result","name":"search","toolCallId":"c1","result":{"hits":1},"isError":false}""", data[4].GetRawText());
        Assert.Equal(new[] { "echo: ", "done" }, events.Where(e => State(e) == "delta").Select(e => Payload(e).GetProperty("deltaText").GetString()));
        Assert.Equal(events.Select(e => Payload(e).GetRawText()), watched.Select(e => Payload(e).GetRawText()));
    }

    [Fact]
    public async Task The_same_key_never_runs_the_agent_twice_and_is_answered_by_the_runs_state()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        await using var socket = await RawSocket.ConnectOpenClawAsync(gateway);

        Assert.Equal("started", Payload(await socket.RequestAsync("chat.send", Send("one", "k1"))).GetProperty("status").GetString());
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        var inFlight = await socket.RequestAsync("chat.send", Send("one", "k1"));
        var conflict = await socket.RequestAsync("chat.send", Send("other", "k1"));
        agent.Release(1);
        await socket.ReadUntilAsync(Ends);
        var ok = await socket.RequestAsync("chat.send", Send("one", "k1"));

        Assert.Equal("""{"runId":"k1","status":"in_flight"}""", Payload(inFlight).GetRawText());
        Assert.Equal("INVALID_REQUEST", conflict.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("chat-request-conflict", conflict.GetProperty("error").GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("""{"runId":"k1","status":"ok"}""", Payload(ok).GetRawText());
        Assert.Equal(1, agent.TurnsStarted);
    }

    [Fact]
    public async Task A_failed_run_reports_its_error_twice_and_a_repeat_is_unavailable_with_its_status()
    {
        await using var gateway = await TestGateway.StartAsync(Options());
        await using var socket = await RawSocket.ConnectOpenClawAsync(gateway);

        await socket.RequestAsync("chat.send", Send("fail now", "k1"));
        var events = await socket.ReadUntilAsync(Ends);
        var second = await socket.NextAsync("event");
        var repeat = await socket.RequestAsync("chat.send", Send("fail now", "k1"));

        Assert.Equal("the agent failed: fail now", Payload(events[^1]).GetProperty("errorMessage").GetString());
        Assert.Equal("error", State(second));
        Assert.Equal(1, Payload(second).GetProperty("seq").GetInt64());
        Assert.Equal(("k1", "the agent failed: fail now"), (Payload(second).GetProperty("runId").GetString(), Payload(second).GetProperty("errorMessage").GetString()));
        Assert.False(repeat.GetProperty("ok").GetBoolean());
        Assert.Equal("UNAVAILABLE", repeat.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("error", Payload(repeat).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_refused_run_ends_in_error_with_kind_rejected()
    {
        var agent = new ScriptedAgent();
        agent.Reject(1, "not allowed");
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        await using var socket = await RawSocket.ConnectOpenClawAsync(gateway);

        await socket.RequestAsync("chat.send", Send("one", "k1"));
        var end = Payload((await socket.ReadUntilAsync(Ends))[^1]);

        Assert.Equal(("error", "not allowed", "rejected"), (end.GetProperty("state").GetString(), end.GetProperty("errorMessage").GetString(), end.GetProperty("errorKind").GetString()));
    }

    [Fact]
    public async Task Only_the_sending_connection_may_abort_a_run_and_a_repeat_then_says_aborted()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        await using var sender = await RawSocket.ConnectOpenClawAsync(gateway);
        await using var other = await RawSocket.ConnectOpenClawAsync(gateway);

        await sender.RequestAsync("chat.send", Send("one", "k1"));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        var refused = await other.RequestAsync("chat.abort", new JsonObject { ["sessionKey"] = "main", ["runId"] = "k1" });
        var aborted = await sender.RequestAsync("chat.abort", new JsonObject { ["sessionKey"] = "main", ["runId"] = "k1" });
        var end = (await sender.ReadUntilAsync(Ends))[^1];
        var repeat = await sender.RequestAsync("chat.send", Send("one", "k1"));

        Assert.Equal(("INVALID_REQUEST", "unauthorized"), (refused.GetProperty("error").GetProperty("code").GetString(), refused.GetProperty("error").GetProperty("message").GetString()));
        Assert.Equal("""{"ok":true,"aborted":true,"runIds":["k1"]}""", Payload(aborted).GetRawText());
        Assert.Equal(("aborted", "rpc", "echo: "), (State(end), Payload(end).GetProperty("stopReason").GetString(), Payload(end).GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.Equal(("timeout", "aborted"), (Payload(repeat).GetProperty("status").GetString(), Payload(repeat).GetProperty("summary").GetString()));
        Assert.Equal(1, agent.TurnsStarted);
    }

    [Fact]
    public async Task A_run_goes_on_when_its_sender_leaves_and_a_new_connection_gets_the_rest_and_the_history()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var sender = await RawSocket.ConnectOpenClawAsync(gateway);
        var senderConnection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await sender.RequestAsync("chat.send", Send("one two", "k1", "s"));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        await sender.DisposeAsync();
        await senderConnection.Closed.WaitAsync(Harness.Deadline());
        await using var next = await RawSocket.ConnectOpenClawAsync(gateway);
        var during = Payload(await next.RequestAsync("chat.history", new JsonObject { ["sessionKey"] = "s" }));
        var repeat = await next.RequestAsync("chat.send", Send("one two", "k1", "s"));
        agent.Release(1);
        var rest = await next.ReadUntilAsync(Ends);
        var after = Payload(await next.RequestAsync("chat.history", new JsonObject { ["sessionKey"] = "agent:main:s" }));

        Assert.True(during.GetProperty("sessionInfo").GetProperty("hasActiveRun").GetBoolean());
        Assert.Equal(("k1", "echo: "), (during.GetProperty("inFlightRun").GetProperty("runId").GetString(), during.GetProperty("inFlightRun").GetProperty("text").GetString()));
        Assert.Equal("in_flight", Payload(repeat).GetProperty("status").GetString());
        Assert.Equal("final", State(rest[^1]));
        Assert.True(Payload(rest[0]).GetProperty("seq").GetInt64() > 2); // the run's count goes on from where it was
        Assert.Equal("echo: one two", Payload(rest[^1]).GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.False(after.GetProperty("sessionInfo").GetProperty("hasActiveRun").GetBoolean());
        Assert.False(after.TryGetProperty("inFlightRun", out _));
        Assert.Equal(new (string?, string?)[] { ("user", "one two"), ("assistant", "echo: one two") }, after.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content")[0].GetProperty("text").GetString())));
    }

    [Fact]
    public async Task Events_of_a_run_while_no_connection_is_open_are_lost_and_the_reply_is_in_the_history()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var sender = await RawSocket.ConnectOpenClawAsync(gateway);
        var senderConnection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await sender.RequestAsync("chat.send", Send("one", "k1"));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        await sender.DisposeAsync();
        await senderConnection.Closed.WaitAsync(Harness.Deadline());

        agent.Release(1);
        var reply = await gateway.WaitForOpenClawChatMessageAsync("main", 2, Harness.Deadline());
        await gateway.OpenClawChat.FindRun("k1")!.Finished.WaitAsync(Harness.Deadline()); // its end went out to nobody
        await using var next = await RawSocket.ConnectOpenClawAsync(gateway);
        var repeat = await next.RequestAsync("chat.send", Send("one", "k1"));

        Assert.Equal(("assistant", "echo: one"), (reply.Role, reply.Text));
        Assert.Equal("ok", Payload(repeat).GetProperty("status").GetString());
        Assert.False(next.HasPending); // nothing of the run reached the new connection
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// TestGateway's PraisonAI turns, seen through a raw socket: the real server's queueing, the sender-only delivery that loses a
/// turn's frames once the sender has gone, the wedged session, and the ends of a turn (aborted, refused, failed).
/// </summary>
public class TestGatewayTurnTests
{
    private static TestGatewayOptions Options(TestAgent agent) => new() { Agent = agent, EnableHeartbeat = false };

    private static JsonObject Message(string content) => new() { ["type"] = "message", ["content"] = content };

    private static string? Type(JsonElement frame) => frame.GetProperty("type").GetString();

    private static string? Status(JsonElement frame) => frame.TryGetProperty("status", out var s) ? s.GetString() : null;

    private static bool IsFinal(JsonElement frame) => Type(frame) == "response" && Status(frame) == "final";

    [Fact]
    public async Task A_message_sent_while_a_turn_runs_is_queued_and_runs_after_it_in_order()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, _) = await RawSocket.HelloAsync(gateway);
        await using var _s = socket;

        await socket.SendAsync(Message("one"));
        var accepted = await socket.NextAsync("response");
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        await socket.SendAsync(Message("two"));
        var frames = await socket.ReadUntilAsync(f => Type(f) == "response");

        Assert.Equal("accepted", Status(accepted));
        Assert.Equal("Started processing.", accepted.GetProperty("content").GetString());
        Assert.Equal(1, accepted.GetProperty("seq").GetInt64());
        Assert.Equal(new[] { "token_stream", "status", "response" }, frames.Select(Type));
        Assert.False(frames[1].TryGetProperty("seq", out _)); // the status frame is unnumbered
        Assert.Equal("echo", frames[1].GetProperty("source").GetString());
        Assert.Equal("Thinking... (I've added your new message to the queue to process next).", frames[1].GetProperty("message").GetString());
        Assert.Equal("accepted", Status(frames[2]));
        Assert.Equal("Message queued.", frames[2].GetProperty("content").GetString());
        Assert.Equal(1, agent.TurnsStarted);

        agent.Release(1);
        var first = await socket.ReadUntilAsync(IsFinal);
        await agent.WaitForFirstTokenAsync(2, Harness.Deadline());
        agent.Release(2);
        var second = await socket.ReadUntilAsync(IsFinal);

        Assert.Equal("echo: one", first[^1].GetProperty("content").GetString());
        Assert.Equal("stream_end", Type(first[^2]));
        Assert.Equal("echo: two", second[^1].GetProperty("content").GetString());
        Assert.Equal("echo: two", string.Concat(second.Where(f => Type(f) == "token_stream").Select(f => f.GetProperty("data").GetProperty("content").GetString())));
        var numbers = new[] { accepted }.Concat(frames).Concat(first).Concat(second).Where(f => f.TryGetProperty("seq", out _)).Select(f => f.GetProperty("seq").GetInt64());
        Assert.Equal(Enumerable.Range(1, numbers.Count()).Select(i => (long)i), numbers);
    }

    [Fact]
    public async Task A_turns_frames_after_its_sender_dropped_are_lost_but_its_reply_is_in_the_sessions_history()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, helloOk) = await RawSocket.HelloAsync(gateway);
        var sessionId = helloOk.GetProperty("session_id").GetString()!;
        var session = gateway.GetSession(sessionId);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await socket.SendAsync(Message("one"));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        await socket.DisposeAsync();
        await connection.Closed.WaitAsync(Harness.Deadline());
        agent.Release(1);
        var reply = await session.WaitForMessageAsync(2, Harness.Deadline());

        Assert.Equal(new TestChatMessage("user", "one", reply.Timestamp), session.Messages[0] with { Timestamp = reply.Timestamp });
        Assert.Equal(("assistant", "echo: one"), (reply.Role, reply.Text));
        Assert.Equal(2, session.Head); // accepted and the first token; nothing after the drop was numbered
        Assert.Equal(new[] { "response", "token_stream" }, session.Retained.Select(e => e.Type));
        Assert.False(session.IsWedged);

        // Resumed after the turn ended: the replay holds only what was numbered, and the session runs turns.
        var (resumed, again) = await RawSocket.HelloAsync(gateway, sessionId, since: 0);
        await using var _r = resumed;
        Assert.Equal(2, again.GetProperty("cursor").GetInt64());
        Assert.Equal(new long[] { 1, 2 }, new[] { await resumed.NextAsync("replay"), await resumed.NextAsync("replay") }.Select(r => r.GetProperty("event").GetProperty("sequence").GetInt64()));
        await resumed.SendAsync(Message("two"));
        Assert.Equal("Started processing.", (await resumed.NextAsync("response")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_session_resumed_while_its_turn_runs_for_a_closed_connection_is_wedged_for_ever()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, helloOk) = await RawSocket.HelloAsync(gateway);
        var sessionId = helloOk.GetProperty("session_id").GetString()!;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await socket.SendAsync(Message("one"));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        await socket.DisposeAsync();
        await connection.Closed.WaitAsync(Harness.Deadline());

        var (resumed, _) = await RawSocket.HelloAsync(gateway, sessionId, since: 2);
        await using var _r = resumed;
        var session = gateway.GetSession(sessionId);
        Assert.True(session.IsWedged);
        await resumed.SendAsync(Message("two"));
        var queued = await resumed.ReadUntilAsync(f => Type(f) == "response");
        agent.Release(1);
        await session.WaitForMessageAsync(3, Harness.Deadline()); // one, two, the reply to one
        await resumed.SendAsync(Message("three"));
        var stillQueued = await resumed.ReadUntilAsync(f => Type(f) == "response");
        await resumed.SendAsync(new JsonObject { ["type"] = "abort" });
        var fence = await resumed.NextAsync();

        Assert.Equal(new[] { "status", "response" }, queued.Select(Type));
        Assert.Equal(new[] { "status", "response" }, stillQueued.Select(Type));
        Assert.All(new[] { queued[1], stillQueued[1] }, r => Assert.Equal("Message queued.", r.GetProperty("content").GetString()));
        Assert.Equal("no_active_turn", Type(fence)); // nothing else came in between: the queued messages never ran
        Assert.Equal(1, agent.TurnsStarted);
        Assert.Equal(new[] { "one", "two", "echo: one", "three" }, session.Messages.Select(m => m.Text));

        // A brand-new session is not wedged.
        agent.ReleaseAll();
        var (fresh, _) = await RawSocket.HelloAsync(gateway);
        await using var _f = fresh;
        await fresh.SendAsync(Message("four"));
        var turn = await fresh.ReadUntilAsync(IsFinal);
        Assert.Equal("Started processing.", turn[0].GetProperty("content").GetString());
        Assert.Equal("echo: four", turn[^1].GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("abort")]
    [InlineData("stop")]
    public async Task An_aborted_turn_ends_with_the_real_servers_cancelled_final(string how)
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, _) = await RawSocket.HelloAsync(gateway);
        await using var _s = socket;
        await socket.SendAsync(Message("one"));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());

        await socket.SendAsync(how == "abort" ? new JsonObject { ["type"] = "abort", ["reason"] = "user" } : Message(" STOP "));
        var frames = await socket.ReadUntilAsync(IsFinal);

        Assert.Equal(new[] { "response", "token_stream", "aborted", "response" }, frames.Select(Type));
        Assert.False(frames[2].TryGetProperty("seq", out _));
        Assert.Equal("Turn cancelled: user.", frames[^1].GetProperty("content").GetString());
        Assert.Equal("ok", frames[^1].GetProperty("outcome").GetProperty("status").GetString()); // as _drive_turn leaves it
    }

    [Fact]
    public async Task A_refused_or_failed_turn_ends_with_outcome_rejected_or_error()
    {
        var agent = new ScriptedAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, _) = await RawSocket.HelloAsync(gateway);
        await using var _s = socket;

        agent.Reject(1, "too busy");
        agent.Fail(2, "model down");
        await socket.SendAsync(Message("one"));
        var rejected = (await socket.ReadUntilAsync(IsFinal))[^1];
        await socket.SendAsync(Message("two"));
        var failed = (await socket.ReadUntilAsync(IsFinal))[^1];

        Assert.Equal(("too busy", "rejected"), (rejected.GetProperty("content").GetString(), rejected.GetProperty("outcome").GetProperty("status").GetString()));
        Assert.Equal(("Error: model down", "error"), (failed.GetProperty("content").GetString(), failed.GetProperty("outcome").GetProperty("status").GetString()));
    }

    [Fact]
    public async Task The_echo_agent_fails_a_fail_message_at_once()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var (socket, _) = await RawSocket.HelloAsync(gateway);
        await using var _s = socket;

        await socket.SendAsync(Message("fail now"));
        var frames = await socket.ReadUntilAsync(IsFinal);

        Assert.Equal(new[] { "response", "response" }, frames.Select(Type));
        Assert.Equal("Error: the agent failed: fail now", frames[^1].GetProperty("content").GetString());
        Assert.Equal("error", frames[^1].GetProperty("outcome").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reasoning_and_tool_calls_stream_as_the_real_relay_maps_them()
    {
        var agent = new ScriptedAgent(async (turn, _) =>
        {
            await turn.StreamReasoningAsync("thinking");
            await turn.CallToolAsync("search", new JsonObject { ["q"] = "x" }, JsonValue.Create("found"), "c1");
            await turn.StreamTokenAsync("done");
            return "echo: done";
        });
        agent.ReleaseAll();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, _) = await RawSocket.HelloAsync(gateway);
        await using var _s = socket;

        await socket.SendAsync(Message("go"));
        var frames = await socket.ReadUntilAsync(IsFinal);

        Assert.Equal(new[] { "response", "token_stream", "reasoning_stream", "tool_call_stream", "tool_result_stream", "token_stream", "stream_end", "response" }, frames.Select(Type));
        Assert.Equal("thinking", frames[2].GetProperty("data").GetProperty("content").GetString());
        var call = frames[3].GetProperty("data").GetProperty("tool_call");
        Assert.Equal(("c1", "search", """{"q":"x"}"""), (call.GetProperty("id").GetString(), call.GetProperty("name").GetString(), call.GetProperty("arguments").GetString()));
        var result = frames[4].GetProperty("data").GetProperty("tool_call");
        Assert.Equal(("c1", "found", "x"), (result.GetProperty("id").GetString(), result.GetProperty("result").GetString(), result.GetProperty("arguments").GetProperty("q").GetString()));
        Assert.All(frames.Skip(1).SkipLast(1), f => Assert.NotNull(f.GetProperty("data").GetProperty("session_id").GetString()));
    }

    [Fact]
    public async Task A_slow_echo_turn_holds_after_its_first_token_until_released()
    {
        var agent = new EchoAgent();
        await using var gateway = await TestGateway.StartAsync(Options(agent));
        var (socket, _) = await RawSocket.HelloAsync(gateway);
        await using var _s = socket;

        await socket.SendAsync(Message("slow one"));
        var start = await socket.ReadUntilAsync(f => Type(f) == "token_stream");
        await socket.SendAsync(new JsonObject { ["type"] = "ping" });
        Assert.Equal("pong", Type(await socket.NextAsync())); // held: nothing of the turn came before the pong
        agent.ReleaseSlowTurns();
        var rest = await socket.ReadUntilAsync(IsFinal);

        Assert.Equal("echo: ", start[^1].GetProperty("data").GetProperty("content").GetString());
        Assert.Equal("echo: slow one", rest[^1].GetProperty("content").GetString());
    }
}

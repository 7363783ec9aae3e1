using System.Net.WebSockets;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.InteropTests;

/// <summary>
/// Gateway.Client against the real PraisonAI gateway (protocol 1): negotiation, a streamed turn, a drop
/// mid-turn, an outage past the replay window, refusals, liveness reaping and the legacy join. Where the
/// network must misbehave, a <see cref="LoopbackProxy"/> stands between the client and the gateway.
/// </summary>
[Collection("real gateway")]
public sealed class PraisonAiInteropTests : IClassFixture<PraisonAiFixture>
{
    private readonly PraisonAiFixture _fixture;

    public PraisonAiInteropTests(PraisonAiFixture fixture) => _fixture = fixture;

    private PraisonAiGateway Gateway => _fixture.Gateway;

    private static CancellationToken Limit(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [PraisonAiFact]
    public async Task Offering_protocols_1_to_2_negotiates_protocol_1()
    {
        await using var client = new GatewayClient(Gateway.ClientOptions());

        await client.ConnectAsync(Limit());

        var session = client.Session!;
        Assert.Equal(1, session.Protocol);
        Assert.False(session.IsLegacyHandshake);
        Assert.False(string.IsNullOrEmpty(session.SessionId));
        Assert.Equal(0, session.HeadSequence);
        Assert.Equal(TimeSpan.FromMilliseconds(PraisonAiFixture.HeartbeatMilliseconds), session.Policy.HeartbeatInterval);
        Assert.Contains("abort", session.Features.Methods);
        Assert.Contains("token_stream", session.Features.Events);
    }

    [PraisonAiFact]
    public async Task Offering_only_protocol_2_is_a_terminal_typed_protocol_unsupported_after_one_attempt()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        var options = Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port));
        options.MinProtocol = 2;
        options.MaxProtocol = 2;
        await using var client = new GatewayClient(options);
        var transitions = new StateRecorder(client);

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Limit()));

        Assert.Equal(HandshakeErrorCodes.ProtocolUnsupported, error.Code);
        Assert.Equal("downgrade_client", error.NextStep);
        Assert.Equal(new ProtocolRange(2, 2), error.ClientProtocol);
        // The real server names its range only in the message text ("server supports up to 1"), not in
        // fields: the client does not parse prose, so the server's range stays unknown.
        Assert.Null(error.ServerProtocol);
        Assert.Contains("server supports up to 1", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.Equal(1, proxy.Accepted);
        Assert.DoesNotContain(transitions.Transitions, t => t.Current == ConnectionState.Reconnecting);
    }

    [PraisonAiFact]
    public async Task A_turn_streams_numbered_events_in_order_from_accepted_to_final()
    {
        await using var client = new GatewayClient(Gateway.ClientOptions());
        await client.ConnectAsync(Limit());
        var head = client.Session!.HeadSequence;
        await using var log = new StreamRecorder(client);

        await client.SendMessageAsync("hello there", Limit());
        await log.WaitForEventAsync(StreamRecorder.IsFinal, Limit());

        var events = log.Events;
        Assert.Equal(["response", "token_stream", "token_stream", "stream_end", "response"], events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long?)(head + i)), events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.False(e.IsReplay));
        Assert.Equal("accepted", events[0].Frame.GetProperty("status").GetString());
        Assert.Equal("echo: ", events[1].Frame.GetProperty("data").GetProperty("content").GetString());
        Assert.Equal("hello there", events[2].Frame.GetProperty("data").GetProperty("content").GetString());
        Assert.Equal("echo: hello there", events[4].Frame.GetProperty("content").GetString());
        Assert.Equal("ok", events[4].Frame.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Empty(log.Gaps);
    }

    [PraisonAiFact]
    public async Task A_drop_mid_turn_is_resumed_with_replay_and_no_false_gap()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        var head = client.Session!.HeadSequence;
        await using var log = new StreamRecorder(client);

        // The gateway sends the turn's first four events at once and its final 3 s later ("slow ..."):
        // the client sees none of the four, then the connection dies while the turn is still running.
        var link = proxy.LinkAt(1);
        link.WithholdFromClient();
        await client.SendMessageAsync("slow turn", Limit());
        await link.WaitForWithheldAsync(LoopbackProxy.Link.Containing("\"stream_end\""), Limit());
        proxy.DropAll();

        var resumed = await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit());
        await client.SendMessageAsync("after the drop", Limit());
        var next = await log.WaitForEventAsync(e => e.Sequence == head + 5, Limit());

        // The four sent before the drop are replayed exactly, and the numbering goes on with no hole.
        // PraisonAI addresses a running turn's events to the connection that started it: the slow turn's
        // final (and the turn queued behind it) go to the dead connection, so they are never numbered nor
        // recorded, and the client, rightly, reports no gap for them.
        Assert.Equal(ContinuityOutcome.Resumed, resumed.Continuity!.Outcome);
        Assert.Equal(head + 4, resumed.Continuity.ReplayTo);
        var events = log.Events.Where(e => e.Sequence is not null).ToArray();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long?)(head + i)), events.Select(e => e.Sequence));
        Assert.Equal(["response", "token_stream", "token_stream", "stream_end"], events.Take(4).Select(e => e.Type));
        Assert.All(events.Take(4), e => Assert.True(e.IsReplay, log.Describe()));
        Assert.Equal("slow turn", events[2].Frame.GetProperty("data").GetProperty("content").GetString());
        Assert.False(next.IsReplay);
        Assert.Equal("accepted", next.Frame.GetProperty("status").GetString());
        Assert.Empty(log.Gaps);
        Assert.Equal(0, client.Statistics.Gaps);
    }

    [PraisonAiFact]
    public async Task An_outage_past_the_100_event_window_is_one_exact_gap_then_the_retained_tail_then_live_events()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        var sessionId = client.Session!.SessionId;
        var since = client.Session.HeadSequence;
        await using var log = new StreamRecorder(client);

        // The outage: the connection dies and every reconnect is refused.
        proxy.Refusing = true;
        proxy.DropAll();
        await transitions.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: Limit());

        // Meanwhile the session goes on elsewhere: 21 turns of 5 events each, which the gateway records
        // because it sent them (to this second connection). It keeps the last 100 across a reconnect.
        await using (var elsewhere = new GatewayClient(WithResume(Gateway.ClientOptions(), sessionId, since)))
        {
            await elsewhere.ConnectAsync(Limit());
            await using var elsewhereLog = new StreamRecorder(elsewhere);
            for (var turn = 1; turn <= 21; turn++)
            {
                await elsewhere.SendMessageAsync($"turn {turn}", Limit());
                var expectedFinal = since + (turn * 5);
                await elsewhereLog.WaitForEventAsync(e => e.Sequence == expectedFinal, Limit());
            }
        }

        var head = since + 105;
        proxy.Refusing = false;
        var back = await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit());
        await log.WaitAsync(items => items.OfType<GatewayEvent>().Any(e => e.Sequence == head), Limit());
        await client.SendMessageAsync("after the outage", Limit());
        await log.WaitForEventAsync(e => StreamRecorder.IsFinal(e) && !e.IsReplay, Limit());

        var items = log.Items;
        var gap = Assert.Single(items.OfType<GapInfo>());
        Assert.Equal(since + 1, gap.Expected);
        Assert.Equal(since + 6, gap.Received);
        Assert.Same(gap, items[0]);
        var replayed = items.Skip(1).OfType<GatewayEvent>().Where(e => e.IsReplay).ToArray();
        Assert.Equal(Enumerable.Range(6, 100).Select(i => (long?)(since + i)), replayed.Select(e => e.Sequence));
        var live = items.Skip(1 + replayed.Length).Cast<GatewayEvent>().ToArray();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long?)(head + i)), live.Select(e => e.Sequence));
        Assert.All(live, e => Assert.False(e.IsReplay));
        Assert.Equal(GapReason.ReplayWindowExceeded, gap.Reason);
        Assert.Equal(ContinuityOutcome.Resumed, back.Continuity!.Outcome);
        Assert.Equal(head, client.Session!.HeadSequence);
        Assert.Equal(1, client.Statistics.Gaps);
    }

    [PraisonAiFact]
    public async Task Resuming_a_session_the_gateway_does_not_know_is_reported_as_lost()
    {
        // PraisonAI answers an unknown session id with a fresh, empty session under that id, 'resumed: false'.
        var options = WithResume(Gateway.ClientOptions(), "unknown-" + Guid.NewGuid().ToString("N"), 7);
        await using var client = new GatewayClient(options);
        var transitions = new StateRecorder(client);

        await client.ConnectAsync(Limit());
        await using var log = new StreamRecorder(client); // reads from the start of the stream: nothing is missed
        await client.SendMessageAsync("fresh start", Limit());
        await log.WaitForEventAsync(StreamRecorder.IsFinal, Limit());

        var connected = Assert.Single(transitions.Transitions, t => t.Current == ConnectionState.Connected);
        Assert.False(client.Session!.Resumed);
        Assert.Equal(options.ResumeFrom!.SessionId, client.Session.SessionId);
        Assert.Equal(0, client.Session.HeadSequence);
        Assert.Equal(ContinuityOutcome.SessionLost, connected.Continuity!.Outcome);
        var gap = Assert.Single(log.Gaps);
        Assert.Equal((8L, null, GapReason.SessionLost), (gap.Expected, gap.Received, gap.Reason));
        Assert.Same(gap, log.Items[0]);
        Assert.Equal(gap.ToString(), connected.Continuity.Gap?.ToString());
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long?)i), log.Events.Select(e => e.Sequence));
    }

    [PraisonAiFact]
    public async Task A_wrong_token_is_a_terminal_typed_error_after_exactly_one_attempt()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port), token: "not-the-token"));
        var transitions = new StateRecorder(client);

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Limit()));

        Assert.Equal(HandshakeErrorCodes.AuthRequired, error.Code);
        Assert.Equal("reauthenticate", error.NextStep);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.Equal(1, proxy.Accepted);
        Assert.DoesNotContain(transitions.Transitions, t => t.Current == ConnectionState.Reconnecting);
        Assert.DoesNotContain("not-the-token", error.ToString(), StringComparison.Ordinal);
    }

    [PraisonAiFact]
    public async Task An_unknown_agent_is_a_terminal_typed_error_after_exactly_one_attempt()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        var options = Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port));
        options.AgentId = "no-such-agent";
        await using var client = new GatewayClient(options);

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Limit()));

        Assert.Equal(HandshakeErrorCodes.AgentNotFound, error.Code);
        Assert.Equal("do_not_retry", error.NextStep);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.Equal(1, proxy.Accepted);
    }

    [PraisonAiFact]
    public async Task A_client_that_stops_answering_is_reaped_with_4002_and_then_resumes_its_session()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        var options = Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port));
        // The client's own dead-connection check would otherwise reconnect first (and a new connection
        // keeps the session alive, so the old one would never be reaped): give it a longer interval.
        options.HeartbeatInterval = TimeSpan.FromSeconds(30);
        await using var client = new GatewayClient(options);
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        var sessionId = client.Session!.SessionId;
        await using var log = new StreamRecorder(client);

        // Half-open: nothing passes any more; the gateway's pings go unanswered.
        var link = proxy.LinkAt(1);
        link.Freeze();
        await link.WaitForWithheldAsync(LoopbackProxy.Link.CloseFrame(4002), Limit());

        // The network heals: the client reads the reap and resumes.
        await link.ReleaseAsync();
        var down = await transitions.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: Limit());
        var back = await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit());
        await client.SendMessageAsync("still here", Limit());
        await log.WaitForEventAsync(StreamRecorder.IsFinal, Limit());

        var closed = Assert.IsType<GatewayConnectionException>(down.Cause);
        Assert.Equal((WebSocketCloseStatus)4002, closed.CloseStatus);
        Assert.Equal("liveness_timeout", closed.CloseDescription);
        Assert.Equal(ContinuityOutcome.Resumed, back.Continuity!.Outcome);
        Assert.Equal(sessionId, client.Session!.SessionId);
        Assert.Empty(log.Gaps);
    }

    [PraisonAiFact]
    public async Task The_legacy_join_handshake_is_answered_by_the_real_server_and_resumes()
    {
        // A server that ignores 'hello' (as servers from before it did): the proxy loses the client's
        // first frame, so 'hello' goes unanswered and the client falls back to 'join' on the same socket.
        await using var proxy = new LoopbackProxy(Gateway.Port) { SwallowFirstClientFrame = true };
        var options = Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port));
        options.HandshakeTimeout = TimeSpan.FromSeconds(2);
        await using var client = new GatewayClient(options);
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        proxy.SwallowFirstClientFrame = false;
        var head = client.Session!.HeadSequence;
        await using var log = new StreamRecorder(client);

        Assert.True(client.Session.IsLegacyHandshake);
        Assert.Equal(1, client.Session.Protocol);
        await client.SendMessageAsync("over join", Limit());
        await log.WaitForEventAsync(StreamRecorder.IsFinal, Limit());

        // A drop: the client, knowing the server is legacy, resumes straight over 'join' with 'since'.
        proxy.LinkAt(1).WithholdFromClient();
        await client.SendMessageAsync("while away", Limit());
        await proxy.LinkAt(1).WaitForWithheldAsync(LoopbackProxy.Link.Containing("\"status\": \"final\""), Limit());
        proxy.DropAll();
        var back = await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit());
        await log.WaitAsync(items => items.OfType<GatewayEvent>().Count(StreamRecorder.IsFinal) == 2, Limit());

        Assert.True(client.Session!.IsLegacyHandshake);
        Assert.Equal(ContinuityOutcome.Resumed, back.Continuity!.Outcome);
        var events = log.Events;
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long?)(head + i)), events.Select(e => e.Sequence));
        Assert.All(events.Take(5), e => Assert.False(e.IsReplay));
        Assert.All(events.Skip(5), e => Assert.True(e.IsReplay, log.Describe()));
        Assert.Equal("echo: while away", events[9].Frame.GetProperty("content").GetString());
        Assert.Empty(log.Gaps);
        Assert.Equal(2, proxy.Accepted);
    }

    private static GatewayClientOptions WithResume(GatewayClientOptions options, string sessionId, long sequence)
    {
        options.ResumeFrom = new GatewayResumePoint(sessionId, null, sequence);
        return options;
    }
}

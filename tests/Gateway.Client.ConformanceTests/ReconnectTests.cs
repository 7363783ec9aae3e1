using System.Text.Json;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>The reconnect loop's contract: attempts, terminal errors, sends across reconnects, resume, resync.</summary>
public class ReconnectTests
{
    [Fact]
    public async Task The_token_provider_is_asked_again_on_every_attempt()
    {
        var asked = 0;
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { Token = "t" }, o =>
            o.TokenProvider = _ =>
            {
                Interlocked.Increment(ref asked);
                return ValueTask.FromResult<string?>("t");
            });
        var (gateway, client, states) = s;

        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await states.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Equal(3, asked);
        Assert.Equal(3, gateway.Connections.Count);
    }

    [Fact]
    public async Task A_terminal_refusal_while_reconnecting_stops_at_once_and_ends_the_stream_with_it()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, states) = s;
        await using var stream = new StreamRecorder(client);
        await gateway.PublishMessagesAsync(client.Session!.SessionId, "1");
        await stream.WaitForSequenceAsync(1);

        gateway.RejectNextHandshake(new HandshakeRejection("agent_not_found", "gone", HandshakeNextSteps.DoNotRetry));
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var failed = await states.WaitForAsync(ConnectionState.Failed);
        await stream.Completion.WaitAsync(Harness.Deadline());

        Assert.Equal(ConnectionState.Reconnecting, failed.Previous);
        Assert.Equal("agent_not_found", Assert.IsType<GatewayHandshakeException>(failed.Cause).Code);
        Assert.Same(failed.Cause, stream.Error);
        Assert.Equal(2, gateway.Connections.Count);
        Assert.Equal(new long[] { 1 }, stream.Sequences);
    }

    [Fact]
    public async Task The_client_gives_up_after_MaxAttempts_failures_in_a_row()
    {
        await using var s = await Scenario.StartAsync(configure: o => o.Reconnect.MaxAttempts = 3);
        var (gateway, client, states) = s;
        for (var i = 0; i < 10; i++)
        {
            gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        }

        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var failed = await states.WaitForAsync(ConnectionState.Failed);

        Assert.Equal("rate_limited", Assert.IsType<GatewayHandshakeException>(failed.Cause).Code);
        Assert.Equal(1 + 3, gateway.Connections.Count);
    }

    [Fact]
    public async Task The_attempt_count_restarts_after_every_successful_handshake()
    {
        await using var s = await Scenario.StartAsync(configure: o => o.Reconnect.MaxAttempts = 2);
        var (gateway, client, states) = s;

        for (var round = 1; round <= 3; round++)
        {
            gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
            (await gateway.WaitForHandshakeAsync(round, Harness.Deadline())).Drop();
            await states.WaitForAsync(ConnectionState.Connected, round + 1);
        }

        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(3, client.Statistics.Reconnects);
    }

    [Fact]
    public async Task With_RetryInitialConnect_the_first_connect_retries_retryable_failures_as_Connecting_attempts()
    {
        await using var s = await Scenario.StartAsync(connect: false, configure: o => o.Reconnect.RetryInitialConnect = true);
        var (gateway, client, states) = s;
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));

        await client.ConnectAsync(Harness.Deadline());

        // The second attempt is no change of state: the app hears Connecting once (ConnectAsync returned after its handlers).
        Assert.Equal(
            new[] { "Disconnected->Connecting (1)", "Connecting->Connected (0)" },
            states.Transitions.Select(t => $"{t.Previous}->{t.Current} ({t.Attempt})"));
        Assert.Equal(ContinuityOutcome.Fresh, states.Transitions[^1].Continuity!.Outcome);
        var retry = Assert.Single(s.Retries.Transitions);
        Assert.Equal("Connecting->Connecting (2)", $"{retry.Previous}->{retry.Current} ({retry.Attempt})");
        Assert.Equal("rate_limited", Assert.IsType<GatewayHandshakeException>(retry.Cause).Code);
    }

    [Fact]
    public async Task Cancelling_connect_while_it_retries_stops_the_client()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(connect: false, configure: o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(1);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(1);
            o.Reconnect.RetryInitialConnect = true;
        });
        var (gateway, client, states) = s;
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        using var cancel = new CancellationTokenSource();

        var connecting = client.ConnectAsync(cancel.Token);
        await s.Retries.WaitForAsync(t => t.Attempt == 2, cancellationToken: Harness.Deadline());
        cancel.Cancel();

        // The cancellation says why the attempts so far failed.
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting);
        Assert.Equal("rate_limited", Assert.IsType<GatewayHandshakeException>(cancelled.InnerException).Code);
        Assert.Equal(ConnectionState.Disconnected, client.State);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(gateway.Connections);
    }

    [Fact]
    public async Task Disconnect_while_reconnecting_stops_and_ends_the_stream_cleanly()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(10);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(10);
            o.Random = () => 0.5;
            o.Reconnect.HealthyConnectionTime = TimeSpan.Zero; // about reconnecting after a healthy connection
        });
        var (gateway, client, states) = s;
        await using var stream = new StreamRecorder(client);

        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var reconnecting = await states.WaitForAsync(ConnectionState.Reconnecting);
        await client.DisconnectAsync(Harness.Deadline());
        await stream.Completion.WaitAsync(Harness.Deadline());

        Assert.Equal(TimeSpan.FromSeconds(5), reconnecting.RetryDelay); // the first attempt after a drop is spread
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Null(stream.Error);
        Assert.Single(gateway.Connections);
    }

    [Fact]
    public async Task A_send_made_while_reconnecting_waits_and_is_sent_once_on_the_resumed_connection()
    {
        var serverClock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { TimeProvider = serverClock, EnableHeartbeat = false });
        var (gateway, client, states) = s;
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        gateway.DelayNextHandshake(TimeSpan.FromSeconds(1));
        first.Drop();
        await states.WaitForAsync(ConnectionState.Reconnecting);
        var sending = client.SendMessageAsync("sent while away", Harness.Deadline());
        await serverClock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Harness.Deadline());
        Assert.False(sending.IsCompleted);
        serverClock.Advance(TimeSpan.FromSeconds(1));
        await sending;

        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        await second.WaitForFrameAsync("message", Harness.Deadline());
        var all = gateway.Connections.SelectMany(c => c.ReceivedFrames).Where(f => f.GetProperty("type").GetString() == "message");
        Assert.Single(all);
    }

    [Fact]
    public async Task A_send_that_cannot_get_a_connection_within_SendTimeout_fails_and_is_never_sent()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.TimeProvider = clock;
            o.SendTimeout = TimeSpan.FromSeconds(3);
            o.Reconnect.HealthyConnectionTime = TimeSpan.Zero; // about reconnecting after a healthy connection
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(60);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(60);
            o.Random = () => 0.5;
        });
        var (gateway, client, states) = s;

        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await states.WaitForAsync(ConnectionState.Reconnecting);
        var sending = client.SendMessageAsync("too late", Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(3), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(3));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => sending);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(30), Harness.Deadline()); // the reconnect delay (60 s × 0.5) exists before time moves
        clock.Advance(TimeSpan.FromSeconds(30));
        await states.WaitForAsync(ConnectionState.Connected, 2);
        await client.SendMessageAsync("marker", Harness.Deadline());

        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        await second.WaitForFrameAsync(f => f.TryGetProperty("content", out var c) && c.GetString() == "marker", Harness.Deadline());
        Assert.Contains("SendTimeout", error.Message);
        Assert.DoesNotContain(second.ReceivedFrames, f => f.TryGetProperty("content", out var c) && c.GetString() == "too late");
    }

    [Fact]
    public async Task A_request_in_flight_when_the_connection_dies_fails_as_outcome_unknown_and_is_not_resent()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, states) = s;
        gateway.RegisterSilentMethod("slow");
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        var request = client.RequestAsync("slow", Harness.Deadline());
        await first.WaitForFrameAsync("req", Harness.Deadline());
        first.Drop();
        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => request);
        await states.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Contains("outcome is unknown", error.Message);
        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        Assert.DoesNotContain(second.ReceivedFrames, f => f.GetProperty("type").GetString() == "req");
    }

    [Fact]
    public async Task A_persisted_resume_point_resumes_across_a_process_restart()
    {
        await using var gateway = await TestGateway.StartAsync();
        string sessionId;
        GatewayResumePoint stored;
        await using (var before = new GatewayClient(Harness.OptionsFor(gateway)))
        {
            await before.ConnectAsync(Harness.Deadline());
            sessionId = before.Session!.SessionId;
            await gateway.PublishMessagesAsync(sessionId, "1", "2", "3");
            stored = (await before.ReadAsync(2, Harness.Deadline()))[1].ResumePoint!; // the app persisted 2: event 3 was received but never processed
        }

        await gateway.PublishMessagesAsync(sessionId, "4");
        await using var after = new GatewayClient(Harness.OptionsFor(gateway, o => o.ResumeFrom = stored));
        var states = new StateRecorder(after);
        await after.ConnectAsync(Harness.Deadline());
        var events = await after.ReadAsync(2, Harness.Deadline());

        Assert.Equal((sessionId, 2L), (stored.SessionId, stored.Sequence));
        Assert.Equal(new long?[] { 3, 4 }, events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.True(e.IsReplay));
        var continuity = (await states.WaitForAsync(ConnectionState.Connected)).Continuity!;
        Assert.Equal((ContinuityOutcome.Resumed, 3L, 4L, 2L), (continuity.Outcome, continuity.ReplayFrom!.Value, continuity.ReplayTo!.Value, continuity.ReplayCount));
    }

    [Fact]
    public async Task A_persisted_resume_point_from_another_epoch_is_a_server_reset()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var sessionId = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(sessionId, "1", "2", "3", "4", "5");

        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.ResumeFrom = new GatewayResumePoint(sessionId, "an-epoch-the-server-no-longer-has", 2)));
        var gaps = new List<GapInfo>();
        client.OnGap((gap, _) =>
        {
            gaps.Add(gap);
            return Task.CompletedTask;
        });
        await client.ConnectAsync(Harness.Deadline());
        await client.ReadAsync(3, Harness.Deadline());

        Assert.Equal(GapReason.ServerReset, Assert.Single(gaps).Reason);
    }

    [Fact]
    public async Task Drop_oldest_keeps_reading_and_reports_the_dropped_range_in_stream_order()
    {
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.EventBufferCapacity = 4;
            o.Backpressure = BackpressureMode.DropOldest;
        });
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendNumberedAsync(1, 20);

        await connection.SendTextAsync("""{"type":"marker"}""");

        // Nobody reads until everything arrived: the receive loop got past the marker.
        await connection.WaitUntilReadAsync();

        var log = new List<string>();
        client.OnGap((gap, _) =>
        {
            log.Add($"gap {gap.Reason} {gap.Expected}->{gap.Received}");
            return Task.CompletedTask;
        });
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            log.Add(e.Sequence?.ToString() ?? e.Type);
            if (e.Type == "marker")
            {
                break;
            }
        }

        Assert.Equal(new[] { "gap ConsumerOverflow 1->18", "18", "19", "20", "marker" }, log);
        Assert.Equal(17, client.Statistics.EventsDropped);
    }

    [Fact]
    public async Task ResyncAsync_on_protocol_2_rebases_the_cursor_and_skips_what_the_snapshot_covers()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var id = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        await client.ReadAsync(3, Harness.Deadline());

        // Away while 4..8 happen, and 4..6 fall out of the window: a hole replay cannot fill.
        await client.DisconnectAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(id, "4", "5", "6", "7", "8");
        gateway.EvictHistory(id, 6);
        ResyncResult? resync = null;
        long cursorInHandler = -1;
        client.OnGap(async (gap, ct) =>
        {
            cursorInHandler = client.Cursor;
            resync = await client.ResyncAsync(ct);
            await gateway.PublishMessagesAsync(id, "9"); // something new after the snapshot
        });
        await client.ConnectAsync(Harness.Deadline());
        var afterResync = new List<long?>();
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            if (e.Sequence is { } sequence)
            {
                afterResync.Add(sequence);
                if (sequence == 9)
                {
                    break;
                }
            }
        }

        Assert.Equal(3, cursorInHandler);
        Assert.Equal(8, resync!.Sequence);
        Assert.Equal(gateway.GetSession(id).Epoch, resync.Epoch);
        Assert.NotNull(resync.Snapshot);

        // 7 and 8 were replayed, but the snapshot already covers them: the consumer goes on at 9.
        Assert.Equal(new long?[] { 9 }, afterResync);
        Assert.Equal(9, client.Cursor);
        Assert.Equal(2, client.Statistics.CoveredByResync); // counted as covered, not as duplicates
        Assert.Equal(0, client.Statistics.DuplicatesDropped);
    }

    [Fact]
    public async Task ResyncAsync_on_protocol_1_takes_the_head_from_a_fresh_handshake()
    {
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { ProtocolMax = 1 });
        var (gateway, client, states) = s;
        var id = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        await client.ReadAsync(1, Harness.Deadline());

        var resync = await client.ResyncAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(id, "4");
        var rest = await client.ReadUntilAsync(e => e.Sequence == 4, Harness.Deadline());

        Assert.Equal(3, resync.Sequence);
        var hello = await (await gateway.WaitForHandshakeAsync(2, Harness.Deadline())).WaitForFrameAsync("hello", Harness.Deadline());
        Assert.Equal(id, hello.GetProperty("session_id").GetString());
        Assert.False(hello.TryGetProperty("since", out _));
        Assert.Equal(new long?[] { 4 }, rest.Where(e => e.Sequence is not null).Select(e => e.Sequence));
        Assert.Null((await states.WaitForAsync(ConnectionState.Reconnecting)).Cause);
    }
}

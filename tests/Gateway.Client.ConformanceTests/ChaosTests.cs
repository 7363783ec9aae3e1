using System.Net.WebSockets;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// One test per fault, with reconnection on (docs/protocol.md). Each asserts the exact sequence the
/// consumer saw: no duplicate, no reorder, every hole reported with its exact range, nothing lost
/// without a report.
/// </summary>
public class ChaosTests
{
    [Fact]
    public async Task Abrupt_drop_resumes_and_every_event_arrives_exactly_once_in_order()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1, 2, 3);
        await s.Stream.WaitForSequenceAsync(3);

        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await s.PublishAsync(4, 5, 6);
        var resumed = await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(7);
        await s.Stream.WaitForSequenceAsync(7);

        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6, 7 }, s.Stream.Sequences);
        Assert.DoesNotContain(s.Stream.Log, l => l.StartsWith("gap", StringComparison.Ordinal));
        Assert.NotEqual(ContinuityOutcome.SessionLost, resumed.Continuity!.Outcome);
        var hello = await (await s.Gateway.WaitForHandshakeAsync(2, Harness.Deadline())).WaitForFrameAsync("hello", Harness.Deadline());
        Assert.Equal(3, hello.GetProperty("since").GetInt64());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1013)]
    [InlineData(4001)]
    [InlineData(4002)]
    [InlineData(4008)]
    [InlineData(4029)]
    [InlineData(4999)]
    public async Task Resumable_close_codes_reconnect_and_resume_from_the_cursor(int closeCode)
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1, 2);
        await s.Stream.WaitForSequenceAsync(2);

        await (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(closeCode, "test");
        var reconnecting = await s.States.WaitForAsync(ConnectionState.Reconnecting);
        await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(3);
        await s.Stream.WaitForSequenceAsync(3);

        Assert.Equal(closeCode, (int)Assert.IsType<GatewayConnectionException>(reconnecting.Cause).CloseStatus!.Value);
        Assert.Equal(1, reconnecting.Attempt);
        Assert.Equal(new long[] { 1, 2, 3 }, s.Stream.Sequences);
    }

    [Fact]
    public async Task Close_4028_is_terminal_and_not_retried()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);

        await (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(4028, "unauthorized frames");
        var failed = await s.States.WaitForAsync(ConnectionState.Failed);
        await s.Stream.Completion.WaitAsync(Harness.Deadline());

        Assert.Equal(ConnectionState.Connected, failed.Previous);
        Assert.Equal(4028, (int)Assert.IsType<GatewayConnectionException>(s.Stream.Error).CloseStatus!.Value);
        Assert.Single(s.Gateway.Connections);
        Assert.Equal(new long[] { 1 }, s.Stream.Sequences);
    }

    [Fact]
    public async Task Close_4003_with_an_unchanged_token_is_terminal()
    {
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { Token = "t1" }, readStream: true);

        await (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(4003, "auth");
        await s.States.WaitForAsync(ConnectionState.Failed);

        Assert.Single(s.Gateway.Connections);
    }

    [Fact]
    public async Task Close_4003_after_the_token_was_rotated_reconnects_with_the_new_token()
    {
        var token = "t1";
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "t1" });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.TokenProvider = _ => ValueTask.FromResult<string?>(Volatile.Read(ref token));
        }));
        var states = new StateRecorder(client);
        await client.ConnectAsync(Harness.Deadline());

        gateway.Options.Token = "t2";
        Volatile.Write(ref token, "t2");
        await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(4003, "credentials rejected");
        await states.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Equal("t2", (await gateway.WaitForHandshakeAsync(2, Harness.Deadline())).Query["token"]);
    }

    [Fact]
    public async Task A_truncated_frame_is_replayed_whole_after_the_reconnect()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1, 2, 3);
        await s.Stream.WaitForSequenceAsync(3);
        var first = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // Event 4 is retained but its frame only half reaches the client before the connection dies.
        first.Stall();
        await s.PublishAsync(4);
        await first.SendTruncatedFrameAsync(s.Gateway.GetSession(s.SessionId).Retained.Single(r => r.Sequence == 4).Json, 25);
        await s.Stream.WaitForSequenceAsync(4);

        Assert.Equal(new[] { "live 1", "live 2", "live 3", "replay 4" }, s.Stream.Log);
    }

    [Fact]
    public async Task A_half_open_stall_is_detected_by_the_missing_heartbeat_and_resumed()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.TimeProvider = clock;
            o.HeartbeatInterval = TimeSpan.FromSeconds(7);
        }, readStream: true);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);
        var stalled = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(7), Harness.Deadline());

        stalled.Stall();
        await s.PublishAsync(2, 3);
        clock.Advance(TimeSpan.FromSeconds(7)); // a ping goes out; the stalled server never answers
        clock.Advance(TimeSpan.FromSeconds(7)); // two silent intervals: dead
        var reconnecting = await s.States.WaitForAsync(ConnectionState.Reconnecting);
        await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(4);
        await s.Stream.WaitForSequenceAsync(4);

        Assert.Contains("No frame arrived", reconnecting.Cause!.Message);
        Assert.Equal(new[] { "live 1", "replay 2", "replay 3", "live 4" }, s.Stream.Log);
        Assert.True(stalled.IsOpen); // the server never noticed: only the client's liveness check could
    }

    [Fact]
    public async Task A_slow_consumer_holding_the_receive_loop_is_not_mistaken_for_a_dead_connection()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.TimeProvider = clock;
            o.HeartbeatInterval = TimeSpan.FromSeconds(7);
            o.EventBufferCapacity = 2;
        }));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(7), Harness.Deadline());

        // Three events for a buffer of two: the receive loop waits for the consumer, who is busy.
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Buffer.WriterWaiting += () => waiting.TrySetResult();
        await gateway.PublishMessagesAsync(client.Session!.SessionId, "1", "2", "3");
        await connection.SendTextAsync("""{"type":"ping"}""");
        await waiting.Task.WaitAsync(Harness.Deadline());
        for (var tick = 0; tick < 4; tick++)
        {
            clock.Advance(TimeSpan.FromSeconds(7));
        }

        var events = await client.ReadAsync(3, Harness.Deadline());
        await connection.WaitForFrameAsync("pong", Harness.Deadline());

        Assert.Equal(new long?[] { 1, 2, 3 }, events.Select(e => e.Sequence));
        Assert.Single(gateway.Connections);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task The_client_pings_every_heartbeat_interval()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.TimeProvider = clock;
            o.HeartbeatInterval = TimeSpan.FromSeconds(7);
        }, readStream: true);
        var connection = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(7), Harness.Deadline());

        for (var i = 1; i <= 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(7));
            var pings = i;
            await connection.WaitForFrameAsync(_ => connection.ReceivedFrames.Count(f => f.GetProperty("type").GetString() == "ping") >= pings, Harness.Deadline());

            // Let the client hear from the server before time moves on (any inbound frame is activity).
            await s.PublishAsync(i);
            await s.Stream.WaitForSequenceAsync(i);
        }

        // The server answered every ping, so the connection was never considered dead.
        Assert.Equal(ConnectionState.Connected, s.Client.State);
        Assert.Single(s.Gateway.Connections);
    }

    [Fact]
    public async Task The_heartbeat_interval_comes_from_the_server_policy_by_default()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { HeartbeatInterval = TimeSpan.FromSeconds(13), EnableHeartbeat = false }, o => o.TimeProvider = clock, readStream: true);

        var connection = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(13), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(12));
        var beforeInterval = connection.ReceivedFrames.Count(f => f.GetProperty("type").GetString() == "ping");
        clock.Advance(TimeSpan.FromSeconds(1));
        await connection.WaitForFrameAsync("ping", Harness.Deadline());

        // Nothing at 12 s, a ping at 13 s: the server's heartbeat_ms, not the client's 30 s default.
        Assert.Equal(0, beforeInterval);
        Assert.Single(connection.ReceivedFrames, f => f.GetProperty("type").GetString() == "ping");
        Assert.Equal(ConnectionState.Connected, s.Client.State);
    }

    [Fact]
    public async Task A_restart_keeping_history_resumes_with_replay_and_no_gap()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1, 2);
        await s.Stream.WaitForSequenceAsync(2);

        // Hold the reconnect at the server so the events published meanwhile must come from replay.
        s.Gateway.DelayNextHandshake(TimeSpan.Zero);
        await s.Gateway.RestartAsync(RestartMode.KeepHistory, closeCode: 1012);
        await s.PublishAsync(3, 4);
        var connected = await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(5);
        await s.Stream.WaitForSequenceAsync(5);

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, s.Stream.Sequences);
        Assert.DoesNotContain(s.Stream.Log, l => l.StartsWith("gap", StringComparison.Ordinal));
        Assert.Equal(ContinuityOutcome.Resumed, connected.Continuity!.Outcome);
    }

    [Fact]
    public async Task A_restart_losing_history_reports_a_server_reset_and_follows_the_new_numbering()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1, 2, 3);
        await s.Stream.WaitForSequenceAsync(3);
        var epoch = s.Client.Session!.Epoch;

        await s.Gateway.RestartAsync(RestartMode.LoseHistory);
        var connected = await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(1, 2);
        await s.Stream.WaitForEntriesAsync(6);

        Assert.Equal(new[] { "live 1", "live 2", "live 3", "gap ServerReset 4->?", "live 1", "live 2" }, s.Stream.Log);
        Assert.Equal(ContinuityOutcome.ResumedWithGap, connected.Continuity!.Outcome);
        Assert.NotEqual(epoch, s.Client.Session!.Epoch);
    }

    [Fact]
    public async Task A_forgotten_session_is_reported_as_lost()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);

        await s.Gateway.RestartAsync(RestartMode.ForgetSessions);
        var connected = await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(1);
        await s.Stream.WaitForEntriesAsync(3);

        Assert.Equal(new[] { "live 1", "gap SessionLost 2->?", "live 1" }, s.Stream.Log);
        Assert.Equal(ContinuityOutcome.SessionLost, connected.Continuity!.Outcome);
    }

    [Fact]
    public async Task Events_evicted_while_the_client_was_away_are_reported_with_their_exact_range()
    {
        var serverClock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { TimeProvider = serverClock, EnableHeartbeat = false }, readStream: true);
        await s.PublishAsync(1, 2, 3);
        await s.Stream.WaitForSequenceAsync(3);

        s.Gateway.DelayNextHandshake(TimeSpan.FromSeconds(1));
        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await serverClock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Harness.Deadline());
        await s.PublishAsync(4, 5, 6, 7, 8);
        s.Gateway.EvictHistory(s.SessionId, 6);
        serverClock.Advance(TimeSpan.FromSeconds(1));
        var connected = await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.Stream.WaitForSequenceAsync(8);

        Assert.Equal(new[] { "live 1", "live 2", "live 3", "gap ReplayWindowExceeded 4->7", "replay 7", "replay 8" }, s.Stream.Log);
        var continuity = connected.Continuity!;
        Assert.Equal(ContinuityOutcome.ResumedWithGap, continuity.Outcome);
        Assert.Equal((7L, 8L, 2L), (continuity.ReplayFrom!.Value, continuity.ReplayTo!.Value, continuity.ReplayCount));
    }

    [Fact]
    public async Task A_rejected_handshake_is_retried_and_then_succeeds()
    {
        await using var s = await Scenario.StartAsync(readStream: true);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);

        s.Gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var retry = await s.Retries.WaitForAsync(e => e.Attempt == 2);
        await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(2);
        await s.Stream.WaitForSequenceAsync(2);

        Assert.Equal(2, retry.Attempt);
        Assert.Equal("rate_limited", Assert.IsType<GatewayHandshakeException>(retry.Cause).Code);
        Assert.Equal(3, s.Gateway.Connections.Count);
        Assert.Equal(new long[] { 1, 2 }, s.Stream.Sequences);
    }

    [Fact]
    public async Task A_rate_limit_with_retry_after_holds_the_next_attempt_for_at_least_that_long()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(1);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(30);
            o.Reconnect.HealthyConnectionTime = TimeSpan.Zero; // about reconnecting after a healthy connection
        }, readStream: true);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);

        s.Gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "slow down", HandshakeNextSteps.WaitThenRetry, RetryAfterSeconds: 42));
        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var retry = await s.Retries.WaitForAsync(e => e.Attempt == 2);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(42), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(41));
        Assert.Equal(2, s.Gateway.Connections.Count);
        clock.Advance(TimeSpan.FromSeconds(1));
        await s.States.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Equal(TimeSpan.FromSeconds(42), retry.RetryDelay);
        Assert.Equal(3, s.Gateway.Connections.Count);
    }

    [Fact]
    public async Task A_drain_notice_resumes_at_once_without_an_error_or_a_gap()
    {
        // A drain on a healthy connection (ReconnectOptions.HealthyConnectionTime); one on a connection that
        // just began backs off (HostileServerTests).
        await using var s = await Scenario.StartAsync(configure: o => o.Reconnect.HealthyConnectionTime = TimeSpan.Zero, readStream: true);
        await s.PublishAsync(1, 2);
        await s.Stream.WaitForSequenceAsync(2);

        await s.Gateway.SendDrainNoticeAsync();
        var reconnecting = await s.States.WaitForAsync(ConnectionState.Reconnecting);
        await s.States.WaitForAsync(ConnectionState.Connected, 2);
        await s.PublishAsync(3);
        await s.Stream.WaitForSequenceAsync(3);

        Assert.Null(reconnecting.Cause);
        Assert.Equal(TimeSpan.Zero, reconnecting.RetryDelay);
        Assert.Equal(new long[] { 1, 2, 3 }, s.Stream.Sequences);
        Assert.DoesNotContain(s.Stream.Log, l => l.StartsWith("gap", StringComparison.Ordinal));
        Assert.Null(s.Stream.Error);
    }

    [Fact]
    public async Task A_drain_notice_with_retry_after_waits_that_long_and_no_backoff()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(configure: o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.InitialDelay = TimeSpan.FromSeconds(5);
            o.Reconnect.MaxDelay = TimeSpan.FromSeconds(30);
            o.Random = () => 0.99;
            o.Reconnect.HealthyConnectionTime = TimeSpan.Zero; // about reconnecting after a healthy connection
        }, readStream: true);

        await s.Gateway.SendDrainNoticeAsync(retryAfterMilliseconds: 250);
        var reconnecting = await s.States.WaitForAsync(ConnectionState.Reconnecting);
        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(250), Harness.Deadline());
        clock.Advance(TimeSpan.FromMilliseconds(250));
        await s.States.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Equal(TimeSpan.FromMilliseconds(250), reconnecting.RetryDelay);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Gateway.Client.TestSupport;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A gateway (or a proxy, or the network) that misbehaves: each test is one thing a hostile-server run
/// observed, and asserts exactly what the client now does about it (docs/protocol.md, "Numbers from the
/// server" and "Reconnecting"). Each failed on the code before these rules.
/// </summary>
public class HostileServerTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static TestGatewayOptions Quiet => new() { EnableHeartbeat = false };

    /// <summary>Backoff with no randomness on <paramref name="clock"/>: delays InitialDelay × 2^(n−2) up to 8 s, the first after a healthy drop half of InitialDelay.</summary>
    private static Action<GatewayClientOptions> ExactBackoff(ObservableFakeTimeProvider clock, TimeSpan initialDelay, Action<GatewayClientOptions>? more = null) => o =>
    {
        o.TimeProvider = clock;
        o.Random = () => 0.5;
        o.Reconnect.Jitter = 0;
        o.Reconnect.InitialDelay = initialDelay;
        o.Reconnect.MaxDelay = TimeSpan.FromSeconds(8);
        more?.Invoke(o);
    };

    // ---- Poison frames -------------------------------------------------------------------------------

    [Fact]
    public async Task A_numbered_event_the_WebSocket_cannot_read_is_skipped_as_Undeliverable_after_three_resumes_and_the_stream_goes_on()
    {
        await using var s = await Scenario.StartAsync(Quiet, readStream: true);
        var session = s.Gateway.GetSession(s.SessionId);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);

        await session.PublishUndecodableAsync(); // #2: every replay of it closes the client's socket with 1007
        await s.PublishAsync(3);
        await s.Stream.WaitForSequenceAsync(3);

        // #3 comes from a replay, or live if it was published after the last resume: either way, after the gap.
        Assert.Equal("message#1 | gap Gap Undeliverable: expected 2, received 3 (1 missing) | message#3", s.Stream.Describe().Replace(" (replay)", string.Empty, StringComparison.Ordinal));
        Assert.Equal(3, s.Client.Cursor);

        // The live delivery and three resumes each ended on #2; the fourth resume asked for what follows it.
        var handshakes = s.Gateway.Handshakes;
        Assert.Equal(5, handshakes.Count);
        Assert.Equal(new long?[] { null, 1, 1, 1, 2 }, handshakes.Select(h => h.ResumedFrom));
        Assert.All(handshakes.Take(4), h => Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, h.ClientCloseStatus));
        Assert.Equal(4, s.Client.Statistics.MalformedFramesSkipped);
    }

    [Fact]
    public async Task An_unnumbered_frame_the_WebSocket_cannot_read_costs_one_resume_is_counted_and_loses_nothing()
    {
        await using var s = await Scenario.StartAsync(Quiet, readStream: true);
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);

        await (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).SendUndecodableTextAsync();
        await s.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
        await s.PublishAsync(2);
        await s.Stream.WaitForSequenceAsync(2);

        Assert.Equal("message#1 | message#2", s.Stream.Describe());
        Assert.Equal(1, s.Client.Statistics.MalformedFramesSkipped);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, Assert.IsType<GatewayConnectionException>(s.States.Transitions.First(t => t.Current == ConnectionState.Reconnecting).Cause).CloseStatus);
    }

    // ---- Numbers from the server ---------------------------------------------------------------------

    [Theory]
    [InlineData(5_000_000_000L, 3_600_000L)] // past what a timer can wait (about 49.7 days): the ceiling
    [InlineData(long.MaxValue, 3_600_000L)] // would overflow TimeSpan: the ceiling
    [InlineData(1L, 1_000L)] // every connection "dead" within milliseconds: the floor
    [InlineData(0L, 30_000L)] // unusable: the client's default
    [InlineData(-5L, 30_000L)]
    public async Task A_heartbeat_outside_its_bounds_is_clamped_logged_once_and_counted(long heartbeatMs, long usedMs)
    {
        var clock = new ObservableFakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(Quiet);
        gateway.RewriteHandshakeAnswers(ok => ok["policy"]!["heartbeat_ms"] = heartbeatMs);
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TimeProvider = clock), logs);

        await client.ConnectAsync(Harness.Deadline());

        // The liveness monitor pings on the clamped interval.
        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(usedMs), Harness.Deadline());
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(1, client.Statistics.ServerValuesClamped);
        Assert.Single(logs.Entries, e => e.EventId == 24);
    }

    [Fact]
    public async Task A_drain_notice_asking_to_wait_longer_than_a_timer_can_is_cut_to_one_hour()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.HealthyConnectionTime = TimeSpan.Zero;
        });

        await s.Gateway.SendDrainNoticeAsync(retryAfterMilliseconds: long.MaxValue);
        var reconnecting = await s.States.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: Harness.Deadline());
        await clock.WaitForTimerAsync(Hour, Harness.Deadline());
        clock.Advance(Hour);
        await s.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());

        Assert.Equal(Hour, reconnecting.RetryDelay);
        Assert.Equal(1, s.Client.Statistics.ServerValuesClamped);
    }

    [Fact]
    public async Task A_rate_limit_asking_for_millions_of_seconds_waits_one_hour()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.RetryInitialConnect = true;
        }, connect: false);
        s.Gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "slow down", RetryAfterSeconds: 5_000_000));

        var connecting = s.Client.ConnectAsync(Harness.Deadline());
        var retry = await s.Retries.WaitForAsync(t => t.Attempt == 2, cancellationToken: Harness.Deadline());
        await clock.WaitForTimerAsync(Hour, Harness.Deadline());
        clock.Advance(Hour);
        await connecting;

        Assert.Equal(Hour, retry.RetryDelay);
        Assert.Equal(Hour, Assert.IsType<GatewayHandshakeException>(retry.Cause).RetryAfter);
    }

    [Fact]
    public async Task A_sequence_number_with_no_room_after_it_is_a_counted_malformed_frame_and_numbering_goes_on()
    {
        await using var s = await Scenario.StartAsync(Quiet, readStream: true);
        var connection = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendTextAsync("""{"type":"message","seq":1}""");
        await connection.SendTextAsync($$"""{"type":"message","seq":{{long.MaxValue}}}""");
        await connection.SendTextAsync("""{"type":"message","seq":2}""");
        await s.Stream.WaitForSequenceAsync(2);

        Assert.Equal("message#1 | message#2", s.Stream.Describe());
        Assert.Equal(1, s.Client.Statistics.MalformedFramesSkipped);
    }

    [Fact]
    public async Task A_handshake_cursor_at_the_end_of_the_numbers_is_a_typed_protocol_error()
    {
        await using var s = await Scenario.StartAsync(Quiet, connect: false);
        s.Gateway.RewriteHandshakeAnswers(ok => ok["cursor"] = long.MaxValue);

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => s.Client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.InvalidResponse, error.Code);
        Assert.Equal(ConnectionState.Failed, s.Client.State);
    }

    // ---- The receive limit ---------------------------------------------------------------------------

    /// <summary>A client of <paramref name="dialect"/> with a 4 KiB receive limit that reconnects at once, and the gateway it talks to.</summary>
    private static Task<Scenario> StartWithReceiveLimitAsync(TestGatewayDialect dialect, CapturingLoggerProvider logs, Action<GatewayClientOptions>? configure = null, bool connect = true) =>
        Scenario.StartAsync(
            new TestGatewayOptions { Dialect = dialect, Token = "t-1", EnableHeartbeat = false },
            o =>
            {
                o.Dialect = dialect == TestGatewayDialect.OpenClaw ? ProtocolDialect.OpenClaw : ProtocolDialect.PraisonAI;
                o.MaxReceiveMessageBytes = 4096;
                configure?.Invoke(o);
            },
            connect,
            logs: logs);

    private static void Oversized(JsonObject answer) => answer["padding"] = new string('x', 10_000);

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    public async Task A_handshake_answer_over_the_receive_limit_ends_the_client_after_one_attempt_like_any_oversized_message(TestGatewayDialect dialect)
    {
        using var logs = new CapturingLoggerProvider();
        await using var s = await StartWithReceiveLimitAsync(dialect, logs);
        var (gateway, client, states) = s;

        gateway.RewriteHandshakeAnswers(Oversized);
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var failed = await states.WaitForAsync(ConnectionState.Failed, cancellationToken: Harness.Deadline());

        // The resume's answer would be as large on every attempt: only a larger limit helps, as after the handshake.
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, Assert.IsType<GatewayConnectionException>(failed.Cause).CloseStatus);
        Assert.Equal(2, gateway.AcceptedSockets); // the first connection and one reconnect, never another
        Assert.Equal(2, gateway.Handshakes.Count);
        Assert.Equal(1, client.Statistics.OversizedMessages);
        Assert.Single(logs.Entries, e => e.EventId == 12);
        await gateway.Connections[1].Closed.WaitAsync(Harness.Deadline());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, gateway.Connections[1].ClientCloseStatus);
        Assert.Equal(ConnectionState.Failed, client.State);
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    public async Task A_frame_over_the_receive_limit_before_the_handshake_answer_fails_a_retried_first_connect_at_once(TestGatewayDialect dialect)
    {
        using var logs = new CapturingLoggerProvider();
        await using var s = await StartWithReceiveLimitAsync(dialect, logs, o => o.Reconnect.RetryInitialConnect = true, connect: false);
        var (gateway, client, _) = s;
        gateway.PrecedeHandshakeAnswers("{\"type\":\"status\",\"text\":\"" + new string('x', 10_000) + "\"}");

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, error.CloseStatus);
        Assert.Equal(1, gateway.AcceptedSockets);
        Assert.Equal(1, client.Statistics.OversizedMessages);
        Assert.Single(logs.Entries, e => e.EventId == 12);
        Assert.Equal(ConnectionState.Failed, client.State);
    }

    // ---- HTTP refusals of the upgrade ----------------------------------------------------------------

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Credentials_refused_by_HTTP_status_stop_after_one_attempt_unless_the_token_changes(int status)
    {
        await using var s = await Scenario.StartAsync(Quiet, o => o.TokenProvider = _ => ValueTask.FromResult<string?>("same"));
        s.Gateway.RefuseUpgrades(status);

        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var failed = await s.States.WaitForAsync(ConnectionState.Failed, cancellationToken: Harness.Deadline());

        var refusal = Assert.IsType<GatewayConnectionException>(failed.Cause);
        Assert.Equal((HttpStatusCode)status, refusal.HttpStatusCode);
        Assert.Equal(2, s.Gateway.AcceptedSockets); // the first connection and one refused reconnect
        Assert.Equal(1, s.Client.Statistics.FailedAttempts);
    }

    [Fact]
    public async Task Credentials_refused_by_HTTP_status_are_retried_when_the_token_provider_has_a_new_token()
    {
        var clock = new ObservableFakeTimeProvider();
        var calls = 0;
        await using var s = await Scenario.StartAsync(Quiet, ExactBackoff(clock, TimeSpan.FromSeconds(1), o =>
            o.TokenProvider = _ => ValueTask.FromResult<string?>(Interlocked.Increment(ref calls) <= 2 ? "old" : "rotated")));
        s.Gateway.RefuseUpgrades(401);

        // The reconnect with "old" is refused; the provider now has "rotated", so the client retries (after its
        // backoff, on the fake clock, so the gateway can accept again first).
        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var dropped = await s.States.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: Harness.Deadline());
        await clock.WaitForTimerAsync(dropped.RetryDelay!.Value, Harness.Deadline());
        clock.Advance(dropped.RetryDelay.Value);
        var retry = await s.Retries.WaitForAsync(t => t.Cause is GatewayConnectionException { HttpStatusCode: HttpStatusCode.Unauthorized }, cancellationToken: Harness.Deadline());
        s.Gateway.AcceptUpgrades();
        await clock.WaitForTimerAsync(retry.RetryDelay!.Value, Harness.Deadline());
        clock.Advance(retry.RetryDelay.Value);
        await s.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());

        Assert.Equal("rotated", (await s.Gateway.WaitForHandshakeAsync(2, Harness.Deadline())).Query.GetValueOrDefault("token"));
    }

    [Theory]
    [InlineData(429, "3", 3)]
    [InlineData(503, "7", 7)]
    [InlineData(503, "date+5", 5)]
    public async Task Overload_refusals_wait_for_their_Retry_After(int status, string retryAfter, int seconds)
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, o =>
        {
            o.TimeProvider = clock;
            o.Reconnect.RetryInitialConnect = true;
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(100);
            o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(100);
        }, connect: false);
        var header = retryAfter == "date+5" ? clock.GetUtcNow().AddSeconds(5).ToString("r", CultureInfo.InvariantCulture) : retryAfter;
        s.Gateway.RefuseUpgrades(status, header);

        var connecting = s.Client.ConnectAsync(Harness.Deadline());
        var retry = await s.Retries.WaitForAsync(t => t.Attempt == 2, cancellationToken: Harness.Deadline());
        s.Gateway.AcceptUpgrades();
        var wait = TimeSpan.FromSeconds(seconds);
        await clock.WaitForTimerAsync(wait, Harness.Deadline());
        clock.Advance(wait - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, s.Gateway.AcceptedSockets);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await connecting;

        var refusal = Assert.IsType<GatewayConnectionException>(retry.Cause);
        Assert.Equal((HttpStatusCode)status, refusal.HttpStatusCode);
        Assert.Equal(wait, refusal.RetryAfter);
        Assert.Equal(wait, retry.RetryDelay);
    }

    // ---- Backoff that cannot be gamed ----------------------------------------------------------------

    [Theory]
    [InlineData(false)] // the server closes every connection right after its handshake
    [InlineData(true)] // the server sends a drain notice on every connection
    public async Task A_server_that_ends_every_connection_at_once_sees_the_delays_grow_to_MaxDelay(bool drain)
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, ExactBackoff(clock, TimeSpan.FromSeconds(1)));

        var delays = new List<TimeSpan>();
        for (var connection = 1; connection <= 5; connection++)
        {
            var open = await s.Gateway.WaitForHandshakeAsync(connection, Harness.Deadline());
            if (drain)
            {
                await s.Gateway.SendDrainNoticeAsync();
            }
            else
            {
                await open.CloseAsync(1000, "bye");
            }

            var retry = await s.States.WaitForAsync(ConnectionState.Reconnecting, connection, Harness.Deadline());
            delays.Add(retry.RetryDelay!.Value);
            await clock.WaitForTimerAsync(retry.RetryDelay.Value, Harness.Deadline());
            clock.Advance(retry.RetryDelay.Value);
            await s.States.WaitForAsync(ConnectionState.Connected, connection + 1, Harness.Deadline());
        }

        Assert.Equal(new[] { 1, 2, 4, 8, 8 }.Select(x => TimeSpan.FromSeconds(x)), delays);
    }

    [Fact]
    public async Task A_connection_that_stayed_healthy_starts_the_backoff_over()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, ExactBackoff(clock, TimeSpan.FromSeconds(1), o => o.HeartbeatInterval = TimeSpan.FromHours(1)));

        await (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(1000);
        var unhealthy = await s.States.WaitForAsync(ConnectionState.Reconnecting, 1, Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(1));
        await s.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
        clock.Advance(TimeSpan.FromSeconds(5)); // ReconnectOptions.HealthyConnectionTime
        await (await s.Gateway.WaitForHandshakeAsync(2, Harness.Deadline())).CloseAsync(1000);
        var healthy = await s.States.WaitForAsync(ConnectionState.Reconnecting, 2, Harness.Deadline());

        Assert.Equal(TimeSpan.FromSeconds(1), unhealthy.RetryDelay); // a full backoff step
        Assert.Equal(TimeSpan.FromMilliseconds(500), healthy.RetryDelay); // spread over [0, InitialDelay) again
    }

    [Theory]
    [InlineData(4008)]
    [InlineData(4029)]
    public async Task A_rate_limiting_close_waits_a_full_backoff_step_even_after_a_healthy_connection(int code)
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, ExactBackoff(clock, TimeSpan.FromSeconds(2), o => o.Reconnect.HealthyConnectionTime = TimeSpan.Zero));

        await (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(code, "too many");
        var retry = await s.States.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: Harness.Deadline());

        Assert.Equal(TimeSpan.FromSeconds(2), retry.RetryDelay); // not spread over [0, 2 s) as after an ordinary drop
    }

    // ---- Session identity ----------------------------------------------------------------------------

    [Fact]
    public async Task A_resume_answered_with_another_session_is_a_lost_session_never_spliced_in()
    {
        await using var s = await Scenario.StartAsync(Quiet, readStream: true);
        var original = s.SessionId;
        await s.PublishAsync(1, 2);
        await s.Stream.WaitForSequenceAsync(2);

        s.Gateway.RewriteHandshakeAnswers(ok =>
        {
            ok["session_id"] = "someone-else";
            ok["resumed"] = true;
        });
        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var connected = await s.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
        await s.Stream.WaitAsync(items => items.OfType<GapInfo>().Any(), Harness.Deadline());

        Assert.Equal(ContinuityOutcome.SessionLost, connected.Continuity!.Outcome);
        Assert.Equal("someone-else", s.Client.Session!.SessionId);
        Assert.NotEqual(original, s.Client.Session.SessionId);
        Assert.Equal("message#1 | message#2 | gap Gap SessionLost: expected 3, continuity lost", s.Stream.Describe());
    }

    // ---- The first connect ---------------------------------------------------------------------------

    [Fact]
    public async Task The_first_connect_to_a_port_where_nothing_listens_throws_the_typed_cause_at_once()
    {
        var port = FreePort();
        await using var client = new GatewayClient(new GatewayClientOptions { Url = new Uri($"ws://127.0.0.1:{port}/ws"), AgentId = "support" });
        var states = new StateRecorder(client);
        var retries = Harness.RetriesOf(client);

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Equal(ConnectionState.Failed, client.State);
        Assert.DoesNotContain(states.Transitions, t => t.Current == ConnectionState.Reconnecting);
        Assert.Empty(retries.Transitions); // ConnectAsync threw after its callbacks, these reports among them
        Assert.Equal((1, 1), (client.Statistics.ConnectAttempts, client.Statistics.FailedAttempts));
    }

    [Fact]
    public async Task The_first_connect_to_a_wrong_path_throws_the_HTTP_status_after_one_attempt()
    {
        await using var gateway = await TestGateway.StartAsync(Quiet);
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.Url = new Uri(gateway.Url, "/wrong")));

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HttpStatusCode.NotFound, error.HttpStatusCode);
        Assert.Contains("HTTP 404", error.Message);
        Assert.Equal(1, gateway.AcceptedSockets);
    }

    // ---- The token provider --------------------------------------------------------------------------

    [Fact]
    public async Task A_token_provider_outage_during_reconnects_is_a_typed_retried_failure()
    {
        var failing = 1; // the first connect succeeds, then the token service is down for two attempts
        var calls = 0;
        await using var s = await Scenario.StartAsync(Quiet, o => o.TokenProvider = _ =>
        {
            var call = Interlocked.Increment(ref calls);
            return call > failing && call <= failing + 2 ? throw new InvalidOperationException("token service down") : ValueTask.FromResult<string?>("t");
        });

        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await s.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());

        var causes = s.Retries.Transitions.Select(t => t.Cause).ToList();
        Assert.Equal(3, causes.Count); // the drop, then two provider failures
        Assert.All(causes.Skip(1), c => Assert.IsType<InvalidOperationException>(Assert.IsType<GatewayAuthenticationException>(c).InnerException));
    }

    [Fact]
    public async Task A_token_provider_that_keeps_failing_ends_the_client_with_the_typed_error_everywhere()
    {
        var calls = 0;
        await using var s = await Scenario.StartAsync(Quiet, o =>
        {
            o.Reconnect.MaxAttempts = 2;
            o.TokenProvider = _ => Interlocked.Increment(ref calls) == 1 ? ValueTask.FromResult<string?>("t") : throw new InvalidOperationException("token service down");
        });
        var reading = s.Client.ReadAsync(1, Harness.Deadline());

        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        var failed = await s.States.WaitForAsync(ConnectionState.Failed, cancellationToken: Harness.Deadline());

        Assert.IsType<GatewayAuthenticationException>(failed.Cause);
        Assert.IsType<GatewayAuthenticationException>(await Assert.ThrowsAnyAsync<GatewayException>(() => reading));
    }

    // ---- Smaller items -------------------------------------------------------------------------------

    [Fact]
    public async Task Enumerating_while_connecting_then_disposing_ends_the_enumeration_cleanly()
    {
        // The gateway never answers the handshake within the test (its clock does not move).
        var gatewayClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, TimeProvider = gatewayClock });
        gateway.DelayNextHandshake(TimeSpan.FromHours(1));
        var client = new GatewayClient(Harness.OptionsFor(gateway));
        var connecting = client.ConnectAsync(Harness.Deadline());
        var reading = client.ReadAsync(1, Harness.Deadline());

        await client.DisposeAsync();

        Assert.Empty(await reading.WaitAsync(Harness.Deadline()));
        Assert.IsAssignableFrom<OperationCanceledException>(await Record.ExceptionAsync(() => connecting.WaitAsync(Harness.Deadline())));
    }

    [Fact]
    public async Task A_silent_connection_is_declared_dead_exactly_two_heartbeats_after_its_last_frame()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(Quiet, o =>
        {
            o.TimeProvider = clock;
            o.HeartbeatInterval = TimeSpan.FromSeconds(10);
        }, readStream: true);
        var connection = await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // A last frame 1 s after the handshake, then silence (the gateway stops answering pings too).
        clock.Advance(TimeSpan.FromSeconds(1));
        await s.PublishAsync(1);
        await s.Stream.WaitForSequenceAsync(1);
        connection.Stall();
        try
        {
            clock.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(ConnectionState.Connected, s.Client.State);
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var dead = await s.States.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: Harness.Deadline());

            Assert.Contains("twice the 10 s heartbeat", dead.Cause!.Message);
        }
        finally
        {
            connection.Drop(); // a stalled connection never answers a close, and the clock is fake
        }
    }

    [Fact]
    public async Task An_event_before_the_handshake_answer_is_counted_and_logged()
    {
        using var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(Quiet);
        gateway.PrecedeHandshakeAnswers("""{"type":"status","text":"too early"}""");
        await using var client = new GatewayClient(Harness.OptionsFor(gateway), logs);

        await client.ConnectAsync(Harness.Deadline());

        Assert.Equal(1, client.Statistics.EarlyFramesSkipped);
        Assert.Contains(logs.Entries, e => e.EventId == 28);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

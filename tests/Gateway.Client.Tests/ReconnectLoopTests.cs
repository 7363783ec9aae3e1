using System.Net.WebSockets;
using System.Threading.Channels;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Testing;

namespace Gateway.Client.Tests;

/// <summary>
/// The one reconnect loop, without sockets: scripted rounds (an attempt that fails, or a connection that ran and
/// ended) on a fake clock, and what the loop decides after each: whether another round follows, the delay, the
/// next attempt's number, and the transition it reports.
/// </summary>
public class ReconnectLoopTests
{
    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly Channel<ConnectionStateChangedEventArgs> _transitions = Channel.CreateUnbounded<ConnectionStateChangedEventArgs>();
    private readonly List<int> _attemptNumbers = new();
    private ClientState? _state;

    private ReconnectLoop Create(Action<ReconnectOptions>? configure = null, Func<CancellationToken, ValueTask<string?>>? tokens = null)
    {
        var options = new GatewayClientOptions
        {
            Url = new Uri("ws://127.0.0.1/ws"),
            AgentId = "unit",
            TimeProvider = _clock,
            Random = () => 0.5,
            Reconnect = { InitialDelay = TimeSpan.FromSeconds(1), Multiplier = 2, MaxDelay = TimeSpan.FromSeconds(30), Jitter = 0, HealthyConnectionTime = TimeSpan.FromSeconds(10), RetryInitialConnect = true },
        };
        configure?.Invoke(options.Reconnect);
        // Every retry the loop schedules, including those that are no change of state (the app hears only of changes).
        _state = new ClientState(new CallbackDispatcher(NullLogger.Instance, _clock), (_, _) => Task.CompletedTask, options);
        _state.RetryScheduled += retry => _transitions.Writer.TryWrite(retry);
        _state.BeginRun();
        var dialect = Gateway.Client.Dialects.PraisonAI.PraisonAIDialect.Instance;
        return new ReconnectLoop(options, dialect, new AttemptTokens(tokens, NullLogger.Instance), _state, NullLogger.Instance);
    }

    /// <summary>A round that plays <paramref name="script"/> in order, noting the attempt number the loop gave it.</summary>
    private Func<CancellationToken, ValueTask<ConnectionEnd>> Rounds(ReconnectLoop loop, params Func<ConnectionEnd>[] script)
    {
        var next = 0;
        return _ =>
        {
            _attemptNumbers.Add(loop.NextAttempt);
            return new ValueTask<ConnectionEnd>(script[next++]());
        };
    }

    private static Func<ConnectionEnd> Fails(Exception? error = null) => () => throw (error ?? new GatewayConnectionException("refused"));

    private delegate void Announce(ref ServerNotices notices);

    private static Func<ConnectionEnd> Ends(TimeSpan connectedFor, ConnectionEndKind kind = ConnectionEndKind.Lost, WebSocketCloseStatus? status = null, Announce? notices = null) => () =>
    {
        var announced = default(ServerNotices);
        notices?.Invoke(ref announced);
        return new ConnectionEnd(kind, status, error: kind == ConnectionEndKind.Lost ? new IOException("reset") : null) { ConnectedFor = connectedFor, Notices = announced };
    };

    /// <summary>Runs the loop as the supervisor does: the last round's outcome, read by <see cref="ReconnectLoop.FailureOf"/>.</summary>
    private static async Task<Exception?> RunLoopAsync(ReconnectLoop loop, Func<CancellationToken, ValueTask<ConnectionEnd>> round, CancellationToken stop)
    {
        var context = ResilienceContextPool.Shared.Get(stop);
        try
        {
            var outcome = await loop.RunAsync(static async (r, ct) => Outcome.FromResult(await r(ct)), round, context);
            return loop.FailureOf(outcome, stop);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The loop's next retry: the transition it reported, then the clock moved past its delay.</summary>
    private async Task<ConnectionStateChangedEventArgs> NextRetryAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var transition = await _transitions.Reader.ReadAsync(deadline.Token);
        if (transition.RetryDelay is { } delay && delay > TimeSpan.Zero)
        {
            await _clock.WaitForTimerAsync(delay, deadline.Token);
            _clock.Advance(delay);
        }

        return transition;
    }

    [Fact]
    public void One_Polly_retry_strategy_is_the_whole_loop_and_its_limit_is_the_loops_own()
    {
        var descriptor = Create().Pipeline.GetPipelineDescriptor();

        var strategy = Assert.Single(descriptor.Strategies);
        var retry = Assert.IsType<RetryStrategyOptions<ConnectionEnd>>(strategy.Options);
        Assert.Equal(int.MaxValue, retry.MaxRetryAttempts);
        Assert.NotNull(retry.DelayGenerator);
        Assert.NotNull(retry.OnRetry);
        Assert.False(descriptor.IsReloadable);
    }

    [Fact]
    public async Task Every_round_is_decided_in_one_place_delays_attempt_numbers_transitions_and_the_healthy_reset()
    {
        var loop = Create();
        var terminal = Ends(TimeSpan.FromMinutes(1), ConnectionEndKind.MessageTooLarge, WebSocketCloseStatus.MessageTooBig);
        var run = RunLoopAsync(
            loop,
            Rounds(
                loop,
                Fails(),                                                            // the first connect fails
                Fails(),
                Ends(TimeSpan.FromMinutes(1)),                                      // connected, healthy, then lost
                Ends(TimeSpan.FromSeconds(1)),                                      // never healthy
                Fails(),
                Ends(TimeSpan.FromSeconds(2)),                                      // never healthy again
                Ends(TimeSpan.FromMinutes(1), notices: (ref ServerNotices n) => n.Drain(TimeSpan.FromSeconds(5))),
                Ends(TimeSpan.FromMinutes(1), ConnectionEndKind.ClosedByServer, WebSocketCloseStatus.EndpointUnavailable, (ref ServerNotices n) => n.Restart(TimeSpan.FromSeconds(20))),
                terminal),
            CancellationToken.None);

        // (to, attempt, delay): Connecting while the run never connected, then Reconnecting; the backoff goes on
        // across connections that were never healthy and starts over after a healthy one; the server's floors win.
        var expected = new (ConnectionState To, int Attempt, double DelaySeconds, bool HasCause)[]
        {
            (ConnectionState.Connecting, 2, 1, true),
            (ConnectionState.Connecting, 3, 2, true),
            (ConnectionState.Reconnecting, 1, 0.5, true),   // the first after a drop: uniform over [0, InitialDelay)
            (ConnectionState.Reconnecting, 1, 1, true),     // one unhealthy end: step 2
            (ConnectionState.Reconnecting, 2, 2, true),     // a failure after it: step 3
            (ConnectionState.Reconnecting, 1, 2, true),     // two unhealthy ends: step 3
            (ConnectionState.Reconnecting, 1, 5, false),    // a drain on a healthy connection: its delay, no backoff
            (ConnectionState.Reconnecting, 1, 20, true),    // an announced restart is a floor
        };
        foreach (var (to, attempt, delaySeconds, hasCause) in expected)
        {
            var transition = await NextRetryAsync();
            Assert.Equal(to, transition.Current);
            Assert.Equal(attempt, transition.Attempt);
            Assert.Equal(TimeSpan.FromSeconds(delaySeconds), transition.RetryDelay);
            Assert.Equal(hasCause, transition.Cause is not null);
        }

        var failure = Assert.IsType<GatewayConnectionException>(await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, failure.CloseStatus);
        Assert.Equal(new[] { 1, 2, 3, 1, 1, 2, 1, 1, 1 }, _attemptNumbers);
    }

    [Fact]
    public async Task MaxAttempts_counts_the_attempts_in_a_row_and_a_connection_starts_the_count_over()
    {
        var loop = Create(o => o.MaxAttempts = 2);
        var last = new GatewayConnectionException("the last one");
        var run = RunLoopAsync(loop, Rounds(loop, Fails(), Ends(TimeSpan.FromMinutes(1)), Fails(), Fails(last)), CancellationToken.None);

        Assert.Equal(2, (await NextRetryAsync()).Attempt);
        Assert.Equal(1, (await NextRetryAsync()).Attempt);
        Assert.Equal(2, (await NextRetryAsync()).Attempt);
        Assert.Same(last, await Assert.ThrowsAsync<GatewayConnectionException>(() => run.WaitAsync(TimeSpan.FromSeconds(20))));
        Assert.Equal(4, _attemptNumbers.Count);
    }

    [Fact]
    public async Task A_first_connect_is_tried_once_unless_RetryInitialConnect_and_a_refusal_stops_at_once()
    {
        var once = Create(o => o.RetryInitialConnect = false);
        await Assert.ThrowsAsync<GatewayConnectionException>(() => RunLoopAsync(once, Rounds(once, Fails()), CancellationToken.None));

        var refused = Create();
        var wrongToken = new GatewayHandshakeException("not_in_any_table", "no", isRetryable: false);
        Assert.Same(wrongToken, await Assert.ThrowsAsync<GatewayHandshakeException>(() => RunLoopAsync(refused, Rounds(refused, Fails(wrongToken)), CancellationToken.None)));
        Assert.Equal(new[] { 1, 1 }, _attemptNumbers);
        Assert.False(_transitions.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_pending_fresh_handshake_reconnects_at_once_and_a_disabled_reconnect_ends_the_run_with_the_cause()
    {
        var fresh = Create();
        var resyncing = Ends(TimeSpan.FromSeconds(1));
        var run = RunLoopAsync(
            fresh,
            Rounds(fresh, () =>
            {
                var end = resyncing();
                end.FreshHandshakeNext = true; // a resync closed it for a fresh handshake: not an error, at once
                return end;
            }, Ends(TimeSpan.FromMinutes(1), ConnectionEndKind.MessageTooLarge)),
            CancellationToken.None);
        var transition = await NextRetryAsync();
        Assert.Equal(TimeSpan.Zero, transition.RetryDelay);
        Assert.Null(transition.Cause);
        Assert.IsType<GatewayConnectionException>(await run.WaitAsync(TimeSpan.FromSeconds(20)));

        var disabled = Create(o => o.Enabled = false);
        var failure = await RunLoopAsync(disabled, Rounds(disabled, Ends(TimeSpan.FromMinutes(1))), CancellationToken.None);
        Assert.Contains("connection lost", Assert.IsType<GatewayConnectionException>(failure).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stop_ends_the_loop_without_a_failure_or_a_transition()
    {
        var loop = Create();
        using var stop = new CancellationTokenSource();
        var failure = await RunLoopAsync(loop, _ =>
        {
            stop.Cancel(); // a disconnect while the connection ran
            return new ValueTask<ConnectionEnd>(new ConnectionEnd(ConnectionEndKind.ClosedByClient) { ConnectedFor = TimeSpan.FromMinutes(1) });
        }, stop.Token);

        Assert.Null(failure);
        Assert.False(_transitions.Reader.TryRead(out _));
    }
}

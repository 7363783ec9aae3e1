using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Gateway.Client.Engine;

/// <summary>
/// The reconnect loop: one Polly retry pipeline around a round (one attempt, and the connection it makes until
/// it ends). Everything that decides what follows a round happens in one place, <see cref="DecideAsync"/>, which
/// Polly asks first after every round: whether to go on (the reconnect policy's tables, the token-changed check,
/// the attempt limit, a first connect tried once), the delay (the first after a drop, the backoff that goes on
/// after connections that were never healthy and starts over after a healthy one, the server's floors:
/// retry-after, a drain's delay, an announced restart), the next attempt's number, and the cause to report. The
/// pipeline's delay generator and its retry callback (the one place the client enters Reconnecting, or reports
/// another attempt while Connecting) only read that decision. Used by the run loop only.
/// </summary>
internal sealed class ReconnectLoop
{
    private readonly GatewayClientOptions _options;
    private readonly ReconnectPolicy _policy;
    private readonly Backoff _backoff;
    private readonly AttemptTokens _tokens;
    private readonly ClientState _state;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<ConnectionEnd> _pipeline;

    // The round state: written only by DecideAsync, on the run loop.
    private int _failedInRound;     // attempts in a row that failed since the last connection
    private int _unhealthyEnds;     // connections in a row that ended before they were healthy: the backoff goes on from there
    private bool _neverConnected;   // the run has not connected yet (a first connect)
    private Decision _next;

    public ReconnectLoop(GatewayClientOptions options, IDialect dialect, AttemptTokens tokens, ClientState state, ILogger logger)
    {
        _options = options;
        _policy = ReconnectPolicy.For(dialect);
        _backoff = new Backoff(options.Reconnect, options.Random);
        _tokens = tokens;
        _state = state;
        _logger = logger;
        _pipeline = Build();
    }

    /// <summary>The pipeline, for tests that check its shape.</summary>
    internal ResiliencePipeline<ConnectionEnd> Pipeline => _pipeline;

    /// <summary>The number of the attempt a round is about to make (1 after a connection ended; 2, 3, … after failures).</summary>
    public int NextAttempt => _failedInRound + 1;

    /// <summary>
    /// Runs rounds until one may not be followed by another (or <paramref name="context"/>'s token stops it) and
    /// returns the last round's outcome; <see cref="FailureOf"/> reads it. A round returns the end of the connection
    /// it made, or throws why its attempt failed. No state machine of its own: an idle connection waits in Polly's
    /// and the round's only.
    /// </summary>
    public ValueTask<Outcome<ConnectionEnd>> RunAsync<TState>(Func<TState, CancellationToken, ValueTask<Outcome<ConnectionEnd>>> round, TState state, ResilienceContext context)
    {
        _failedInRound = 0;
        _unhealthyEnds = 0;
        _neverConnected = true;
        return _pipeline.ExecuteOutcomeAsync(static (context, s) => s.Round(s.State, context.CancellationToken), context, (Round: round, State: state));
    }

    /// <summary>
    /// What ended the run, from the last round's outcome: null when <paramref name="stop"/> did (a disconnect), or the
    /// end of a connection that may not be resumed. An attempt's failure that may not be retried (or the last one
    /// allowed) is thrown as it was.
    /// </summary>
    public Exception? FailureOf(Outcome<ConnectionEnd> outcome, CancellationToken stop)
    {
        if (outcome.Exception is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }

        return stop.IsCancellationRequested ? null : _next.Failure ?? outcome.Result!.ToException();
    }

    private ResiliencePipeline<ConnectionEnd> Build() =>
        new ResiliencePipelineBuilder<ConnectionEnd> { TimeProvider = _options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<ConnectionEnd>
            {
                // The limit is ours (attempts in a row, MaxAttempts), kept in DecideAsync: Polly's would count the whole run.
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => DecideAsync(args.Outcome, args.Context.CancellationToken),
                DelayGenerator = _ => new ValueTask<TimeSpan?>(_next.Delay),
                OnRetry = args =>
                {
                    Log.Reconnecting(_logger, _next.Attempt, Log.Milliseconds(_next.Delay), _next.Cause?.Message);
                    _state.Retrying(_next.Cause, _next.Attempt, _next.Delay, initial: _neverConnected, args.Context.CancellationToken);
                    return default;
                },
            })
            .Build();

    /// <summary>The one decider: whether another round follows this outcome, after which delay, and why.</summary>
    private async ValueTask<bool> DecideAsync(Outcome<ConnectionEnd> outcome, CancellationToken stop)
    {
        _next = default;
        if (stop.IsCancellationRequested)
        {
            return false;
        }

        if (outcome.Exception is { } error)
        {
            return await AfterFailedAttemptAsync(error, stop).ConfigureAwait(false);
        }

        return await AfterConnectionAsync(outcome.Result!, stop).ConfigureAwait(false);
    }

    private async ValueTask<bool> AfterFailedAttemptAsync(Exception error, CancellationToken stop)
    {
        if (error is OperationCanceledException)
        {
            return false;
        }

        _failedInRound++;
        var reconnect = _options.Reconnect;
        if (!reconnect.Enabled
            || (_neverConnected && !reconnect.RetryInitialConnect)
            || (reconnect.MaxAttempts is { } max && _failedInRound >= max))
        {
            return false;
        }

        var go = _policy.Decide(error) switch
        {
            ReconnectAction.Terminal => false,
            ReconnectAction.TerminalUnlessTokenChanged => await _tokens.ChangedAsync(stop).ConfigureAwait(false),
            _ => true,
        };
        if (go)
        {
            _next = new Decision(_backoff.BeforeAttempt(_failedInRound + 1 + _unhealthyEnds, ReconnectPolicy.RetryAfter(error)), error, _failedInRound + 1, null);
        }

        return go;
    }

    private async ValueTask<bool> AfterConnectionAsync(ConnectionEnd end, CancellationToken stop)
    {
        _neverConnected = false;
        _failedInRound = 0;
        var healthy = end.ConnectedFor >= _options.Reconnect.HealthyConnectionTime;
        _unhealthyEnds = healthy ? 0 : _unhealthyEnds + 1;
        var notices = end.Notices;
        var drain = notices.DrainRequested;
        if (drain && healthy)
        {
            // A drain notice on a healthy connection is not an error: resume after the server's retry_after_ms, no backoff.
            return Go(notices.DrainDelay ?? TimeSpan.Zero, null);
        }

        if (end.SessionSwitchNext is { } leaving)
        {
            return Go(TimeSpan.Zero, leaving);
        }

        if (end.FreshHandshakeNext)
        {
            return Go(TimeSpan.Zero, null);
        }

        var cause = end.ToException();
        var action = drain ? ReconnectAction.Resume : _policy.Decide(end);
        if (!_options.Reconnect.Enabled
            || action == ReconnectAction.Terminal
            || (action == ReconnectAction.TerminalUnlessTokenChanged && !await _tokens.ChangedAsync(stop).ConfigureAwait(false)))
        {
            _next = new Decision(TimeSpan.Zero, cause, 0, cause);
            return false;
        }

        // A restart the server announced (with the time it expects to take), or a drain's own delay, is a floor.
        var floor = Max(notices.RestartFloor, notices.DrainDelay);
        var delay = _unhealthyEnds > 0
            ? _backoff.BeforeAttempt(_unhealthyEnds + 1, floor)
            : action == ReconnectAction.WaitThenResume ? _backoff.BeforeAttempt(2, floor) : _backoff.FirstAfterDrop(floor);
        return Go(delay, cause);
    }

    private bool Go(TimeSpan delay, Exception? cause)
    {
        _next = new Decision(delay, cause, 1, null);
        return true;
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>What follows a round: the delay, the cause to report, the next attempt's number; or the run's failure.</summary>
    private readonly record struct Decision(TimeSpan Delay, Exception? Cause, int Attempt, Exception? Failure);
}

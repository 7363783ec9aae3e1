using System.Diagnostics;
using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Gateway.Client.Engine;

/// <summary>
/// Makes connections and decides the waits between them. One attempt is: the token (from the app's
/// provider, or one fetched to check whether it changed), the socket, the handshake, each in a
/// <c>gateway.connect</c> span counted by outcome. Attempts run through a Polly retry pipeline with our
/// own backoff (a run's first connect is tried once unless <see cref="ReconnectOptions.RetryInitialConnect"/>),
/// and after a connection ends the reconnect policy says what follows: a delay (backoff, the server's drain
/// notice or announced restart) or a terminal failure. Only a connection that stayed up for
/// <see cref="ReconnectOptions.HealthyConnectionTime"/> resets the backoff, so a server that closes or
/// drains every connection at once cannot hold the client in a loop. Used by the run loop only.
/// </summary>
internal sealed class AttemptRunner
{
    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ILogger _logger;
    private readonly ClientTelemetry _telemetry;
    private readonly ClientCounters _counters;
    private readonly ServerNumbers _numbers;
    private readonly ReconnectPolicy _policy;
    private readonly Backoff _backoff;
    private readonly ResiliencePipeline _pipeline;
    private readonly Action<Exception?, int, TimeSpan, bool, CancellationToken> _onRetry;
    private Exception? _lastFailure;
    private bool _initialRound;
    private int _unhealthyEnds; // connections in a row that ended before they were healthy: the backoff goes on from there
    private readonly AttemptTokens _tokens;
    private bool _serverIsLegacy;
    private int _attemptInRound;
    private ActivityContext _spanParent;
    private readonly object _noticesGate = new(); // the server's notices arrive on the receive loop, the run loop reads them
    private TimeSpan? _drainDelay;
    private bool _drainRequested;
    private TimeSpan? _reconnectFloor;

    /// <summary>
    /// <paramref name="onRetry"/> is called before each retry's delay with the failure, the next attempt's
    /// number, the delay, whether the run has not connected yet, and the stop token.
    /// </summary>
    public AttemptRunner(GatewayClientOptions options, IDialect dialect, ClientCounters counters, ServerNumbers numbers, ILogger logger, Action<Exception?, int, TimeSpan, bool, CancellationToken> onRetry)
    {
        _options = options;
        _dialect = dialect;
        _counters = counters;
        _telemetry = counters.Telemetry;
        _numbers = numbers;
        _logger = logger;
        _onRetry = onRetry;
        _policy = ReconnectPolicy.For(dialect);
        _backoff = new Backoff(options.Reconnect, options.Random);
        _pipeline = BuildPipeline();
        _tokens = new AttemptTokens(options.TokenProvider, logger);
    }

    /// <summary>A run begins: its first attempt joins <paramref name="trace"/> (the caller of ConnectAsync); later ones start their own.</summary>
    public void BeginRun(ActivityContext trace)
    {
        _spanParent = trace;
        _attemptInRound = 0;
        _unhealthyEnds = 0;
        Volatile.Write(ref _lastFailure, null);
    }

    /// <summary>Why the latest attempt failed, if it did: what a cancelled first connect reports as its cause.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>
    /// Attempts until one succeeds, a failure is terminal, the attempts run out, or <paramref name="stop"/>
    /// fires; <paramref name="target"/> (where the handshake resumes) is read at each attempt. A run's first
    /// connect (<paramref name="initial"/>) is tried once unless <see cref="ReconnectOptions.RetryInitialConnect"/>.
    /// </summary>
    public ValueTask<Attempt> ConnectAsync(Func<AttemptTarget> target, bool initial, CancellationToken stop)
    {
        _initialRound = initial;
        var pipeline = initial && !_options.Reconnect.RetryInitialConnect ? ResiliencePipeline.Empty : _pipeline;
        return pipeline.ExecuteAsync(static (state, ct) => state.Self.AttemptAsync(state.Target, ct), (Self: this, Target: target), stop);
    }

    /// <summary>The server asked for a reconnect (drain): the next round starts after the delay it asked for (clamped), or backs off if the connection was not yet healthy.</summary>
    public void DrainRequested(long? retryAfterMilliseconds)
    {
        var delay = _numbers.DelayMilliseconds("retry_after_ms", retryAfterMilliseconds); // may log: outside the lock
        lock (_noticesGate)
        {
            _drainRequested = true;
            _drainDelay = delay;
        }
    }

    /// <summary>The server announced a restart: the next round waits at least this long (clamped).</summary>
    public void ReconnectFloor(long milliseconds)
    {
        var floor = _numbers.DelayMilliseconds("restartExpectedMs", milliseconds); // may log: outside the lock
        lock (_noticesGate)
        {
            _reconnectFloor = floor;
        }
    }

    /// <summary>
    /// What follows a connection's end: a delay before the next round, or a terminal failure (when the
    /// server asked for a fresh handshake, at once). A connection that ended before it was healthy
    /// continues the backoff where the last one left it; a healthy one starts it over.
    /// </summary>
    public async ValueTask<NextStep> DecideAfterAsync(ConnectionEnd end, bool freshHandshakePending, CancellationToken stop)
    {
        bool drain;
        TimeSpan? drainDelay, floor;
        lock (_noticesGate)
        {
            (drain, drainDelay, floor) = (_drainRequested, _drainDelay, _reconnectFloor);
            (_drainRequested, _drainDelay, _reconnectFloor) = (false, null, null);
        }

        var healthy = end.ConnectedFor >= _options.Reconnect.HealthyConnectionTime;
        _unhealthyEnds = healthy ? 0 : _unhealthyEnds + 1;
        if (drain && healthy)
        {
            // A drain notice on a healthy connection is not an error: resume after the server's retry_after_ms, no backoff.
            return new NextStep(drainDelay ?? TimeSpan.Zero, null, null);
        }

        if (freshHandshakePending)
        {
            return new NextStep(TimeSpan.Zero, null, null);
        }

        var cause = end.ToException();
        if (!_options.Reconnect.Enabled)
        {
            return new NextStep(null, cause, cause);
        }

        var action = drain ? ReconnectAction.Resume : _policy.Decide(end);
        if (action == ReconnectAction.Terminal
            || (action == ReconnectAction.TerminalUnlessTokenChanged && !await _tokens.ChangedAsync(stop).ConfigureAwait(false)))
        {
            return new NextStep(null, cause, cause);
        }

        // A restart the server announced (with the time it expects to take), or a drain's own delay, is a floor.
        floor = Max(floor, drainDelay);
        var delay = _unhealthyEnds > 0
            ? _backoff.BeforeAttempt(_unhealthyEnds + 1, floor)
            : action == ReconnectAction.WaitThenResume ? _backoff.BeforeAttempt(2, floor) : _backoff.FirstAfterDrop(floor);
        return new NextStep(delay, cause, null);
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private ResiliencePipeline BuildPipeline()
    {
        var reconnect = _options.Reconnect;
        var builder = new ResiliencePipelineBuilder { TimeProvider = _options.TimeProvider };
        var retries = !reconnect.Enabled ? 0 : reconnect.MaxAttempts is { } max ? max - 1 : int.MaxValue;
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome.Exception, args.Context.CancellationToken),

                // Attempt numbers count from the first attempt of this round: Polly's first retry is attempt 2.
                // After connections that ended before they were healthy, the backoff goes on from where they left it.
                DelayGenerator = args => new ValueTask<TimeSpan?>(_backoff.BeforeAttempt(args.AttemptNumber + 2 + _unhealthyEnds, ReconnectPolicy.RetryAfter(args.Outcome.Exception))),
                OnRetry = args =>
                {
                    Log.Reconnecting(_logger, args.AttemptNumber + 2, Log.Milliseconds(args.RetryDelay), args.Outcome.Exception?.Message);
                    _onRetry(args.Outcome.Exception, args.AttemptNumber + 2, args.RetryDelay, _initialRound, args.Context.CancellationToken);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private async ValueTask<bool> ShouldRetryAsync(Exception? error, CancellationToken cancellationToken)
    {
        if (error is null or OperationCanceledException)
        {
            return false;
        }

        return _policy.Decide(error) switch
        {
            ReconnectAction.Terminal => false,
            ReconnectAction.TerminalUnlessTokenChanged => await _tokens.ChangedAsync(cancellationToken).ConfigureAwait(false),
            _ => true,
        };
    }

    /// <summary>One attempt, as a <c>gateway.connect</c> span with the handshake inside, counted by outcome.</summary>
    private async ValueTask<Attempt> AttemptAsync(Func<AttemptTarget> target, CancellationToken cancellationToken)
    {
        var aim = target();
        var reconnect = aim.Reconnect;
        var number = ++_attemptInRound;
        using var span = _telemetry.StartConnect(number, reconnect, _spanParent);
        _spanParent = default; // only the run's first attempt belongs to the caller's trace
        try
        {
            var attempt = await AttemptCoreAsync(aim, cancellationToken).ConfigureAwait(false);
            _counters.ConnectAttempted(reconnect, succeeded: true);
            _attemptInRound = 0;
            if (span is not null)
            {
                span.SetTag("gateway.protocol.version", attempt.Result.Session.Protocol);
                span.SetTag("gateway.session.resumed", attempt.Result.Session.Resumed);
            }

            return attempt;
        }
        catch (Exception ex) when (AttemptFailed(span, reconnect, ex))
        {
            throw; // never reached: the filter records and declines
        }
    }

    private bool AttemptFailed(Activity? span, bool reconnect, Exception error)
    {
        if (error is OperationCanceledException)
        {
            span?.SetTag("gateway.connect.outcome", "cancelled");
            return false;
        }

        _counters.ConnectAttempted(reconnect, succeeded: false);
        Volatile.Write(ref _lastFailure, error);
        var code = (error as GatewayHandshakeException)?.Code;
        span?.SetStatus(ActivityStatusCode.Error, code ?? error.GetType().Name);
        span?.SetTag("error.type", code ?? error.GetType().FullName);
        return false;
    }

    private async ValueTask<Attempt> AttemptCoreAsync(AttemptTarget target, CancellationToken cancellationToken)
    {
        var token = await _tokens.ForAttemptAsync(cancellationToken).ConfigureAwait(false);

        Log.Connecting(_logger, UrlRedactor.Redact(_options.Url!));
        var connection = await Connection.OpenAsync(_options, _dialect, token, _telemetry, _numbers, cancellationToken).ConfigureAwait(false);
        var request = new HandshakeRequest
        {
            AgentId = _options.AgentId!,
            Protocol = _options.ProtocolRange,
            Capabilities = (IReadOnlyList<string>)_options.Capabilities,
            SessionId = target.SessionId,
            Since = target.Since,
            AllowLegacy = _options.AllowLegacyHandshake,
            PreferLegacy = _serverIsLegacy,
            Timeout = _options.HandshakeTimeout,
            TimeProvider = _options.TimeProvider,
            Numbers = _numbers,
            Token = token,
        };

        try
        {
            HandshakeResult result;
            using (var span = ClientTelemetry.StartHandshake())
            {
                try
                {
                    result = await _dialect.HandshakeAsync(connection, request, cancellationToken).ConfigureAwait(false);
                    span?.SetTag("gateway.handshake.legacy", result.Session.IsLegacyHandshake);
                }
                catch (GatewayHandshakeException refused)
                {
                    _telemetry.HandshakeFailed(refused.Code);
                    span?.SetStatus(ActivityStatusCode.Error, refused.Code);
                    span?.SetTag("error.type", refused.Code);
                    throw;
                }
            }

            if (result.Session.IsLegacyHandshake && !_serverIsLegacy)
            {
                Log.LegacyFallback(_logger, "no hello_ok; the server answered join");
                _serverIsLegacy = true;
            }

            return new Attempt(connection, result, request.Since, request.SessionId);
        }
        catch (GatewayHandshakeException ex)
        {
            Log.HandshakeRefused(_logger, ex.Code, ex.NextStep);

            // The contract leaves the socket open after hello_error: the client closes it.
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "handshake failed").ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (GatewayConnectionException tooLarge) when (ReconnectPolicy.IsOverReceiveLimit(tooLarge))
        {
            // Counted and logged as an oversized message after the handshake is (ConnectionDriver); the policy makes it terminal.
            _counters.OversizedMessage();
            Log.MessageTooLarge(_logger, _options.MaxReceiveMessageBytes);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (TimeoutException stuck)
        {
            // A handshake frame the gateway did not read within SendTimeout: a transport problem, worth a retry.
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new GatewayConnectionException("The handshake could not be sent: " + stuck.Message, innerException: stuck);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

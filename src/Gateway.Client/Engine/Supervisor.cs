using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Gateway.Client.Engine;

/// <summary>
/// The one owner of the connection's lifetime. A run (from <see cref="ConnectAsync"/> to disconnect or
/// a terminal failure) is one loop: attempts go through a Polly retry pipeline with our own backoff,
/// each successful handshake adopts the session and resumes the stream from the cursor, the connection
/// runs until it ends, and the close policy decides whether to resume, wait, or stop. Only this loop
/// moves the state while a run is active; connect and disconnect are serialised by a lifecycle lock
/// that is never held while user code runs.
/// </summary>
internal sealed class Supervisor : IAsyncDisposable
{
    private static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(30);

    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ILogger _logger;
    private readonly ConnectionStateMachine _state;
    private readonly ClientCounters _counters;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly SequenceTracker _tracker = new();
    private readonly InboundPipeline _pipeline;
    private readonly Backoff _backoff;
    private readonly ResiliencePipeline _attempts;
    private readonly byte[]? _ping;
    private readonly ReconnectPolicy _policy;
    private readonly ClientTelemetry _telemetry;
    private TaskCompletionSource<Connection> _live;
    private RunState? _run;
    private ConnectionState _loopState;
    private Connection? _connection;
    private GatewaySession? _session;
    private bool _serverIsLegacy;
    private long _deliveredCursor;
    private long _skipThrough;
    private int _runNumber;
    private string? _lastToken;
    private Prefetched? _prefetchedToken;
    private long _drainDelayMs = -1;
    private long _reconnectFloorMs = -1;
    private TaskCompletionSource<ResyncResult>? _freshHandshakeResync;
    private int _disposed;
    private int _attemptInRound;
    private ActivityContext _spanParent;

    public Supervisor(GatewayClientOptions options, IDialect dialect, ConnectionStateMachine state, ClientCounters counters, ILogger logger)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _counters = counters;
        _telemetry = counters.Telemetry;
        _logger = logger;
        _ping = LivenessMonitor.BuildPing(dialect);
        _policy = ReconnectPolicy.For(dialect);
        _backoff = new Backoff(options.Reconnect, options.Random);
        _attempts = BuildAttemptPipeline();
        _live = NotRunning("the client has not connected yet");
        Events = new EventBuffer(options.EventBufferCapacity, options.Backpressure, counters);
        Events.OverflowStarted += gap => Log.GapDetected(_logger, gap.Reason, gap.Expected, gap.Received);
        _pipeline = new InboundPipeline(_tracker, Requests, dialect, counters, logger, Events, OnDrainRequested, ms => Interlocked.Exchange(ref _reconnectFloorMs, Math.Max(0, ms)));
        _pipeline.ReplayCompleted += through => Log.ReplayCompleted(_logger, through);

        if (options.ResumeCursor is { } cursor)
        {
            _tracker.Restore(cursor, options.ResumeEpoch);
            _deliveredCursor = cursor;
        }
    }

    public PendingRequests Requests { get; } = new();

    public IDialect Dialect => _dialect;

    /// <summary>The event stream, for the client's lifetime.</summary>
    public EventBuffer Events { get; }

    /// <summary>
    /// The current run: one <see cref="ConnectAsync"/> until disconnect or terminal failure. An end-of-run
    /// marker ends a consumer's enumeration only while its run is still the current one.
    /// </summary>
    public int Run => Volatile.Read(ref _runNumber);

    public GatewaySession? Session => Volatile.Read(ref _session);

    /// <summary>The last sequence number delivered to the consumer.</summary>
    public long Cursor => Volatile.Read(ref _deliveredCursor);

    /// <summary>After a resync, numbered events at or below this were superseded by the snapshot.</summary>
    public long SkipThrough => Volatile.Read(ref _skipThrough); // read per numbered event: no bus lock

    /// <summary>Called by the consumer as it takes each item (one writer at a time: a plain volatile write).</summary>
    public void MarkDelivered(long cursor) => Volatile.Write(ref _deliveredCursor, cursor);

    /// <summary>Called by the consumer when a gap re-based the numbering downwards: the resync watermark no longer applies.</summary>
    public void ClearSkipThrough() => Interlocked.Exchange(ref _skipThrough, 0);

    /// <summary>Cancelled when the client is disposed: code running on the app's behalf (the gap handler) stops with it.</summary>
    public CancellationToken Disposing => _disposing.Token;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        RunState run;
        await _lifecycle.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            if (_run is { Loop.IsCompleted: false, Abandoned: false } active)
            {
                run = active;
            }
            else
            {
                var from = _state.Current;
                Interlocked.Increment(ref _runNumber);
                run = new RunState();
                Volatile.Write(ref _live, new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously));
                _loopState = ConnectionState.Connecting;
                _state.Transition(from, ConnectionState.Connecting, attempt: 1);
                run.Loop = Task.Run(() => RunLoopAsync(run));
                _run = run;
            }
        }
        finally
        {
            _lifecycle.Release();
        }

        try
        {
            await run.FirstHandshake.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (run.FirstHandshake.Task.IsFaulted)
        {
            // The run failed just as the caller gave up: the failure is the truth, and it says why.
            await run.FirstHandshake.Task.ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested && !run.FirstHandshake.Task.IsCompleted)
        {
            // The caller gave up connecting: stop trying.
            await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends one frame. While reconnecting it waits for the resumed connection (bounded by the token and
    /// <see cref="GatewayClientOptions.SendTimeout"/>), then sends once. A frame is never sent twice: it is
    /// retried on the next connection only when nothing of it was written.
    /// </summary>
    public async Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken)
    {
        if (Session?.Policy.MaxPayload is { } limit && utf8Frame.Length > limit)
        {
            throw new GatewayPayloadTooLargeException(utf8Frame.Length, limit);
        }

        var deadline = TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.SendTimeout);
        while (true)
        {
            var live = Volatile.Read(ref _live).Task;
            if (!await TimeProviderDelay.WaitUntilAsync(live, _options.TimeProvider, deadline, cancellationToken).ConfigureAwait(false))
            {
                throw new TimeoutException($"The client did not get a connection to send on within {_options.SendTimeout.TotalSeconds:0.###} s (SendTimeout); the frame was not sent.");
            }

            var connection = await live.ConfigureAwait(false);
            if (Session?.Policy.MaxPayload is { } newLimit && utf8Frame.Length > newLimit)
            {
                throw new GatewayPayloadTooLargeException(utf8Frame.Length, newLimit);
            }

            try
            {
                await connection.SendAsync(utf8Frame, deadline, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConnectionNotOpenException)
            {
                // Nothing was written: wait for the loop to retire this connection, then use the next one.
                await connection.Retired.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Protocol 1 resync: reconnect to the same session without <c>since</c>, so the server's head becomes
    /// the cursor. Completes once the fresh handshake succeeded.
    /// </summary>
    public async Task<ResyncResult> ResyncByFreshHandshakeAsync(CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<ResyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _freshHandshakeResync, completion, null) is { } running)
        {
            completion = running;
        }
        else if (Volatile.Read(ref _connection) is { } connection)
        {
            _ = RetireAsync(connection, "resync");
        }

        var result = await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        ApplyResync(result.Cursor);
        return result;
    }

    /// <summary>Protocol 2 resync answered: the consumer must not see what the snapshot already covers.</summary>
    public void ApplyResync(long cursor)
    {
        Interlocked.Exchange(ref _skipThrough, cursor);
        MarkDelivered(cursor);
    }

    /// <summary>Re-bases the tracker where a resync answer arrived in the stream (runs on the receive loop).</summary>
    public void RebaseInStream(long cursor, string? epoch) => _tracker.Rebase(cursor, epoch);

    /// <summary>Ends the run: leaves politely, then waits for the run loop, all within <see cref="GatewayClientOptions.CloseTimeout"/>.</summary>
    public Task DisconnectAsync(CancellationToken cancellationToken) =>
        DisconnectAsync(TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout), cancellationToken);

    private async Task DisconnectAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_run is not { } run || run.Loop.IsCompleted || run.Abandoned)
            {
                if (_state.Current == ConnectionState.Failed)
                {
                    _state.Transition(ConnectionState.Failed, ConnectionState.Disconnected);
                }

                return;
            }

            // Stop first, so the loop does not treat the close as a reason to reconnect.
            run.Stop.Cancel();
            if (Volatile.Read(ref _connection) is { } connection)
            {
                // A receive loop waiting for a slow consumer could not read the server's close answer.
                connection.StopDelivering();
                await LeaveAsync(connection, deadline).ConfigureAwait(false);
                if (!await TimeProviderDelay.WaitUntilAsync(run.Loop, _options.TimeProvider, deadline, CancellationToken.None).ConfigureAwait(false))
                {
                    connection.Abort();
                }
            }

            // Bounded too: with no connection live the loop may be inside the app's token provider, which
            // may ignore the stop token. Past the deadline it is abandoned; it can no longer move the state
            // (the stop is set), and whatever it ends with is logged by the loop itself.
            if (!await TimeProviderDelay.WaitUntilAsync(run.Loop, _options.TimeProvider, deadline, CancellationToken.None).ConfigureAwait(false))
            {
                Log.RunLoopAbandoned(_logger, _options.CloseTimeout.TotalMilliseconds);
                run.Abandoned = true; // never waited for again: the run is over for everyone else
            }

            // The loop has ended: nothing else moves the state now.
            var closed = new GatewayConnectionException("The client disconnected.");
            var live = Volatile.Read(ref _live);
            live.TrySetObservedException(closed);
            Volatile.Write(ref _live, NotRunning("the client disconnected"));
            Requests.FailAll(new GatewayConnectionException("The client disconnected before the answer arrived; the request's outcome is unknown."));
            Interlocked.Exchange(ref _freshHandshakeResync, null)?.TrySetObservedException(closed);
            if (_state.Current is var current && current != ConnectionState.Disconnected)
            {
                _state.Transition(current, ConnectionState.Disconnected);
            }

            if (run.Failure is null)
            {
                EndRun(null);
            }

            Log.Disconnected(_logger);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public ValueTask DisposeAsync() => DisposeAsync(TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout));

    /// <summary>Disconnects and releases the run, finishing by <paramref name="deadline"/> whatever the app's callbacks do.</summary>
    public async ValueTask DisposeAsync(DateTimeOffset deadline)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            // Stop a connect in progress first, so disposal does not wait for a handshake.
            _disposing.Cancel();
            await DisconnectAsync(deadline, CancellationToken.None).ConfigureAwait(false);

            // A consumer waiting between runs ends too.
            EndRun(null);
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(_logger, ex);
        }
    }

    private static TaskCompletionSource<Connection> NotRunning(string why)
    {
        var gate = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.TrySetObservedException(new GatewayConnectionException($"Cannot send: {why}."));
        return gate;
    }

    private ResiliencePipeline BuildAttemptPipeline()
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
                DelayGenerator = args => new ValueTask<TimeSpan?>(_backoff.BeforeAttempt(args.AttemptNumber + 2, ReconnectPolicy.RetryAfter(args.Outcome.Exception))),
                OnRetry = args =>
                {
                    Log.Reconnecting(_logger, args.AttemptNumber + 2, args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message);
                    _state.Transition(_loopState, ConnectionState.Reconnecting, args.Outcome.Exception, args.AttemptNumber + 2, args.RetryDelay);
                    _loopState = ConnectionState.Reconnecting;
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
            ReconnectAction.TerminalUnlessTokenChanged => await TokenChangedAsync(cancellationToken).ConfigureAwait(false),
            _ => true,
        };
    }

    /// <summary>Asks the token provider again; a different token is worth one more attempt (it is kept for it).</summary>
    private async ValueTask<bool> TokenChangedAsync(CancellationToken cancellationToken)
    {
        if (_options.TokenProvider is not { } provider)
        {
            return false;
        }

        var fresh = await provider(cancellationToken).ConfigureAwait(false);
        _prefetchedToken = new Prefetched(fresh);
        return !string.Equals(fresh, _lastToken, StringComparison.Ordinal);
    }

    private async Task RunLoopAsync(RunState run)
    {
        // The first attempt joins the trace of whoever called ConnectAsync; reconnects, maybe hours
        // later, start traces of their own.
        _spanParent = Activity.Current?.Context ?? default;
        Activity.Current = null;
        _attemptInRound = 0;
        var stop = run.Stop.Token;
        TimeSpan? delayBeforeRound = null;
        try
        {
            while (true)
            {
                if (delayBeforeRound is { } delay)
                {
                    await TimeProviderDelay.Delay(_options.TimeProvider, delay, stop).ConfigureAwait(false);
                }

                var attempt = await _attempts.ExecuteAsync(static (self, ct) => self.AttemptAsync(ct), this, stop).ConfigureAwait(false);
                var end = await RunConnectionAsync(run, attempt).ConfigureAwait(false);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                var next = await DecideAfterAsync(end, stop).ConfigureAwait(false);
                if (next.Failure is { } failure)
                {
                    Fail(run, failure);
                    return;
                }

                delayBeforeRound = next.Delay;
                _state.Transition(ConnectionState.Connected, ConnectionState.Reconnecting, next.Cause, attempt: 1, retryDelay: next.Delay);
                _loopState = ConnectionState.Reconnecting;
            }
        }
        catch (Exception ex) when (stop.IsCancellationRequested)
        {
            // Disconnect: DisconnectAsync finishes the run. Whatever failed on the way out (a token provider
            // that threw once stopped, a handshake cut short) is not a failure of the run.
            if (ex is not OperationCanceledException)
            {
                Log.StoppedRunLoopFailed(_logger, ex);
            }
        }
        catch (Exception ex)
        {
            // A terminal attempt failure, or the attempts ran out.
            Log.ConnectFailed(_logger, ex);
            Fail(run, ex);
        }
        finally
        {
            run.FirstHandshake.TrySetCanceled();
        }
    }

    /// <summary>One attempt, as a <c>gateway.connect</c> span with the handshake inside, counted by outcome.</summary>
    private async ValueTask<Attempt> AttemptAsync(CancellationToken cancellationToken)
    {
        var reconnect = _run is { Handshakes: > 0 };
        var number = ++_attemptInRound;
        using var span = _telemetry.StartConnect(number, reconnect, _spanParent);
        _spanParent = default; // only the run's first attempt belongs to the caller's trace
        try
        {
            var attempt = await AttemptCoreAsync(cancellationToken).ConfigureAwait(false);
            _telemetry.ConnectAttempt(reconnect, succeeded: true);
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

        _telemetry.ConnectAttempt(reconnect, succeeded: false);
        var code = (error as GatewayHandshakeException)?.Code;
        span?.SetStatus(ActivityStatusCode.Error, code ?? error.GetType().Name);
        span?.SetTag("error.type", code ?? error.GetType().FullName);
        return false;
    }

    private async ValueTask<Attempt> AttemptCoreAsync(CancellationToken cancellationToken)
    {
        var token = _prefetchedToken is { } prefetched ? prefetched.Token : _options.TokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : null;
        _prefetchedToken = null;
        _lastToken = token;

        Log.Connecting(_logger, UrlRedactor.Redact(_options.Url!));
        var connection = await Connection.OpenAsync(_options, _dialect, token, _telemetry, cancellationToken).ConfigureAwait(false);
        var sessionId = Session?.SessionId ?? _options.ResumeSessionId;
        var freshHandshake = Volatile.Read(ref _freshHandshakeResync) is not null;
        var request = new HandshakeRequest
        {
            AgentId = _options.AgentId!,
            Protocol = _options.ProtocolRange,
            Capabilities = (IReadOnlyList<string>)_options.Capabilities,
            SessionId = sessionId,
            Since = sessionId is null || freshHandshake ? null : _tracker.Last,
            AllowLegacy = _options.AllowLegacyHandshake,
            PreferLegacy = _serverIsLegacy,
            Timeout = _options.HandshakeTimeout,
            TimeProvider = _options.TimeProvider,
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

            return new Attempt(connection, result, request.Since);
        }
        catch (GatewayHandshakeException ex)
        {
            Log.HandshakeRefused(_logger, ex.Code, ex.NextStep);

            // The contract leaves the socket open after hello_error: the client closes it.
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "handshake failed").ConfigureAwait(false);
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

    /// <summary>Adopts the handshake's session, enters Connected, and runs the connection until it ends.</summary>
    private async Task<ConnectionEnd> RunConnectionAsync(RunState run, Attempt attempt)
    {
        var (connection, result, sentSince) = attempt;
        var session = result.Session;
        Volatile.Write(ref _session, session);
        _counters.Connected();
        if (run.Handshakes++ > 0)
        {
            _counters.Reconnected();
        }

        _counters.NonTextFramesSkipped(connection.HandshakeFramesSkipped);

        Log.Connected(_logger, session.SessionId, session.Protocol, session.IsLegacyHandshake, session.Resumed, session.ServerCursor);
        var decision = _dialect.Continue(new ContinuityInput(_tracker.Last, _tracker.Epoch, result, sentSince));
        var gap = _tracker.Apply(decision);
        if (sentSince is null && Volatile.Read(ref _freshHandshakeResync) is null)
        {
            // A new session starts at the server's head: history before it was never asked for.
            MarkDelivered(_tracker.Last ?? 0);
        }

        if (gap is not null)
        {
            // In stream order: after everything from the previous connection, before anything replayed.
            _pipeline.ReportGap(gap, _tracker.Last ?? 0);
        }

        _pipeline.ExpectReplayThrough(session.ServerCursor);
        var continuity = decision.Report;

        // Published with a full fence, then the stop is checked: a disconnect that began meanwhile either
        // sees this connection (and closes it) or is seen here; it can never miss it and wait forever.
        Interlocked.Exchange(ref _connection, connection);
        if (run.Stop.IsCancellationRequested)
        {
            Volatile.Write(ref _connection, null);
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            return new ConnectionEnd(ConnectionEndKind.ClosedByClient);
        }

        // Connected before the receive loop starts, so a connection that dies at once is seen leaving Connected.
        _state.Transition(_loopState, ConnectionState.Connected, continuity: continuity);
        _loopState = ConnectionState.Connected;
        run.FirstHandshake.TrySetResult(true);
        if (sentSince is null && Interlocked.Exchange(ref _freshHandshakeResync, null) is { } resync)
        {
            resync.TrySetResult(new ResyncResult(session.ServerCursor, session.Epoch, session.Snapshot));
        }

        Volatile.Read(ref _live).TrySetResult(connection);
        ConnectionEnd end;
        using (new LivenessMonitor(connection, _options.HeartbeatInterval ?? session.Policy.HeartbeatInterval ?? DefaultHeartbeat, _ping, _options.TimeProvider))
        {
            end = await connection.RunAsync(_pipeline, result.FramesAfterHandshake).ConfigureAwait(false);
        }

        // Close the send gate before anything else learns of the end, so no send picks the dead connection again.
        Volatile.Write(ref _live, new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously));
        Volatile.Write(ref _connection, null);
        if (end.Kind == ConnectionEndKind.MessageTooLarge)
        {
            Log.MessageTooLarge(_logger, _options.MaxReceiveMessageBytes);
        }

        Log.ConnectionEnded(_logger, end.ToString());
        Requests.FailAll(new GatewayConnectionException(
            "The connection ended before the answer arrived; the request's outcome is unknown.", end.CloseStatus, end.CloseDescription, end.Error));
        await connection.DisposeAsync().ConfigureAwait(false);
        return end;
    }

    /// <summary>What follows a connection's end: a delay before the next round, or a terminal failure.</summary>
    private async ValueTask<NextStep> DecideAfterAsync(ConnectionEnd end, CancellationToken stop)
    {
        if (Interlocked.Exchange(ref _drainDelayMs, -1) is var drainMs and >= 0)
        {
            // A drain notice is not an error: resume at once (after the server's retry_after_ms), no backoff.
            return new NextStep(TimeSpan.FromMilliseconds(drainMs), null, null);
        }

        if (Volatile.Read(ref _freshHandshakeResync) is not null)
        {
            return new NextStep(TimeSpan.Zero, null, null);
        }

        var cause = end.ToException();
        if (!_options.Reconnect.Enabled)
        {
            return new NextStep(null, cause, cause);
        }

        var action = _policy.Decide(end);
        var terminal = action == ReconnectAction.Terminal
            || (action == ReconnectAction.TerminalUnlessTokenChanged && !await TokenChangedAsync(stop).ConfigureAwait(false));

        // A restart the server announced (with the time it expects to take) is a floor on the first attempt.
        TimeSpan? floor = Interlocked.Exchange(ref _reconnectFloorMs, -1) is var floorMs and >= 0 ? TimeSpan.FromMilliseconds(floorMs) : null;
        return terminal
            ? new NextStep(null, cause, cause)
            : new NextStep(_backoff.FirstAfterDrop(floor), cause, null);
    }

    private void Fail(RunState run, Exception failure)
    {
        run.Failure = failure;
        Volatile.Read(ref _live).TrySetObservedException(new GatewayConnectionException("Cannot send: the client failed: " + failure.Message, innerException: failure));
        Volatile.Write(ref _live, NotRunning("the client failed"));
        Requests.FailAll(new GatewayConnectionException("The client failed before the answer arrived; the request's outcome is unknown.", innerException: failure));
        Interlocked.Exchange(ref _freshHandshakeResync, null)?.TrySetObservedException(failure);
        _state.Transition(_loopState, ConnectionState.Failed, failure);
        _loopState = ConnectionState.Failed;
        EndRun(failure);
        run.FirstHandshake.TrySetObservedException(failure);
    }

    /// <summary>The server asked for a reconnect (drain): close this connection and resume at once.</summary>
    private void OnDrainRequested(long? retryAfterMilliseconds)
    {
        Interlocked.Exchange(ref _drainDelayMs, Math.Max(0, retryAfterMilliseconds ?? 0));
        if (Volatile.Read(ref _connection) is { } connection)
        {
            _ = RetireAsync(connection, "draining");
        }
    }

    /// <summary>Closes a connection politely, then tears it down; the loop resumes on a new one.</summary>
    private static async Task RetireAsync(Connection connection, string reason)
    {
        await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason).ConfigureAwait(false);
        connection.Abort();
    }

    private async Task LeaveAsync(Connection connection, DateTimeOffset deadline)
    {
        try
        {
            using var leave = new PooledBufferWriter(32);
            if (!_dialect.WriteLeave(leave))
            {
                // No polite goodbye in this protocol: just close.
                await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
                return;
            }

            // Bounded by the close deadline: a gateway that stopped reading gets the connection aborted.
            await connection.SendAsync(leave.WrittenMemory, deadline, connection.Lifetime).ConfigureAwait(false);
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GatewayConnectionException or ConnectionNotOpenException or OperationCanceledException or TimeoutException)
        {
            // Already broken or closing: nothing polite left to say.
        }
    }

    /// <summary>Marks the end of the run in the stream: consumers get everything before it, then the end (or <paramref name="error"/>).</summary>
    private void EndRun(Exception? error) => Events.WriteEndOfRun(Run, error);

    private sealed class RunState
    {
        public CancellationTokenSource Stop { get; } = new();

        public TaskCompletionSource<bool> FirstHandshake { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Loop { get; set; } = Task.CompletedTask;

        public int Handshakes { get; set; }

        public Exception? Failure { get; set; }

        /// <summary>The loop outlived the disconnect's bound (stuck in app code): stopped, and no longer waited for.</summary>
        public bool Abandoned { get; set; }
    }

    private readonly record struct Attempt(Connection Connection, HandshakeResult Result, long? SentSince);

    private readonly record struct NextStep(TimeSpan? Delay, Exception? Cause, Exception? Failure);

    private sealed record Prefetched(string? Token);
}

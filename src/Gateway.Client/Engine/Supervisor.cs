using System.Diagnostics;
using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// The connection's lifetime: connect, disconnect, dispose, and the run loop between them. A run (from
/// <see cref="ConnectAsync"/> to disconnect or a terminal failure) is one loop: the
/// <see cref="AttemptRunner"/> makes a connection, its session is adopted and the stream resumes from the
/// cursor, the connection runs until it ends, and the runner says what follows. What the client is lives
/// in <see cref="ClientState"/>; connect and disconnect are serialised by a lifecycle lock that is never
/// held while app code runs, and every wait is bounded on the injected clock.
/// </summary>
internal sealed class Supervisor : IAsyncDisposable
{
    private static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(30);

    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ILogger _logger;
    private readonly ClientState _state;
    private readonly ClientCounters _counters;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly SequenceTracker _tracker = new();
    private readonly InboundPipeline _pipeline;
    private readonly AttemptRunner _attempts;
    private readonly byte[]? _ping;
    private RunState? _run;
    private int _runNumber;
    private TaskCompletionSource<ResyncResult>? _freshHandshakeResync;
    private int _disposed;

    public Supervisor(GatewayClientOptions options, IDialect dialect, ClientState state, ClientCounters counters, ILogger logger)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _counters = counters;
        _logger = logger;
        _ping = LivenessMonitor.BuildPing(dialect);
        _attempts = new AttemptRunner(options, dialect, counters.Telemetry, logger, (cause, attempt, delay, stop) => _state.Reconnecting(cause, attempt, delay, stop));
        Events = new EventBuffer(options.EventBufferCapacity, options.Backpressure, counters);
        Events.OverflowStarted += gap => Log.GapDetected(_logger, gap.Reason, gap.Expected, gap.Received);
        _pipeline = new InboundPipeline(_tracker, state.Requests, dialect, counters, logger, Events, OnDrainRequested, _attempts.ReconnectFloor);
        _pipeline.ReplayCompleted += through => Log.ReplayCompleted(_logger, through);
        Reader = new EventReader(Events, counters, logger, () => Run, _disposing.Token);
        if (options.ResumeCursor is { } cursor)
        {
            _tracker.Restore(cursor, options.ResumeEpoch);
            Reader.MarkDelivered(cursor);
        }
    }

    public IDialect Dialect => _dialect;

    public GatewaySession? Session => _state.Session;

    public PendingRequests Requests => _state.Requests;

    /// <summary>The event stream, for the client's lifetime.</summary>
    public EventBuffer Events { get; }

    /// <summary>The consumer's side of <see cref="Events"/>: the delivered cursor, the resync watermark, the gap handler.</summary>
    public EventReader Reader { get; }

    /// <summary>The current run: an end-of-run marker ends a consumer's enumeration only while its run is still the current one.</summary>
    public int Run => Volatile.Read(ref _runNumber);

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
                Interlocked.Increment(ref _runNumber);
                run = new RunState();
                _state.BeginRun();
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

    /// <summary>Sends one frame through the send gate (see <see cref="SendGate.SendAsync"/>).</summary>
    public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken) =>
        _state.Sends.SendAsync(utf8Frame, () => _state.Session?.Policy.MaxPayload, cancellationToken);

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
        else if (_state.Connection is { } connection)
        {
            _ = RetireAsync(connection, "resync");
        }

        var result = await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Reader.ApplyResync(result.Cursor);
        return result;
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
                _state.AcknowledgeFailure();
                return;
            }

            // Stop first, so the loop does not treat the close as a reason to reconnect.
            run.Stop.Cancel();
            if (_state.Connection is { } connection)
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

            FinishRun(run, failure: null);
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
            Events.WriteEndOfRun(Run, null);
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(_logger, ex);
        }
    }

    private async Task RunLoopAsync(RunState run)
    {
        // The first attempt joins the trace of whoever called ConnectAsync; reconnects, maybe hours
        // later, start traces of their own.
        _attempts.BeginRun(Activity.Current?.Context ?? default);
        Activity.Current = null;
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

                var attempt = await _attempts.ConnectAsync(() => TargetOf(run), stop).ConfigureAwait(false);
                var end = await RunConnectionAsync(run, attempt).ConfigureAwait(false);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                var next = await _attempts.DecideAfterAsync(end, Volatile.Read(ref _freshHandshakeResync) is not null, stop).ConfigureAwait(false);
                if (next.Failure is { } failure)
                {
                    FinishRun(run, failure);
                    return;
                }

                delayBeforeRound = next.Delay;
                _state.Reconnecting(next.Cause, attempt: 1, next.Delay, stop);
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
            FinishRun(run, ex);
        }
        finally
        {
            run.FirstHandshake.TrySetCanceled();
        }
    }

    /// <summary>Where the next handshake resumes: the session, from the last accepted number (a fresh handshake asks for none).</summary>
    private AttemptTarget TargetOf(RunState run)
    {
        var sessionId = _state.Session?.SessionId ?? _options.ResumeSessionId;
        var fresh = Volatile.Read(ref _freshHandshakeResync) is not null;
        return new AttemptTarget(sessionId, sessionId is null || fresh ? null : _tracker.Last, run.Handshakes > 0);
    }

    /// <summary>Adopts the handshake's session, enters Connected, and runs the connection until it ends.</summary>
    private async Task<ConnectionEnd> RunConnectionAsync(RunState run, Attempt attempt)
    {
        var (connection, result, sentSince) = attempt;
        var session = result.Session;
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
            Reader.MarkDelivered(_tracker.Last ?? 0);
        }

        if (gap is not null)
        {
            // In stream order: after everything from the previous connection, before anything replayed.
            _pipeline.ReportGap(gap, _tracker.Last ?? 0);
        }

        _pipeline.BeginConnection(session.ServerCursor);

        // Connected before the receive loop starts, so a connection that dies at once is seen leaving Connected.
        if (!_state.TryAdopt(connection, session, decision.Report, run.Stop.Token))
        {
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            return new ConnectionEnd(ConnectionEndKind.ClosedByClient);
        }

        run.FirstHandshake.TrySetResult(true);
        if (sentSince is null && Interlocked.Exchange(ref _freshHandshakeResync, null) is { } resync)
        {
            resync.TrySetResult(new ResyncResult(session.ServerCursor, session.Epoch, session.Snapshot));
        }

        ConnectionEnd end;
        using (new LivenessMonitor(connection, _options.HeartbeatInterval ?? session.Policy.HeartbeatInterval ?? DefaultHeartbeat, _ping, _options.TimeProvider))
        {
            end = await connection.RunAsync(_pipeline, result.FramesAfterHandshake).ConfigureAwait(false);
        }

        // The send gate closes before anything else learns of the end, so no send picks the dead connection again.
        _state.ConnectionEnded(new GatewayConnectionException(
            "The connection ended before the answer arrived; the request's outcome is unknown.", end.CloseStatus, end.CloseDescription, end.Error));
        if (end.Kind == ConnectionEndKind.MessageTooLarge)
        {
            Log.MessageTooLarge(_logger, _options.MaxReceiveMessageBytes);
        }

        Log.ConnectionEnded(_logger, end.ToString());
        await connection.DisposeAsync().ConfigureAwait(false);
        return end;
    }

    /// <summary>
    /// The one place a run ends: failed (<paramref name="failure"/>), or disconnected. Sends, requests and
    /// a pending resync fail; the state comes to rest; consumers get everything buffered, then the end of
    /// the run (or its failure).
    /// </summary>
    private void FinishRun(RunState run, Exception? failure)
    {
        if (failure is not null)
        {
            // The connect that waits learns of the failure before anyone can see the state say Failed.
            run.Failure = failure;
            run.FirstHandshake.TrySetObservedException(failure);
        }

        var ended = failure is null ? "disconnected" : "failed";
        _state.EndRun(
            failure,
            new GatewayConnectionException(failure is null ? "Cannot send: the client disconnected." : "Cannot send: the client failed: " + failure.Message, innerException: failure),
            new GatewayConnectionException($"The client {ended} before the answer arrived; the request's outcome is unknown.", innerException: failure));
        Interlocked.Exchange(ref _freshHandshakeResync, null)?.TrySetObservedException(failure ?? new GatewayConnectionException("The client disconnected."));

        // After a failure its own end (with the cause) is already in the stream: a later disconnect adds none.
        if (failure is not null || run.Failure is null)
        {
            Events.WriteEndOfRun(Run, failure);
        }
    }

    /// <summary>The server asked for a reconnect (drain): close this connection and resume after its delay.</summary>
    private void OnDrainRequested(long? retryAfterMilliseconds)
    {
        _attempts.DrainRequested(retryAfterMilliseconds);
        if (_state.Connection is { } connection)
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
}

using System.Diagnostics;
using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;
using Polly;

namespace Gateway.Client.Engine;

/// <summary>
/// The connection's lifetime: connect, disconnect, dispose, and the run loop between them. A run (from
/// <see cref="ConnectAsync"/> to disconnect or a terminal failure) is one loop, the <see cref="ReconnectLoop"/>'s
/// Polly pipeline: a round is an attempt (<see cref="AttemptRunner"/>) and, when it succeeds, the connection
/// (<see cref="ConnectionDriver"/>: its session adopted, the stream resumed from the cursor) until it ends; the
/// loop's one decider says what follows. What the client is lives
/// in <see cref="ClientState"/>; connect and disconnect are serialised by a lifecycle lock that is never
/// held while app code runs, and every wait is bounded on the injected clock.
/// </summary>
internal sealed class Supervisor : IAsyncDisposable
{
    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ILogger _logger;
    private readonly ClientState _state;
    private readonly ClientCounters _counters;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly InboundPipeline _pipeline;
    private readonly AttemptRunner _attempts;
    private readonly ReconnectLoop _reconnect;
    private readonly CallbackDispatcher _callbacks;
    private RequestSender? _requests;
    private StreamResync? _resync;
    private readonly ConnectionDriver _driver;
    private RunState? _run;
    private int _runNumber = 1; // from 1, not 0: an end-of-run marker is a positive run number, and dispose before any connect ends "run 1"
    private readonly FreshHandshakeResync _freshHandshakeResync = new();
    private readonly SessionSwitch _sessionSwitch = new();
    private int _disposed;
    private int _connectCalled;

    public Supervisor(GatewayClientOptions options, IDialect dialect, ClientState state, ClientCounters counters, ILogger logger, CallbackDispatcher callbacks, ClientJson json, Func<CancellationToken, Task>? callbacksDrained = null)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _counters = counters;
        _logger = logger;
        var numbers = new ServerNumbers(logger, counters);
        var tokens = new AttemptTokens(options.TokenProvider, logger);
        _attempts = new AttemptRunner(options, dialect, counters, numbers, tokens, logger);
        _reconnect = new ReconnectLoop(options, dialect, tokens, state, logger);
        Events = new EventBuffer(options.EventBufferCapacity, options.Backpressure, counters);
        Events.OverflowStarted += gap => Log.GapDetected(_logger, gap.Reason, gap.Expected, gap.Received);
        _pipeline = new InboundPipeline(new SequenceTracker(), dialect, counters, logger, Events, numbers, json);
        _pipeline.ReplayCompleted += through => Log.ReplayCompleted(_logger, through);
        Reader = new EventReader(Events, counters, logger, () => Run, _disposing.Token, callbacksDrained);
        if (options.ResumeFrom is { } resumeFrom)
        {
            _pipeline.Restore(resumeFrom.Sequence, resumeFrom.Epoch);
            Reader.MarkDelivered(resumeFrom.Sequence);
        }

        Turns = new TurnRouter(dialect.CreateTurnDriver(), options.TimeProvider, logger);
        _pipeline.Turns = Turns;
        Events.DropWhile = Turns.HasUnfinishedTurns; // a reader behind on the main stream never holds up a turn
        Turns.TurnsStarted += Events.WakeWriter;
        _driver = new ConnectionDriver(options, dialect, state, counters, logger, _pipeline, Reader, _freshHandshakeResync, _sessionSwitch, Turns);
        _callbacks = callbacks;
    }

    /// <summary>Requests, at most once (made on the first: many clients only read events).</summary>
    /// <remarks>The field is read first because the factory captures <c>this</c>: a delegate is made only on the first call.</remarks>
    public RequestSender Requests => Volatile.Read(ref _requests) ?? LazyInitializer.EnsureInitialized(ref _requests, () => new RequestSender(_options, _dialect, _state, _callbacks, _logger))!;

    /// <summary>Re-basing the stream on the server's state (made on the first resync).</summary>
    public StreamResync Resync => Volatile.Read(ref _resync) ?? LazyInitializer.EnsureInitialized(ref _resync, () => new StreamResync(_options, _dialect, _state, Requests, _pipeline, Reader, _freshHandshakeResync))!;

    public IDialect Dialect => _dialect;

    /// <summary>The agent turns in flight.</summary>
    public TurnRouter Turns { get; }

    /// <summary>The connection frames are written on now (null between connections).</summary>
    public LiveConnection? LiveConnection => _state.Live;

    /// <summary>
    /// Leaves session <paramref name="leaving"/> for a new one (<see cref="GatewayTurnOptions.NewSessionWhenStuck"/>): the
    /// connection is retired, the next handshake asks for no session, and the new session is returned once adopted. A
    /// client already in another session returns at once.
    /// </summary>
    public async Task<GatewaySession> SwitchSessionAsync(string leaving, string reason, CancellationToken cancellationToken)
    {
        if (_state.Session is { } current && !string.Equals(current.SessionId, leaving, StringComparison.Ordinal) && _state.Live is not null)
        {
            return current;
        }

        var switched = _sessionSwitch.Join(leaving, reason, out var started);
        if (started)
        {
            Log.SessionAbandoned(_logger, leaving, reason);
            if (_state.Live is { } live)
            {
                _ = PoliteClose.RetireAsync(live.Socket, "new session");
            }
        }

        return await switched.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public GatewaySession? Session => _state.Session;

    /// <summary>What the latest session supports: the dialect's verbs, and what the session negotiated.</summary>
    public GatewayCapabilities Capabilities => _state.Session is not { } session
        ? GatewayCapabilities.None
        : new GatewayCapabilities(
            requests: _dialect.WhyNoRequests(session) is null,
            idempotencyKeys: _dialect.WhyNoIdempotencyKey is null,
            chatTurns: DialectCatalog.For(_options.Dialect).WithoutChatVerbs is null,
            resync: _dialect is IResync,
            resumesStream: _dialect.ResumesStream);

    /// <summary>The event stream, for the client's lifetime.</summary>
    public EventBuffer Events { get; }

    /// <summary>The consumer's side of <see cref="Events"/>: the delivered cursor, the resync watermark, the gap handler.</summary>
    public EventReader Reader { get; }

    /// <summary>The current run: an end-of-run marker ends a consumer's enumeration only while its run is still the current one.</summary>
    public int Run => Volatile.Read(ref _runNumber);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _connectCalled, 1); // at the call, before any wait: a read started next is then allowed
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
        catch (Exception) when (run.FirstHandshake.Task.IsFaulted)
        {
            // The run failed (perhaps just as the caller gave up: the failure is the truth, and it says why). The
            // failure is set a moment before the Failed state is posted: wait for that (synchronous code on the run
            // loop, bounded by CloseTimeout all the same), so the caller's callback drain includes it.
            await TimeProviderDelay.WaitUntilAsync(run.Ended.Task, _options.TimeProvider, TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout), CancellationToken.None).ConfigureAwait(false);
            await run.FirstHandshake.Task.ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException cancelled) when (linked.IsCancellationRequested && !run.FirstHandshake.Task.IsCompleted)
        {
            // The caller gave up connecting: stop trying, and say why the attempts so far failed.
            var lastFailure = _attempts.LastFailure;
            await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
            if (lastFailure is null)
            {
                throw;
            }

            throw new OperationCanceledException($"Connecting was cancelled; the last attempt failed: {lastFailure.Message}", lastFailure, cancelled.CancellationToken);
        }
    }

    /// <summary>
    /// A read before <see cref="ConnectAsync"/> was ever called on this client would wait for ever: nothing can arrive.
    /// Once it was called (even if it is still running, or failed, or a disconnect followed), reading is allowed: the
    /// stream then delivers what was buffered and ends, fails or reads on into a later run.
    /// </summary>
    public void ThrowIfNeverConnected(string reader)
    {
        if (Volatile.Read(ref _connectCalled) == 0)
        {
            throw new InvalidOperationException(
                $"{reader} was called before ConnectAsync: no event can arrive on a client that was never connected. Call ConnectAsync first " +
                "(the read may start while it runs; with the DI package, AddHostedConnection calls it when the host starts).");
        }
    }

    /// <summary>Sends one frame through the send gate (see <see cref="SendGate.SendAsync"/>).</summary>
    public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken) =>
        _state.Sends.SendAsync(utf8Frame, cancellationToken);

    /// <summary>
    /// Writes a turn's frame once, as a request is written (<see cref="SendGate.WriteAsync"/>): <paramref name="claim"/>
    /// learns the connection just before the write, and a write that failed part-way says its outcome is unknown.
    /// </summary>
    public Task<LiveConnection> WriteTurnAsync(ReadOnlyMemory<byte> utf8Frame, IWriteClaim claim, CancellationToken cancellationToken) =>
        _state.Sends.WriteAsync(utf8Frame, _state.Sends.SendDeadline(), claim, cancellationToken);

    /// <summary>Ends the run: leaves politely, then waits for the run loop, all within <see cref="GatewayClientOptions.CloseTimeout"/>.</summary>
    public Task DisconnectAsync(CancellationToken cancellationToken) =>
        DisconnectAsync(TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout), cancellationToken);

    /// <summary>Ends the run: leaves politely, then waits for the run loop, all by <paramref name="deadline"/>.</summary>
    public async Task DisconnectAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
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
            if (_state.Live?.Socket is { } connection)
            {
                // A receive loop waiting for a slow consumer could not read the server's close answer.
                connection.StopDelivering();
                await PoliteClose.LeaveAsync(connection, _dialect, deadline).ConfigureAwait(false);
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
                Log.RunLoopAbandoned(_logger, Log.Milliseconds(_options.CloseTimeout));
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
            // Stop a connect in progress first, so disposal does not wait for a handshake; the app's callbacks
            // hear of it through their token, so one waiting on its own work can stop.
            _disposing.Cancel();
            _callbacks.Stop();
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
        var context = ResilienceContextPool.Shared.Get(stop);
        try
        {
            // One Polly pipeline is the loop: each round is an attempt and the connection it makes, until it ends.
            var outcome = await _reconnect.RunAsync(
                static (s, ct) => s.Self._driver.RoundAsync(s.Run, s.Self._attempts, s.Self._reconnect.NextAttempt, ct),
                (Self: this, Run: run),
                context).ConfigureAwait(false);
            if (_reconnect.FailureOf(outcome, stop) is { } failure)
            {
                FinishRun(run, failure); // a connection's end that may not be resumed
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
            // A terminal attempt failure, or the attempts ran out. Only typed errors leave the client: anything
            // else (a throwing ConfigureWebSocket callback, a bug) is wrapped, with the original inside.
            if (IsExpectedRefusal(ex))
            {
                // A wrong token, no common version, an untrusted certificate: said once, plainly, without a stack trace.
                Log.ConnectRefused(_logger, ex.Message);
            }
            else
            {
                Log.ConnectFailed(_logger, ex);
            }

            FinishRun(run, ex is GatewayException ? ex : new GatewayException($"The connection failed: {ex.GetType().Name}: {ex.Message}", ex));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            run.FirstHandshake.TrySetCanceled();
        }
    }

    /// <summary>A refusal the server (or the certificate policy) gave on purpose, as opposed to a fault: logged without a trace.</summary>
    private static bool IsExpectedRefusal(Exception error) =>
        error is GatewayHandshakeException or GatewayTlsException or GatewayConnectionException { HttpStatusCode: not null };

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
            new GatewayConnectionException($"The client {ended} before the answer arrived; the request's outcome is unknown.", innerException: failure) { OutcomeUnknown = true });
        _freshHandshakeResync.Fail(failure ?? new GatewayConnectionException("The client disconnected."));
        _sessionSwitch.Fail(failure ?? new GatewayConnectionException("The client disconnected before a new session was adopted."));
        Turns.RunEnded(failure);

        // After a failure its own end (with the cause) is already in the stream: a later disconnect adds none.
        if (failure is not null || run.Failure is null)
        {
            Events.WriteEndOfRun(Run, failure);
        }

        run.Ended.TrySetResult(true);
    }
}

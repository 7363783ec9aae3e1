using Gateway.Client.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Sessions;

/// <summary>
/// Runs a set of gateway sessions over every running instance of an app: each instance claims sessions through leases in
/// an <see cref="ISessionStore"/>, renews them, and balances to a fair share (one claim per cycle, a free session first,
/// else one taken from the most loaded instance; the sessions of an instance that stopped or died all in one cycle). Each owned session gets its own <see cref="GatewayClient"/>, resumed
/// from the session's last checkpoint, and its events go to <see cref="EventHandler"/> one at a time. Checkpoints carry
/// the lease's fencing token, so the store refuses one from an instance that lost the session. A graceful
/// <see cref="StopAsync"/> flushes the last checkpoints, runs the closing handlers, and only then releases every lease at
/// once, so other instances take over within one balancing cycle. See docs/processor.md.
/// </summary>
public sealed class GatewaySessionProcessor : IAsyncDisposable
{
    private readonly Dictionary<string, GatewaySessionDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProcessorSession> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Failures, DateTimeOffset Until)> _backoff = new(StringComparer.Ordinal);
    private readonly ProcessorInstruments _instruments = ProcessorInstruments.Shared;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private OwnershipCycle? _cycle;
    private CancellationTokenSource? _stopping;
    private Func<GatewaySessionEventArgs, Task>? _eventHandler;
    private Func<GatewaySessionInitializingEventArgs, Task>? _initializingHandler;
    private Func<GatewaySessionClosingEventArgs, Task>? _closingHandler;
    private Func<GatewaySessionErrorEventArgs, Task>? _errorHandler;
    private readonly object _errorGate = new();
    private Task _errors = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Creates a processor; it does nothing until <see cref="StartAsync"/>.</summary>
    /// <param name="store">Where the leases and checkpoints live; every instance of the app must use the same one.</param>
    /// <param name="sessions">The sessions to run, the same set on every instance; keys must be unique.</param>
    /// <param name="options">The settings (copied; validated here); null: the defaults.</param>
    /// <param name="loggerFactory">For the processor's and the sessions' clients' logs; null: none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="sessions"/> is null, or holds null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessions"/> is empty or repeats a key.</exception>
    /// <exception cref="InvalidOperationException">The options do not fit together (<see cref="GatewaySessionProcessorOptions.Validate"/>).</exception>
    public GatewaySessionProcessor(ISessionStore store, IEnumerable<GatewaySessionDefinition> sessions, GatewaySessionProcessorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        Store = Guard.NotNull(store);
        foreach (var definition in Guard.NotNull(sessions))
        {
            if (definition is null)
            {
                throw new ArgumentNullException(nameof(sessions), "A session definition is null.");
            }

            if (_definitions.ContainsKey(definition.Key))
            {
                throw new ArgumentException($"The session key '{definition.Key}' is defined twice.", nameof(sessions));
            }

            _definitions.Add(definition.Key, definition);
        }

        if (_definitions.Count == 0)
        {
            throw new ArgumentException("At least one session definition is needed.", nameof(sessions));
        }

        Options = (options ?? new GatewaySessionProcessorOptions()).Clone();
        Options.Validate();
        LoggerFactory = loggerFactory;
        Logger = (ILogger?)loggerFactory?.CreateLogger<GatewaySessionProcessor>() ?? NullLogger.Instance;
    }

    /// <summary>This instance's owner id in the store's leases (<see cref="GatewaySessionProcessorOptions.OwnerId"/>).</summary>
    public string OwnerId => Options.OwnerId;

    /// <summary>Whether the processor runs (between <see cref="StartAsync"/> and <see cref="StopAsync"/>).</summary>
    public bool IsRunning => Volatile.Read(ref _cycle) is not null;

    /// <summary>The keys of the sessions this instance owns now.</summary>
    public IReadOnlyCollection<string> OwnedSessions => Volatile.Read(ref _cycle)?.Owned ?? Array.Empty<string>();

    /// <summary>The keys of every session the processor runs over its instances.</summary>
    public IReadOnlyCollection<string> SessionKeys => _definitions.Keys;

    /// <summary>
    /// Called for each event of an owned session, one at a time per session (sessions run side by side). Required before
    /// <see cref="StartAsync"/>. Its <see cref="GatewaySessionEventArgs.CancellationToken"/> fires when the lease is lost.
    /// An exception it throws is reported to <see cref="ErrorHandler"/> (operation <c>event</c>) and the next event
    /// follows: whether to checkpoint past a failed event is the handler's decision.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set while the processor runs.</exception>
    public Func<GatewaySessionEventArgs, Task>? EventHandler
    {
        get => _eventHandler;
        set => _eventHandler = WhileStopped(value);
    }

    /// <summary>Called when a session without a checkpoint starts: sets where it starts (by default, from the beginning). Optional.</summary>
    /// <exception cref="InvalidOperationException">Set while the processor runs.</exception>
    public Func<GatewaySessionInitializingEventArgs, Task>? InitializingHandler
    {
        get => _initializingHandler;
        set => _initializingHandler = WhileStopped(value);
    }

    /// <summary>
    /// Called once for each session this instance stops running, with the reason; the lease is released only after it
    /// finishes (or after <see cref="GatewaySessionProcessorOptions.ClosingTimeout"/>). Optional.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set while the processor runs.</exception>
    public Func<GatewaySessionClosingEventArgs, Task>? ClosingHandler
    {
        get => _closingHandler;
        set => _closingHandler = WhileStopped(value);
    }

    /// <summary>
    /// Called for each failure the processor survives (the store, a handler, a session's client), one call at a time in
    /// the order of the failures; each one is also logged and counted. Awaited at most <see cref="GatewaySessionProcessorOptions.ClosingTimeout"/>; an exception it throws is
    /// logged. Optional.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set while the processor runs.</exception>
    public Func<GatewaySessionErrorEventArgs, Task>? ErrorHandler
    {
        get => _errorHandler;
        set => _errorHandler = WhileStopped(value);
    }

    internal GatewaySessionProcessorOptions Options { get; }

    internal ISessionStore Store { get; }

    internal ILoggerFactory? LoggerFactory { get; }

    internal ILogger Logger { get; }

    /// <summary>The owner tag every processor measurement carries.</summary>
    private KeyValuePair<string, object?> Owner => new("gateway.processor.owner", OwnerId);

    /// <summary>
    /// Starts balancing: the first cycle runs at once, then every <see cref="GatewaySessionProcessorOptions.BalanceInterval"/>,
    /// and owned leases are renewed every <see cref="GatewaySessionProcessorOptions.RenewInterval"/>. Returns once started;
    /// sessions are claimed in the background, one per cycle (those handed over by a stopped or dead instance all in one). Calling it while running does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="EventHandler"/> is not set.</exception>
    /// <exception cref="ObjectDisposedException">The processor was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
#if NET8_0_OR_GREATER
            ObjectDisposedException.ThrowIf(_disposed, this);
#else
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(GatewaySessionProcessor));
            }
#endif
            if (_cycle is not null)
            {
                return;
            }

            if (_eventHandler is null)
            {
                throw new InvalidOperationException("Set EventHandler before starting the session processor.");
            }

            _stopping = new CancellationTokenSource();
            var cycle = new OwnershipCycle(Store, _definitions.Keys.ToArray(), OwnerId, Options.LeaseDuration, Options.TimeProvider, new Runner(this), closingTimeout: Options.ClosingTimeout, claimsPerCycle: Options.ClaimsPerCycle)
            {
                OnError = (key, operation, ex) => Report(key, operation, ex),
                OnClaimed = OnClaimed,
                OnLost = OnLost,
                CanClaim = CanClaim,
            };
            _instruments.AddLagSource(this, OwnerId, CheckpointLag);
            Volatile.Write(ref _cycle, cycle);
            ProcessorLog.Started(Logger, OwnerId, _definitions.Count);
            cycle.Start(Options.RenewInterval, Options.BalanceInterval);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops gracefully: stops claiming, stops every session at once (each finishes the event in hand, writes its last
    /// checkpoint and runs its closing handler with <see cref="SessionCloseReason.Shutdown"/>), and releases each lease
    /// right after its closing handler, so other instances claim them in their next cycle. Each session is waited for at
    /// most <see cref="GatewaySessionProcessorOptions.ClosingTimeout"/>. Calling it while stopped does nothing.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: the sessions not
    /// yet closed keep their leases until they lapse.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cycle = _cycle;
            if (cycle is null)
            {
                return;
            }

            try
            {
                await cycle.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _stopping?.Cancel(); // not disposed: a late Report may still read its token (it holds no timer)
                _stopping = null;
                _instruments.RemoveLagSource(this);
                Volatile.Write(ref _cycle, null);
                ProcessorLog.Stopped(Logger, OwnerId);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops gracefully (<see cref="StopAsync"/>) and frees the processor.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true; // under the lock: a start waiting for it sees the processor disposed
        }
        finally
        {
            _lifecycle.Release();
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Reports a failure the processor survives: logged, counted when the store failed, and handed to the error handler.</summary>
    internal void Report(string? sessionKey, string operation, Exception exception)
    {
        if (sessionKey is null)
        {
            ProcessorLog.CycleFailed(Logger, operation, exception);
        }
        else
        {
            ProcessorLog.OperationFailed(Logger, operation, sessionKey, exception);
        }

        if (exception is SessionStoreException)
        {
            _instruments.StoreFailures.Add(1, Owner, new KeyValuePair<string, object?>("gateway.processor.operation", operation));
        }

        if (_errorHandler is { } handler)
        {
            var args = new GatewaySessionErrorEventArgs(sessionKey, operation, exception, _stopping?.Token ?? CancellationToken.None);
            lock (_errorGate)
            {
                // one call at a time, in the order the failures happened; never on the failing caller's thread
                _errors = _errors.ContinueWith(_ => InvokeErrorHandlerAsync(handler, args), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        }
    }

    /// <summary>A session that failed on its own (not stopped, not lost): given back, and not claimed here again for a while.</summary>
    internal void SessionFailed(ProcessorSession session, LeaseKeeper keeper)
    {
        TimeSpan backoff;
        lock (_backoff)
        {
            var failures = session.HandledAnEvent ? 1 : (_backoff.TryGetValue(session.Key, out var last) ? last.Failures + 1 : 1);
            backoff = Backoff(failures);
            _backoff[session.Key] = (failures, Options.TimeProvider.GetUtcNow() + backoff);
        }

        ProcessorLog.SessionFailed(Logger, session.Key, backoff);
        var cycle = Volatile.Read(ref _cycle);
        if (cycle is not null)
        {
            _ = cycle.GiveBackAsync(keeper, CancellationToken.None);
        }
    }

    /// <summary>
    /// The back-off after a session's n-th failure in a row here: two balance intervals (so the next cycle leaves it to
    /// the other instances), doubling, at most five minutes.
    /// </summary>
    private TimeSpan Backoff(int failures)
    {
        var ceiling = TimeSpan.FromMinutes(5);
        var ticks = Options.BalanceInterval.Ticks * 2;
        for (var i = 1; i < failures && ticks < ceiling.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, ceiling.Ticks));
    }

    private bool CanClaim(string sessionKey)
    {
        lock (_backoff)
        {
            return !_backoff.TryGetValue(sessionKey, out var entry) || entry.Until <= Options.TimeProvider.GetUtcNow();
        }
    }

    private void OnClaimed(BalanceDecision decision, SessionLease lease)
    {
        var steal = decision.Action == BalanceAction.Steal;
        _instruments.Claims.Add(1, Owner, new KeyValuePair<string, object?>("gateway.processor.claim.kind", steal ? "steal" : "free"));
        if (steal)
        {
            _instruments.Steals.Add(1, Owner);
        }

        ProcessorLog.Claimed(Logger, lease.SessionKey, steal ? "steal" : "free", steal ? " from " + decision.FromOwner : string.Empty, lease.Token);
    }

    private void OnLost(LeaseKeeper keeper)
    {
        var reason = keeper.LostReason switch
        {
            LeaseLossReason.RenewalRefused => "renewal_refused",
            LeaseLossReason.Expired => "expired",
            LeaseLossReason.CheckpointRefused => "checkpoint_refused",
            _ => "released",
        };
        _instruments.LeasesLost.Add(1, Owner, new KeyValuePair<string, object?>("gateway.processor.loss.reason", reason));
        ProcessorLog.LeaseLost(Logger, keeper.SessionKey, reason);
    }

    private long CheckpointLag()
    {
        lock (_running)
        {
            return _running.Values.Sum(s => s.CheckpointLag);
        }
    }

    private async Task InvokeErrorHandlerAsync(Func<GatewaySessionErrorEventArgs, Task> handler, GatewaySessionErrorEventArgs args)
    {
        try
        {
            var call = Task.Run(() => handler(args));
            if (!await TimeProviderDelay.WaitUntilAsync(call, Options.TimeProvider, TimeProviderDelay.DeadlineAfter(Options.TimeProvider, Options.ClosingTimeout), CancellationToken.None).ConfigureAwait(false))
            {
                throw new TimeoutException($"The error handler did not finish within {Options.ClosingTimeout}.");
            }

            await call.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ProcessorLog.ErrorHandlerFailed(Logger, args.Operation, args.SessionKey, ex);
        }
    }

    private T WhileStopped<T>(T value) =>
        Volatile.Read(ref _cycle) is null ? value : throw new InvalidOperationException("Handlers cannot change while the session processor runs; stop it first.");

    /// <summary>Runs the owned sessions for the ownership cycle.</summary>
    private sealed class Runner : ISessionRunner
    {
        private readonly GatewaySessionProcessor _processor;

        public Runner(GatewaySessionProcessor processor) => _processor = processor;

        public Task StartAsync(LeaseKeeper keeper, CancellationToken cancellationToken)
        {
            var session = new ProcessorSession(_processor, _processor._definitions[keeper.SessionKey], keeper);
            lock (_processor._running)
            {
                _processor._running[keeper.SessionKey] = session;
            }

            _processor._instruments.Owned.Add(1, _processor.Owner);
            session.Start(); // returns at once: reading the checkpoint and connecting never hold up the cycle
            return Task.CompletedTask;
        }

        public async Task CloseAsync(LeaseKeeper keeper, SessionCloseReason reason, CancellationToken cancellationToken)
        {
            ProcessorSession? session;
            lock (_processor._running)
            {
                if (_processor._running.TryGetValue(keeper.SessionKey, out session) && session.Lost == keeper.Lost)
                {
                    _processor._running.Remove(keeper.SessionKey);
                }
                else
                {
                    session = null;
                }
            }

            if (session is null)
            {
                return;
            }

            _processor._instruments.Owned.Add(-1, _processor.Owner);
            await session.CloseAsync(reason, cancellationToken).ConfigureAwait(false);
        }
    }
}

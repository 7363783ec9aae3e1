namespace Gateway.Client.Sessions;

/// <summary>
/// What the processor runs on an owned session. <see cref="StartAsync"/> starts it (and returns once started);
/// <see cref="CloseAsync"/> stops it and completes only when its closing handler has finished, because the lease is
/// released right after.
/// </summary>
internal interface ISessionRunner
{
    /// <summary>Starts the session on <paramref name="keeper"/>'s lease; its handlers get <see cref="LeaseKeeper.Lost"/>.</summary>
    Task StartAsync(LeaseKeeper keeper, CancellationToken cancellationToken);

    /// <summary>Stops the session (flushing the last checkpoint on <see cref="SessionCloseReason.Shutdown"/>) and runs its closing handler.</summary>
    Task CloseAsync(LeaseKeeper keeper, SessionCloseReason reason, CancellationToken cancellationToken);
}

/// <summary>
/// The ownership side of the processor, clock-driven and without a gateway: one <see cref="RunCycleAsync"/> renews the
/// owned leases, closes the sessions whose lease was lost, lists the leases, and claims at most one session
/// (<see cref="SessionBalancer"/>); <see cref="StopAsync"/> closes every session, then releases every lease at once.
/// Calls are serialized; the caller drives the cycle on its clock.
/// </summary>
internal sealed class OwnershipCycle
{
    private readonly ISessionStore _store;
    private readonly IReadOnlyCollection<string> _sessionKeys;
    private readonly string _ownerId;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeProvider _time;
    private readonly ISessionRunner _runner;
    private readonly Random _random;
    private readonly SemaphoreSlim _serial = new(1, 1);
    private readonly Dictionary<string, LeaseKeeper> _owned = new(StringComparer.Ordinal);
    private readonly TimeSpan _closingTimeout;
    private bool _stopped;
    private ITimer? _balanceTimer;
    private ITimer? _renewTimer;
    private int _balancing;
    private int _renewing;

    public OwnershipCycle(ISessionStore store, IReadOnlyCollection<string> sessionKeys, string ownerId, TimeSpan leaseDuration, TimeProvider time, ISessionRunner runner, Random? random = null, TimeSpan? closingTimeout = null)
    {
        _closingTimeout = closingTimeout ?? Timeout.InfiniteTimeSpan;
        _store = store;
        _sessionKeys = sessionKeys;
        _ownerId = ownerId;
        _leaseDuration = leaseDuration;
        _time = time;
        _runner = runner;
        _random = random ?? new Random();
    }

    /// <summary>Reports a failure that does not stop the cycle (a renewal, a release, a close); the session key or null.</summary>
    public Action<string?, string, Exception>? OnError { get; set; }

    /// <summary>The sessions this owner runs now.</summary>
    public IReadOnlyCollection<string> Owned
    {
        get
        {
            lock (_owned)
            {
                return _owned.Keys.ToArray();
            }
        }
    }

    /// <summary>
    /// Drives itself on the clock: a balancing cycle at once and every <paramref name="balanceInterval"/>, renewals every
    /// <paramref name="renewInterval"/>. A tick that comes while the previous one of its kind still runs is skipped; a
    /// failing tick is reported through <see cref="OnError"/> (operation "balance" or "renew") and the next one runs anyway.
    /// </summary>
    public void Start(TimeSpan renewInterval, TimeSpan balanceInterval)
    {
        _renewTimer = _time.CreateTimer(static state => ((OwnershipCycle)state!).Tick(renew: true), this, renewInterval, renewInterval);
        _balanceTimer = _time.CreateTimer(static state => ((OwnershipCycle)state!).Tick(renew: false), this, TimeSpan.Zero, balanceInterval);
    }

    /// <summary>Renews every owned lease and closes the sessions whose lease was lost (without releasing them).</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RenewAndReapAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>One balancing cycle: renew, close what was lost, list, claim at most one session. Returns what it decided.</summary>
    public async Task<BalanceDecision> RunCycleAsync(CancellationToken cancellationToken)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return BalanceDecision.None;
            }

            await RenewAndReapAsync(cancellationToken).ConfigureAwait(false);
            var leases = await _store.ListLeasesAsync(cancellationToken).ConfigureAwait(false);
            var decision = SessionBalancer.Decide(_ownerId, _sessionKeys, leases, _time.GetUtcNow(), _random);
            if (decision.Action == BalanceAction.None)
            {
                return decision;
            }

            var sentAt = _time.GetUtcNow();
            var lease = await _store.TryClaimAsync(decision.SessionKey!, _ownerId, _leaseDuration, decision.Observed, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                return BalanceDecision.None; // lost a race with another owner: not an error
            }

            var keeper = new LeaseKeeper(_store, lease, sentAt, _leaseDuration, _time);
            lock (_owned)
            {
                _owned[lease.SessionKey] = keeper;
            }

            if (_renewTimer is not null)
            {
                // driven on the clock: a lost lease closes its session at once, not at the next renew tick
                keeper.Lost.Register(static state => ((OwnershipCycle)state!).Tick(renew: true), this);
            }

            try
            {
                await _runner.StartAsync(keeper, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // a session that cannot start is given back at once, so another owner (or a later cycle) can try
                OnError?.Invoke(keeper.SessionKey, "start", ex);
                lock (_owned)
                {
                    _owned.Remove(keeper.SessionKey);
                }

                await ReleaseAsync(keeper, cancellationToken).ConfigureAwait(false);
                keeper.Dispose();
                return BalanceDecision.None;
            }

            return decision;
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>
    /// Graceful stop: closes every session at once (<see cref="SessionCloseReason.Shutdown"/>, or
    /// <see cref="SessionCloseReason.OwnershipLost"/> for one already lost), and only after each one's closing handler
    /// has finished releases its lease; all releases run at once, so other owners claim in their next cycle.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _balanceTimer?.Dispose();
        _renewTimer?.Dispose();
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _stopped = true;
            LeaseKeeper[] keepers;
            lock (_owned)
            {
                keepers = _owned.Values.ToArray();
                _owned.Clear();
            }

            await Task.WhenAll(keepers.Select(k => CloseAndReleaseAsync(k, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    private void Tick(bool renew) => _ = TickAsync(renew);

    private async Task TickAsync(bool renew)
    {
        if (Interlocked.Exchange(ref renew ? ref _renewing : ref _balancing, 1) == 1)
        {
            return;
        }

        try
        {
            if (renew)
            {
                await RenewAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await RunCycleAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            OnError?.Invoke(null, renew ? "renew" : "balance", ex);
        }
        finally
        {
            Volatile.Write(ref renew ? ref _renewing : ref _balancing, 0);
        }
    }

    private async Task CloseAndReleaseAsync(LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        var lost = keeper.IsLost;
        await CloseAsync(keeper, lost ? SessionCloseReason.OwnershipLost : SessionCloseReason.Shutdown, cancellationToken).ConfigureAwait(false);
        if (!keeper.IsLost)
        {
            await ReleaseAsync(keeper, cancellationToken).ConfigureAwait(false);
        }

        keeper.Dispose();
    }

    private async Task ReleaseAsync(LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        try
        {
            await keeper.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            OnError?.Invoke(keeper.SessionKey, "release", ex);
        }
    }

    private async Task RenewAndReapAsync(CancellationToken cancellationToken)
    {
        LeaseKeeper[] keepers;
        lock (_owned)
        {
            keepers = _owned.Values.ToArray();
        }

        await Task.WhenAll(keepers.Select(k => RenewOneAsync(k, cancellationToken))).ConfigureAwait(false);
        var lost = keepers.Where(k => k.IsLost).ToArray();
        lock (_owned)
        {
            foreach (var keeper in lost)
            {
                _owned.Remove(keeper.SessionKey);
            }
        }

        await Task.WhenAll(lost.Select(async k =>
        {
            await CloseAsync(k, SessionCloseReason.OwnershipLost, cancellationToken).ConfigureAwait(false);
            k.Dispose();
        })).ConfigureAwait(false);
    }

    private async Task RenewOneAsync(LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        try
        {
            await keeper.RenewAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            OnError?.Invoke(keeper.SessionKey, "renew", ex); // the deadline still fires the lost token
        }
    }

    private async Task CloseAsync(LeaseKeeper keeper, SessionCloseReason reason, CancellationToken cancellationToken)
    {
        try
        {
            var closing = _runner.CloseAsync(keeper, reason, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var bound = TimeProviderDelay.Delay(_time, _closingTimeout, timeout.Token);
            if (await Task.WhenAny(closing, bound).ConfigureAwait(false) != closing)
            {
                await bound.ConfigureAwait(false); // throws when the caller's token was cancelled
                throw new TimeoutException($"The closing handler of session {keeper.SessionKey} did not finish within {_closingTimeout}; its lease is released anyway.");
            }

            timeout.Cancel();
            await closing.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            OnError?.Invoke(keeper.SessionKey, "close", ex);
        }
    }
}

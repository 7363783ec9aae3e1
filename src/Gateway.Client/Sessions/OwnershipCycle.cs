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
/// The ownership side of the processor, clock-driven and without a gateway: one <see cref="RunCycleAsync(CancellationToken)"/> renews the
/// owned leases, closes the sessions whose lease was lost, lists the leases, and claims one session, or
/// every handed-over one up to the fair share (<see cref="SessionBalancer"/>); <see cref="StopAsync"/> closes every session, then releases every lease at once.
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
    private readonly int _claimsPerCycle;
    private ITimer? _balanceTimer;
    private ITimer? _renewTimer;
    private int _balancing;
    private int _renewing;
    private readonly HashSet<Task> _closing = [];
    private bool _stopping;
    private int _reapRequested;
    private int _reaping;

    public OwnershipCycle(ISessionStore store, IReadOnlyCollection<string> sessionKeys, string ownerId, TimeSpan leaseDuration, TimeProvider time, ISessionRunner runner, Random? random = null, TimeSpan? closingTimeout = null, int claimsPerCycle = 1)
    {
        _claimsPerCycle = Math.Max(1, claimsPerCycle);
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

    /// <summary>Called after a successful claim (before the session starts), with the decision it carried out.</summary>
    public Action<BalanceDecision, SessionLease>? OnClaimed { get; set; }

    /// <summary>Called once for each session whose lease was lost, with the reason, before it is closed.</summary>
    public Action<LeaseKeeper>? OnLost { get; set; }

    /// <summary>Says whether this owner may claim a session now (false: it backs off after a failure there); null: always.</summary>
    public Func<string, bool>? CanClaim { get; set; }

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
    public Task RenewAsync(CancellationToken cancellationToken) => RenewAsync(awaitCloses: true, cancellationToken);

    private async Task RenewAsync(bool awaitCloses, CancellationToken cancellationToken)
    {
        Task closes;
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            closes = await RenewAndReapAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }

        if (awaitCloses)
        {
            await closes.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gives a session back that failed on this owner: closes it with <see cref="SessionCloseReason.Failed"/> and
    /// releases its lease after the closing handler, unless it is no longer owned (lost, or the cycle stopped).
    /// </summary>
    public async Task GiveBackAsync(LeaseKeeper keeper, CancellationToken cancellationToken)
    {
        Task close;
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_owned)
            {
                if (!_owned.TryGetValue(keeper.SessionKey, out var owned) || owned != keeper)
                {
                    return;
                }

                _owned.Remove(keeper.SessionKey);
            }

            close = Track(CloseAndReleaseAsync(keeper, SessionCloseReason.Failed, CancellationToken.None)); // tracked before a stop can look
        }
        finally
        {
            _serial.Release();
        }

        await close.ConfigureAwait(false);
    }

    /// <summary>One balancing cycle: renew (unless <see cref="Start"/> renews on its own timer), close what was lost, list, claim (<see cref="ClaimAsync"/>). Returns the first claim it decided.</summary>
    public Task<BalanceDecision> RunCycleAsync(CancellationToken cancellationToken) => RunCycleAsync(awaitCloses: true, cancellationToken);

    private async Task<BalanceDecision> RunCycleAsync(bool awaitCloses, CancellationToken cancellationToken)
    {
        var closes = Task.CompletedTask;
        BalanceDecision result;
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _stopping))
            {
                return BalanceDecision.None;
            }

            // driven on the clock, renewals have their own timer: the cycle only reaps, so its cost does not grow with
            // the sessions owned (called directly, it renews first)
            closes = await RenewAndReapAsync(cancellationToken, renew: _renewTimer is null).ConfigureAwait(false);
            result = await ClaimAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }

        if (awaitCloses)
        {
            await closes.ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Claims what the balancer decides, deciding again after each claim: sessions whose owner left (released by a
    /// graceful stop, or lapsed after a crash) up to the fair share, so a handover takes one cycle, not one per session;
    /// sessions never claimed before and steals at most <c>claimsPerCycle</c> (1 by default), so instances that start
    /// together spread out without taking sessions back and forth. Returns the first decision carried out.
    /// </summary>
    private async Task<BalanceDecision> ClaimAsync(CancellationToken cancellationToken)
    {
        var leases = (await _store.ListLeasesAsync(cancellationToken).ConfigureAwait(false)).ToList();
        var first = BalanceDecision.None;
        var counted = 0;
        for (var i = 0; i < _sessionKeys.Count; i++)
        {
            var decision = await ClaimOneAsync(leases, cancellationToken, counted < _claimsPerCycle).ConfigureAwait(false);
            if (decision.Action == BalanceAction.None)
            {
                break;
            }

            if (first.Action == BalanceAction.None)
            {
                first = decision;
            }

            if (!IsHandover(decision))
            {
                counted++;
            }
        }

        return first;
    }

    /// <summary>A claim of a session whose owner left (it has a lease record: released or lapsed).</summary>
    private static bool IsHandover(BalanceDecision decision) => decision.Action == BalanceAction.Claim && decision.Observed is not null;

    private async Task<BalanceDecision> ClaimOneAsync(List<SessionLease> leases, CancellationToken cancellationToken, bool mayTakeOther)
    {
        var decision = SessionBalancer.Decide(_ownerId, _sessionKeys, leases, _time.GetUtcNow(), _random, CanClaim);
        if (decision.Action == BalanceAction.None || (!mayTakeOther && !IsHandover(decision)) || Volatile.Read(ref _stopping))
        {
            return BalanceDecision.None;
        }

        lock (_owned)
        {
            if (_owned.ContainsKey(decision.SessionKey!))
            {
                // still ours here (its lease lapsed in the store before the local deadline fired, say): it is closed
                // first, so a session never runs twice on one owner
                return BalanceDecision.None;
            }
        }

        using var activity = GatewayClientTelemetry.Source.StartActivity("gateway.processor.claim", System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("gateway.session.key", decision.SessionKey);
        activity?.SetTag("gateway.processor.owner", _ownerId);
        activity?.SetTag("gateway.processor.claim.kind", decision.Action == BalanceAction.Steal ? "steal" : "free");
        if (decision.FromOwner is not null)
        {
            activity?.SetTag("gateway.processor.claim.from", decision.FromOwner);
        }

        var sentAt = _time.GetUtcNow();
        SessionLease? lease;
        try
        {
            lease = await _store.TryClaimAsync(decision.SessionKey!, _ownerId, _leaseDuration, decision.Observed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            throw;
        }

        if (lease is null)
        {
            activity?.SetTag("gateway.processor.claim.outcome", "lost_race");
            return BalanceDecision.None; // lost a race with another owner: not an error
        }

        activity?.SetTag("gateway.processor.claim.outcome", "claimed");
        activity?.SetTag("gateway.processor.lease.token", lease.Token);
        OnClaimed?.Invoke(decision, lease);
        leases.RemoveAll(l => string.Equals(l.SessionKey, lease.SessionKey, StringComparison.Ordinal));
        leases.Add(lease);

        var keeper = new LeaseKeeper(_store, lease, sentAt, _leaseDuration, _time);
        lock (_owned)
        {
            _owned[lease.SessionKey] = keeper;
        }

        if (_renewTimer is not null)
        {
            // driven on the clock: a lost lease closes its session at once, not at the next renew tick
            keeper.Lost.Register(static state => ((OwnershipCycle)state!).RequestReap(), this);
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

            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            keeper.MarkLost(LeaseLossReason.Released);
            await ReleaseAsync(keeper, cancellationToken).ConfigureAwait(false);
            keeper.Dispose();
            return BalanceDecision.None;
        }

        return decision;
    }

    /// <summary>
    /// Graceful stop: closes every session at once (<see cref="SessionCloseReason.Shutdown"/>, or
    /// <see cref="SessionCloseReason.OwnershipLost"/> for one already lost), and only after each one's closing handler
    /// has finished releases its lease; all releases run at once, so other owners claim in their next cycle.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stopping, true); // a cycle running now claims nothing more, even if this stop is cancelled
        _balanceTimer?.Dispose();
        _renewTimer?.Dispose();
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            LeaseKeeper[] keepers;
            lock (_owned)
            {
                keepers = _owned.Values.ToArray();
                _owned.Clear();
            }

            foreach (var keeper in keepers.Where(k => k.IsLost))
            {
                OnLost?.Invoke(keeper);
            }

            Task[] closing;
            lock (_closing)
            {
                closing = _closing.ToArray();
            }

            await Task.WhenAll(keepers.Select(k => CloseAndReleaseAsync(k, k.IsLost ? SessionCloseReason.OwnershipLost : SessionCloseReason.Shutdown, cancellationToken))
                .Concat(closing)).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>
    /// A lease was lost: closes the lost sessions now, without renewing the others (a store outage loses leases one by
    /// one, and a renewal round per loss would hammer the failing store). Requests that come while a reap runs make it
    /// run once more, so none is missed.
    /// </summary>
    private void RequestReap()
    {
        Interlocked.Exchange(ref _reapRequested, 1);
        _ = ReapAsync();
    }

    private async Task ReapAsync()
    {
        if (Interlocked.Exchange(ref _reaping, 1) == 1)
        {
            return;
        }

        try
        {
            while (Interlocked.Exchange(ref _reapRequested, 0) == 1)
            {
                await _serial.WaitAsync().ConfigureAwait(false);
                try
                {
                    _ = await RenewAndReapAsync(CancellationToken.None, renew: false).ConfigureAwait(false);
                }
                finally
                {
                    _serial.Release();
                }
            }
        }
        catch (Exception ex)
        {
            OnError?.Invoke(null, "renew", ex);
        }
        finally
        {
            Volatile.Write(ref _reaping, 0);
            if (Volatile.Read(ref _reapRequested) == 1)
            {
                _ = ReapAsync();
            }
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
                await RenewAsync(awaitCloses: false, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await RunCycleAsync(awaitCloses: false, CancellationToken.None).ConfigureAwait(false);
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

    private async Task CloseAndReleaseAsync(LeaseKeeper keeper, SessionCloseReason reason, CancellationToken cancellationToken)
    {
        await CloseAsync(keeper, reason, cancellationToken).ConfigureAwait(false);
        if (!keeper.IsLost)
        {
            // the handlers' token fires before the lease goes, so a handler still running past the closing timeout
            // learns that the session is no longer its own
            keeper.MarkLost(LeaseLossReason.Released);
            await ReleaseAsync(keeper, cancellationToken).ConfigureAwait(false);
        }

        keeper.Dispose();
    }

    /// <summary>Keeps a close that runs off the serial lock, so a stop waits for it.</summary>
    private Task Track(Task close)
    {
        lock (_closing)
        {
            _closing.Add(close);
        }

        _ = close.ContinueWith(
            static (task, state) =>
            {
                var closing = (HashSet<Task>)state!;
                lock (closing)
                {
                    closing.Remove(task);
                }
            },
            _closing,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return close;
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

    /// <summary>Renews, takes the lost sessions out of the owned set, and returns their closes (run off the serial lock,
    /// so a slow closing handler never delays the other sessions' renewals).</summary>
    private async Task<Task> RenewAndReapAsync(CancellationToken cancellationToken, bool renew = true)
    {
        LeaseKeeper[] keepers;
        lock (_owned)
        {
            keepers = _owned.Values.ToArray();
        }

        if (renew)
        {
            await Task.WhenAll(keepers.Select(k => RenewOneAsync(k, cancellationToken))).ConfigureAwait(false);
        }

        var lost = keepers.Where(k => k.IsLost).ToArray();
        lock (_owned)
        {
            foreach (var keeper in lost)
            {
                _owned.Remove(keeper.SessionKey);
            }
        }

        if (lost.Length == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var keeper in lost)
        {
            OnLost?.Invoke(keeper);
        }

        return Track(Task.WhenAll(lost.Select(async k =>
        {
            await CloseAsync(k, SessionCloseReason.OwnershipLost, CancellationToken.None).ConfigureAwait(false);
            k.Dispose();
        })));
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

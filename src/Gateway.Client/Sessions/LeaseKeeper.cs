namespace Gateway.Client.Sessions;

/// <summary>Why a <see cref="LeaseKeeper"/>'s lease was lost.</summary>
internal enum LeaseLossReason
{
    /// <summary>The store refused a renewal (it returned null): another owner holds the session, or it was released.</summary>
    RenewalRefused,

    /// <summary>The local deadline passed without a successful renewal.</summary>
    Expired,

    /// <summary>The store refused a checkpoint (<see cref="SessionOwnershipLostException"/>).</summary>
    CheckpointRefused,

    /// <summary>This owner gave the session back (a graceful stop, or a session that failed).</summary>
    Released,
}

/// <summary>
/// One owned lease: renews it and fires <see cref="Lost"/> the moment it can no longer be renewed: a renewal returned
/// null, a checkpoint was refused, or the local deadline passed without a successful renewal. The deadline is the
/// instant the last successful claim or renewal was <em>sent</em> plus the lease duration, on this process's clock: it
/// is never later than the store's own expiry and does not depend on the store's clock. Once lost, it stays lost.
/// </summary>
internal sealed class LeaseKeeper : IDisposable
{
    private readonly ISessionStore _store;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private SessionLease _lease;
    private DateTimeOffset _deadline;
    private LeaseLossReason? _lostReason;
    private bool _disposed;

    /// <summary>Keeps <paramref name="lease"/>, a claim's result; <paramref name="sentAt"/> is when that claim was sent (this process's clock).</summary>
    public LeaseKeeper(ISessionStore store, SessionLease lease, DateTimeOffset sentAt, TimeSpan duration, TimeProvider time)
    {
        _store = store;
        _lease = lease;
        _duration = duration;
        _time = time;
        _deadline = sentAt + duration;
        _timer = time.CreateTimer(static state => ((LeaseKeeper)state!).OnDeadline(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Arm();
    }

    public string SessionKey => _lease.SessionKey;

    /// <summary>The newest lease (its token never changes).</summary>
    public SessionLease Lease
    {
        get { lock (_gate) { return _lease; } }
    }

    /// <summary>When the lease counts as lost unless renewed before.</summary>
    public DateTimeOffset Deadline
    {
        get { lock (_gate) { return _deadline; } }
    }

    /// <summary>Fires once, when the lease is lost; the session's handlers get it.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public LeaseLossReason? LostReason
    {
        get { lock (_gate) { return _lostReason; } }
    }

    /// <summary>Renews the lease. False when it is lost (now or before); a store failure is thrown and changes nothing (the deadline stays).</summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        if (IsLost)
        {
            return false;
        }

        var sentAt = _time.GetUtcNow();
        var renewed = await _store.RenewAsync(Lease, _duration, cancellationToken).ConfigureAwait(false);
        if (renewed is null)
        {
            MarkLost(LeaseLossReason.RenewalRefused);
            return false;
        }

        lock (_gate)
        {
            if (_lostReason is not null)
            {
                return false;
            }

            _lease = renewed;
            if (sentAt + _duration > _deadline)
            {
                _deadline = sentAt + _duration;
            }
        }

        Arm();
        return true;
    }

    /// <summary>Writes a checkpoint with this lease, fenced; a refusal marks the lease lost and is rethrown.</summary>
    public async Task WriteCheckpointAsync(GatewayResumePoint position, CancellationToken cancellationToken)
    {
        try
        {
            await _store.WriteCheckpointAsync(Lease, position, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionOwnershipLostException)
        {
            MarkLost(LeaseLossReason.CheckpointRefused);
            throw;
        }
    }

    /// <summary>Releases the lease (after the session was closed). False when it was no longer this lease's.</summary>
    public Task<bool> ReleaseAsync(CancellationToken cancellationToken) => _store.ReleaseAsync(Lease, cancellationToken);

    /// <summary>Marks the lease lost with <paramref name="reason"/> (the first reason wins) and fires <see cref="Lost"/>.</summary>
    public void MarkLost(LeaseLossReason reason)
    {
        lock (_gate)
        {
            if (_lostReason is not null)
            {
                return;
            }

            _lostReason = reason;
            if (!_disposed)
            {
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        _lost.Cancel(); // never disposed (below), so a late loss (a timer racing a close) cannot throw
    }

    /// <summary>
    /// Stops the deadline timer. The lost-lease source is not disposed: a session that outlived its closing timeout may
    /// still read its token (it holds no timer or wait handle, so nothing leaks), and a late <see cref="MarkLost"/> still works.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }

    private void Arm()
    {
        lock (_gate)
        {
            if (_disposed || _lostReason is not null)
            {
                return;
            }

            var due = _deadline - _time.GetUtcNow();
            _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDeadline()
    {
        if (_time.GetUtcNow() >= Deadline)
        {
            MarkLost(LeaseLossReason.Expired);
        }
        else
        {
            Arm();
        }
    }
}

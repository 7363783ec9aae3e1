namespace Gateway.Client.Sessions;

/// <summary>
/// One session's checkpoints, written through its <see cref="LeaseKeeper"/> (so fenced): per event
/// (<see cref="CheckpointAsync"/>, or <see cref="MarkAsync"/> with <c>every = 1</c>) or batched (<see cref="MarkAsync"/>:
/// the newest marked position is written once <c>every</c> events were marked, or <c>interval</c> after the first unwritten
/// mark, whichever comes first). <see cref="FlushAsync"/> writes what is pending (a stopping session calls it before its
/// closing handler). A write the store refuses marks the lease lost and is rethrown; a store failure keeps the position
/// pending, so the next write retries it.
/// </summary>
internal sealed class CheckpointBatcher : IDisposable
{
    private readonly LeaseKeeper _keeper;
    private readonly int _every;
    private readonly TimeSpan? _interval;
    private readonly ITimer? _timer;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writes = new(1, 1);
    private GatewayResumePoint? _pending;
    private int _count;
    private bool _armed;
    private bool _disposed;

    public CheckpointBatcher(LeaseKeeper keeper, int every, TimeSpan? interval, TimeProvider time)
    {
        if (every < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(every), every, "At least 1.");
        }

        _keeper = keeper;
        _every = every;
        _interval = interval;
        if (interval is not null)
        {
            _timer = time.CreateTimer(static state => ((CheckpointBatcher)state!).OnInterval(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>A failure of a write started by the interval timer (nobody awaits it).</summary>
    public Action<Exception>? OnError { get; set; }

    /// <summary>How many marks are not yet written (the checkpoint lag, in events).</summary>
    public int PendingCount
    {
        get { lock (_gate) { return _count; } }
    }

    /// <summary>The newest marked position not yet written; null when none.</summary>
    public GatewayResumePoint? Pending
    {
        get { lock (_gate) { return _pending; } }
    }

    /// <summary>Marks <paramref name="position"/> as handled; writes it when the batch is full.</summary>
    public Task MarkAsync(GatewayResumePoint position, CancellationToken cancellationToken)
    {
        bool due;
        lock (_gate)
        {
            _pending = position;
            _count++;
            due = _count >= _every;
            if (!due && _interval is { } interval && !_armed && !_disposed)
            {
                _armed = true;
                _timer!.Change(interval, Timeout.InfiniteTimeSpan);
            }
        }

        return due ? FlushAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="position"/> now (and with it whatever was pending before it).</summary>
    public Task CheckpointAsync(GatewayResumePoint position, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _pending = position;
            _count++;
        }

        return FlushAsync(cancellationToken);
    }

    /// <summary>Writes the pending position, if any.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            GatewayResumePoint? position;
            int count;
            lock (_gate)
            {
                position = _pending;
                count = _count;
                _pending = null;
                _count = 0;
                if (_armed)
                {
                    _armed = false;
                    if (!_disposed)
                    {
                        _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    }
                }
            }

            if (position is null)
            {
                return;
            }

            try
            {
                await _keeper.WriteCheckpointAsync(position, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not SessionOwnershipLostException)
            {
                lock (_gate)
                {
                    if (_pending is null)
                    {
                        _pending = position; // retried by the next write, or by the interval (also a back-off for a failing store)
                        _count += count;
                    }

                    if (_interval is { } interval && !_armed && !_disposed)
                    {
                        _armed = true;
                        _timer!.Change(interval, Timeout.InfiniteTimeSpan);
                    }
                }

                throw;
            }

        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Stops the interval timer. The write semaphore is not disposed: a timer write still running releases it late.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void OnInterval() => _ = FlushFromTimerAsync();

    private async Task FlushFromTimerAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnError?.Invoke(ex);
        }
    }
}

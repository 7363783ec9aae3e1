namespace Gateway.Client.TestSupport;

/// <summary>
/// A hand-written fake clock (the FakeTimeProvider package is not in our package source): time moves
/// only on <see cref="Advance"/>, which fires due timers in order on the calling thread. Tests await
/// <see cref="WaitForTimerAsync"/> to know a component has started waiting before they move time.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = new();
    private readonly List<(TimeSpan Due, TaskCompletionSource<bool> Signal)> _timerWaiters = new();
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers that are scheduled and not yet due or disposed.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Waits until a timer with exactly this due time (from its creation) is scheduled.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_timers.Any(t => t.DueAt is not null && t.Due == dueTime))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((dueTime, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Moves time forward, firing every timer that falls due, earliest first.</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by));
        }

        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueAt is { } due && due <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.DueAt!.Value;
                next.Reschedule(_now);
            }

            next.Fire();
        }
    }

    private void Schedule(ManualTimer timer)
    {
        lock (_gate)
        {
            if (!_timers.Contains(timer))
            {
                _timers.Add(timer);
            }

            for (var i = _timerWaiters.Count - 1; i >= 0; i--)
            {
                if (_timerWaiters[i].Due == timer.Due)
                {
                    _timerWaiters[i].Signal.TrySetResult(true);
                    _timerWaiters.RemoveAt(i);
                }
            }
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private TimeSpan _period;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public DateTimeOffset? DueAt { get; private set; }

        public TimeSpan Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            Due = dueTime;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                DueAt = null;
                _owner.Remove(this);
                return true;
            }

            DueAt = _owner.GetUtcNow() + dueTime;
            _owner.Schedule(this);
            return true;
        }

        /// <summary>Called under the owner's lock when the timer fires.</summary>
        public void Reschedule(DateTimeOffset now)
        {
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero)
            {
                DueAt = null;
                _owner._timers.Remove(this);
            }
            else
            {
                DueAt = now + _period;
            }
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            DueAt = null;
            _owner.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}

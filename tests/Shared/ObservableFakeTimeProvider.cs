using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.TestSupport;

/// <summary>
/// <see cref="FakeTimeProvider"/> (time moves only on <c>Advance</c>, which fires due timers in order on
/// the calling thread) plus the one thing it lacks: a signal that a component has started waiting.
/// Tests await <see cref="WaitForTimerAsync"/> before they move time, so an advance never lands before
/// the wait it is meant to end. Each timer the fake makes is wrapped to see when it is set, fires and goes.
/// </summary>
public sealed class ObservableFakeTimeProvider : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly List<ObservedTimer> _pending = new();
    private readonly List<(TimeSpan Due, TaskCompletionSource Signal)> _waiters = new();

    public ObservableFakeTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this);
        timer.Attach(base.CreateTimer(timer.Fire, (callback, state), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once a timer is pending (set, not yet fired or gone) with exactly this due time from when it was set.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_pending.Any(t => t.Due == dueTime))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    private void SetPending(ObservedTimer timer, bool pending)
    {
        lock (_gate)
        {
            _pending.Remove(timer);
            if (!pending)
            {
                return;
            }

            _pending.Add(timer);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Due == timer.Due)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class ObservedTimer(ObservableFakeTimeProvider owner) : ITimer
    {
        private ITimer? _inner;
        private TimeSpan _period;
        private long _setting;
        private long _firedSetting;

        public TimeSpan Due { get; private set; }

        public void Attach(ITimer inner) => _inner = inner;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime;
            _period = period;
            var setting = Interlocked.Increment(ref _setting);

            // Scheduled in the fake first, announced after: a test that moves time as soon as it hears of
            // the timer must find it there. A zero due time may fire inside Change: it is then not pending.
            var changed = _inner!.Change(dueTime, period);
            owner.SetPending(this, dueTime != Timeout.InfiniteTimeSpan && Interlocked.Read(ref _firedSetting) < setting);
            return changed;
        }

        /// <summary>The fake's callback: a one-shot timer is no longer pending once it fires.</summary>
        public void Fire(object? state)
        {
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero)
            {
                Interlocked.Exchange(ref _firedSetting, Interlocked.Read(ref _setting));
                owner.SetPending(this, false);
            }

            var (callback, callbackState) = ((TimerCallback, object?))state!;
            callback(callbackState);
        }

        public void Dispose()
        {
            owner.SetPending(this, false);
            _inner!.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}

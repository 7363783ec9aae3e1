using Gateway.Client.Diagnostics;

namespace Gateway.Client.Engine;

/// <summary>
/// The buffer between the receive loop and the app, for the client's whole lifetime, so nothing
/// buffered is stranded between runs. At most <c>capacity</c> events wait in it; gap notices and
/// end-of-run markers do not count (each stands for events, or for none). When it is full, the
/// backpressure mode decides: <see cref="BackpressureMode.Wait"/> makes the receive loop wait (so the
/// socket is not read and the server sees it); <see cref="BackpressureMode.DropOldest"/> drops the
/// oldest event and leaves a <see cref="GapReason.ConsumerOverflow"/> notice in its place, merged with
/// the notice of the drops just before it, so the consumer meets the exact range in stream order.
/// <para>Events are handed over in batches: a waiting consumer is woken when the receive loop is about to wait
/// for the socket (<see cref="Flush"/>), when <see cref="WakeBatch"/> events are waiting, when the buffer is full,
/// or at once for a gap or end-of-run notice. So a burst read from one socket buffer costs one wake-up (one
/// thread-pool work item), not one per event, and no event waits longer than the read that follows it.</para>
/// </summary>
internal sealed class EventBuffer
{
    private readonly object _gate = new();
    private readonly ItemQueue _items = new();
    private readonly int _capacity;
    private readonly BackpressureMode _mode;
    private readonly ClientCounters _counters;
    private int _events;
    private int _heldBack;
    private readonly WaitSignal _readable = new();
    private WaitSignal? _writable; // made when the buffer first fills: most clients never need it
    private readonly int _writerWakeRoom;
    private int _readerActive;

    /// <summary>Events held back at most before the consumer is woken anyway, however fast the socket delivers.</summary>
    internal const int WakeBatch = 64;

    /// <summary>
    /// Room a waiting writer (a full buffer, Wait mode) is woken for, at most: a quarter of the capacity, so a consumer that
    /// takes a few events at a time does not wake the receive loop for each few, only for one burst's worth.
    /// </summary>
    internal const int WriterWakeBatch = 256;

    public EventBuffer(int capacity, BackpressureMode mode, ClientCounters counters)
    {
        _capacity = capacity;
        _writerWakeRoom = Math.Max(1, Math.Min(capacity / 4, WriterWakeBatch));
        _mode = mode;
        _counters = counters;
    }

    /// <summary>Raised (under no lock) when a drop opens a new overflow notice.</summary>
    public event Action<GapInfo>? OverflowStarted;

    /// <summary>Raised when the receive loop starts waiting for the consumer (Wait mode, buffer full). For tests and diagnostics.</summary>
    internal event Action? WriterWaiting;

    /// <summary>Events waiting for the consumer.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events;
            }
        }
    }

    /// <summary>
    /// Adds an event (<see cref="StreamItem.ForEvent"/>), waiting (Wait mode) or dropping the oldest (DropOldest mode)
    /// while the buffer is full. The buffer takes over the event's hold on its slab: it releases it when the event is
    /// dropped, and when a waiting write is cancelled (the event never entered the buffer).
    /// </summary>
    public ValueTask WriteEventAsync(StreamItem item, CancellationToken cancellationToken)
    {
        var drop = OverflowDrop.None;
        lock (_gate)
        {
            if (_events >= _capacity)
            {
                if (_mode == BackpressureMode.Wait)
                {
                    return WriteEventSlowAsync(item, cancellationToken);
                }

                drop = DropOldestLocked();
            }

            EnqueueLocked(item, counted: true, holdBack: true);
        }

        if (drop.Happened)
        {
            // Counted outside the lock: metric listeners run synchronously and must not hold up the consumer.
            _counters.EventDropped();
            if (drop.Opened is { } opened)
            {
                _counters.GapDetected(opened);
                OverflowStarted?.Invoke(opened);
            }
            else if (drop.Widened)
            {
                _counters.OverflowGapWidened();
            }
        }

        return default;
    }

    /// <summary>Adds a gap notice; never waits (it takes no capacity).</summary>
    public void WriteGap(GapInfo gap, long cursorAfterGap)
    {
        lock (_gate)
        {
            EnqueueLocked(StreamItem.ForGap(gap, cursorAfterGap), counted: false, holdBack: false);
        }
    }

    /// <summary>Marks the end of a run; never waits.</summary>
    public void WriteEndOfRun(int run, Exception? error)
    {
        lock (_gate)
        {
            EnqueueLocked(StreamItem.ForEndOfRun(run, error), counted: false, holdBack: false);
        }
    }

    /// <summary>Wakes the consumer for the events held back, if it waits; the receive loop calls it before it waits for the socket.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            WakeLocked();
        }
    }

    /// <summary>Completes with true once an item is available.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // One reader at a time (see TryClaimReader), so one reusable signal serves every wait.
            return _items.Count > 0 ? new ValueTask<bool>(true) : _readable.Arm(cancellationToken);
        }
    }

    /// <summary>
    /// Moves up to <paramref name="destination"/>'s length items out, in order, under one lock (the consumer takes what
    /// a wake-up found in one go, not one lock per event). A writer waiting for room is woken once.
    /// </summary>
    public int TryReadBatch(Span<StreamItem> destination)
    {
        var wakeWriter = false;
        var taken = 0;
        lock (_gate)
        {
            var events = 0;
            while (taken < destination.Length && _items.Count > 0)
            {
                var item = _items.RemoveFirst();
                if (item.IsEvent)
                {
                    events++;
                }

                destination[taken++] = item;
            }

            if (events > 0)
            {
                _events -= events;
                wakeWriter = _writable is { IsArmed: true } && _capacity - _events >= _writerWakeRoom;
            }
        }

        // Outside the lock: the writer's continuation runs asynchronously anyway.
        if (wakeWriter)
        {
            _writable!.TrySet();
        }

        return taken;
    }

    /// <summary>
    /// Puts back, at the head and in order, items a consumer took but never read (its enumeration ended mid-batch),
    /// so the next enumeration meets them: nothing received is lost.
    /// </summary>
    public void ReturnUnread(ReadOnlySpan<StreamItem> items)
    {
        lock (_gate)
        {
            for (var i = items.Length - 1; i >= 0; i--)
            {
                _items.AddFirst(items[i]);
                if (items[i].IsEvent)
                {
                    _events++;
                }
            }
        }
    }

    /// <summary>Claims the single consumer slot; false when another enumeration is active.</summary>
    public bool TryClaimReader() => Interlocked.CompareExchange(ref _readerActive, 1, 0) == 0;

    public void ReleaseReader() => Volatile.Write(ref _readerActive, 0);

#if NET
    // Runs each time the buffer fills under load: pool its state machine.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask WriteEventSlowAsync(StreamItem item, CancellationToken cancellationToken)
    {
        WriterWaiting?.Invoke();
        while (true)
        {
            ValueTask<bool> wait;
            lock (_gate)
            {
                if (_events < _capacity)
                {
                    EnqueueLocked(item, counted: true, holdBack: true);
                    return;
                }

                // Full: whatever is held back must reach the consumer, or the two would wait for each other.
                WakeLocked();
                _writable ??= new WaitSignal();
                wait = _writable.Arm(cancellationToken);
            }

            try
            {
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Never buffered (the client stopped delivering while the consumer was behind): its hold goes back here.
                item.ReleasePayload();
                throw;
            }
        }
    }

    private void EnqueueLocked(StreamItem item, bool counted, bool holdBack)
    {
        _items.AddLast(item);
        if (counted)
        {
            _events++;
        }

        if (!holdBack || ++_heldBack >= WakeBatch || _events >= _capacity)
        {
            WakeLocked();
        }
    }

    private void WakeLocked()
    {
        _heldBack = 0;
        if (_readable.IsArmed && _items.Count > 0)
        {
            _readable.TrySet();
        }
    }

    /// <summary>Drops the oldest event and says what that did to the overflow notices (the caller counts it).</summary>
    private OverflowDrop DropOldestLocked()
    {
        var index = 0;
        while (!_items[index].IsEvent)
        {
            index++;
        }

        var dropped = _items[index];
        dropped.ReleasePayload();
        _events--;
        if (dropped.Sequence is not { } sequence)
        {
            // An unnumbered event has no place in a numbered range: it is counted, not reported as a gap.
            _items.RemoveAt(index);
            return new OverflowDrop(true, null, false);
        }

        // Extend the notice of the drops just before this one, so one run of drops is one gap.
        if (index > 0 && _items[index - 1].Gap is { Reason: GapReason.ConsumerOverflow } previous && previous.Received == sequence)
        {
            _items[index - 1] = StreamItem.ForGap(new GapInfo(previous.Expected, sequence + 1, GapReason.ConsumerOverflow), sequence);
            _items.RemoveAt(index);
            return new OverflowDrop(true, null, true);
        }

        var gap = new GapInfo(sequence, sequence + 1, GapReason.ConsumerOverflow);
        _items[index] = StreamItem.ForGap(gap, sequence);
        return new OverflowDrop(true, gap, false);
    }

    /// <summary>What one drop did: a new overflow notice (<see cref="Opened"/>), or a wider one.</summary>
    private readonly record struct OverflowDrop(bool Happened, GapInfo? Opened, bool Widened)
    {
        public static OverflowDrop None => default;
    }
}

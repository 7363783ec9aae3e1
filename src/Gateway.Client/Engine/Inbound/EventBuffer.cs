using System.Diagnostics;
using Gateway.Client.Diagnostics;

namespace Gateway.Client.Engine;

/// <summary>
/// The buffer between the receive loop and the app, for the client's whole lifetime, so nothing
/// buffered is stranded between runs. At most <c>capacity</c> events wait for the app, in it or taken
/// ahead by the consumer and not yet handed out (see <see cref="HandedOut"/>); gap notices and
/// end-of-run markers do not count (each stands for events, or for none). When it is full, the
/// backpressure mode decides: <see cref="BackpressureMode.Wait"/> makes the receive loop wait (so the
/// socket is not read and the server sees it); <see cref="BackpressureMode.DropOldest"/> drops the
/// oldest event still in the buffer (the newest, when the consumer took all the others ahead) and leaves
/// a <see cref="GapReason.ConsumerOverflow"/> notice in its place, merged with the notice of the drops
/// just before it, so the consumer meets the exact range in stream order.
/// <para>Events are handed over in batches: a waiting consumer is woken when the receive loop is about to wait
/// for the socket (<see cref="Flush"/>), when <see cref="WakeBatch"/> events are waiting, when the buffer is full,
/// or at once for a gap or end-of-run notice. So a burst read from one socket buffer costs one wake-up (one
/// thread-pool work item), not one per event, and no event waits longer than the read that follows it.</para>
/// <para>The consumer takes events in batches too (<see cref="TryReadBatch"/>, one lock), and reports each one it hands
/// to the app (<see cref="HandedOut"/>, one plain write: no lock). What it took stays counted until handed out, so the
/// bound holds between the buffer and the consumer's look-ahead; a writer waiting for room is woken when the consumer
/// settles what it handed out (<see cref="Settle"/>: when its look-ahead runs out, or at its next take).</para>
/// </summary>
internal sealed partial class EventBuffer
{
    private readonly object _gate = new();
    private readonly ItemQueue _items = new();
    private readonly int _capacity;
    private readonly BackpressureMode _mode;
    private readonly ClientCounters _counters;
    private int _events; // in the buffer
    private int _lookAhead; // taken by the consumer since it last settled (written under the lock)
    private int _handedOut; // of those, handed to the app: written by the consumer alone, without the lock
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

    /// <summary>
    /// While this says true, a full buffer in Wait mode drops its oldest events (a <see cref="GapReason.ConsumerOverflow"/>
    /// gap, as in DropOldest) instead of holding up the socket: an agent turn in flight must not wait for the main stream's reader.
    /// </summary>
    public Func<bool>? DropWhile { get; set; }

    /// <summary>A receive loop waiting on a full buffer looks again (<see cref="DropWhile"/> may say true now).</summary>
    public void WakeWriter()
    {
        lock (_gate)
        {
            _writable?.TrySet();
        }
    }

    /// <summary>Raised when the receive loop starts waiting for the consumer (Wait mode, buffer full). For tests and diagnostics.</summary>
    internal event Action? WriterWaiting;

    /// <summary>Events waiting for the app: in the buffer, or taken ahead by the consumer and not yet handed out.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return HeldLocked();
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
            if (_mode == BackpressureMode.Wait && HeldLocked() >= _capacity && DropWhile?.Invoke() != true)
            {
                return WriteEventSlowAsync(item, cancellationToken);
            }

            drop = EnqueueDroppingLocked(item);
        }

        Counted(drop);
        return default;
    }

    /// <summary>Enqueued first: when the consumer took every other event ahead, this one is the oldest the buffer can drop.</summary>
    private OverflowDrop EnqueueDroppingLocked(StreamItem item)
    {
        EnqueueLocked(item, counted: true, holdBack: true);
        return HeldLocked() > _capacity ? DropOldestLocked() : OverflowDrop.None;
    }

    private void Counted(OverflowDrop drop)
    {
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
            var drop = OverflowDrop.None;
            var dropped = false;
            lock (_gate)
            {
                if (HeldLocked() < _capacity)
                {
                    EnqueueLocked(item, counted: true, holdBack: true);
                    return;
                }

                if (DropWhile?.Invoke() == true)
                {
                    drop = EnqueueDroppingLocked(item);
                    dropped = true;
                    wait = default;
                }
                else
                {
                    // Full: whatever is held back must reach the consumer, or the two would wait for each other.
                    WakeLocked();
                    _writable ??= new WaitSignal();
                    wait = _writable.Arm(cancellationToken);
                }
            }

            if (dropped)
            {
                Counted(drop);
                return;
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

        if (!holdBack || ++_heldBack >= WakeBatch || HeldLocked() >= _capacity)
        {
            WakeLocked();
        }
    }

    /// <summary>Events waiting for the app: in the buffer, and taken ahead by the consumer but not handed out.</summary>
    private int HeldLocked() => _events + _lookAhead - Volatile.Read(ref _handedOut);

    /// <summary>The consumer's own thread only (it writes <see cref="_handedOut"/>).</summary>
    private void SettleLocked()
    {
        _lookAhead -= _handedOut;
        Volatile.Write(ref _handedOut, 0);
    }

    /// <summary>Whether a writer waits and there is room enough to wake it for (a quarter of the capacity, or all of a small one).</summary>
    private bool WriterHasRoomLocked() => _writable is { IsArmed: true } && _capacity - HeldLocked() >= _writerWakeRoom;

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

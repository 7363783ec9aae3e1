using System.Diagnostics;

namespace Gateway.Client.Engine;

/// <summary>
/// The consumer's side of the <see cref="EventBuffer"/>: one enumeration at a time claims it, waits for items, takes
/// them in batches under the lock, says which it handed out (its look-ahead counts against the capacity until then),
/// and gives back what it took but never handed out.
/// </summary>
internal sealed partial class EventBuffer
{
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
    /// a wake-up found in one go, not one lock per event). The events taken still count against the capacity until the
    /// consumer hands them out (<see cref="HandedOut"/>); what it handed out since its last take is settled first, and a
    /// writer waiting for room is woken once.
    /// </summary>
    public int TryReadBatch(Span<StreamItem> destination)
    {
        bool wakeWriter;
        var taken = 0;
        lock (_gate)
        {
            SettleLocked();
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

            _events -= events;
            _lookAhead += events;
            wakeWriter = WriterHasRoomLocked();
        }

        // Outside the lock: the writer's continuation runs asynchronously anyway.
        if (wakeWriter)
        {
            _writable!.TrySet();
        }

        return taken;
    }

    /// <summary>
    /// The consumer handed one event it took to the app (or let it go: covered by a resync): it stops counting against the
    /// capacity for the receive loop's next write. One plain write, no lock: only the consumer writes it, the writer reads
    /// it under its lock (a stale read only makes the buffer look fuller). A waiting writer learns of it at <see cref="Settle"/>.
    /// </summary>
    public void HandedOut() => Volatile.Write(ref _handedOut, _handedOut + 1);

    /// <summary>
    /// Folds what the consumer handed out into the count, and wakes a writer waiting for that room: the consumer calls it
    /// when its look-ahead runs out (so an app working on the last event it was given, or on a lent batch, does not hold
    /// the receive loop up). Nothing to do, and no lock, when it handed nothing out since.
    /// </summary>
    public void Settle()
    {
        if (_handedOut == 0)
        {
            return;
        }

        bool wakeWriter;
        lock (_gate)
        {
            SettleLocked();
            wakeWriter = WriterHasRoomLocked();
        }

        if (wakeWriter)
        {
            _writable!.TrySet();
        }
    }

    /// <summary>
    /// Puts back, at the head and in order, items a consumer took but never handed out (its enumeration ended mid-batch),
    /// so the next enumeration meets them: nothing received is lost. They count as before, now in the buffer; what the
    /// consumer did hand out is settled.
    /// </summary>
    public void ReturnUnread(ReadOnlySpan<StreamItem> items)
    {
        bool wakeWriter;
        lock (_gate)
        {
            SettleLocked();
            for (var i = items.Length - 1; i >= 0; i--)
            {
                _items.AddFirst(items[i]);
                if (items[i].IsEvent)
                {
                    _events++;
                    _lookAhead--;
                }
            }

            Debug.Assert(_lookAhead == 0, "The consumer put back other than what it took and did not hand out.");
            wakeWriter = WriterHasRoomLocked();
        }

        if (wakeWriter)
        {
            _writable!.TrySet();
        }
    }

    /// <summary>Claims the single consumer slot; false when another enumeration is active.</summary>
    public bool TryClaimReader() => Interlocked.CompareExchange(ref _readerActive, 1, 0) == 0;

    public void ReleaseReader() => Volatile.Write(ref _readerActive, 0);
}

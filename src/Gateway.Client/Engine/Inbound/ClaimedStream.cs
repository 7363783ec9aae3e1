using System.Buffers;

namespace Gateway.Client.Engine;

/// <summary>
/// One enumeration's claim on the <see cref="EventBuffer"/> (one consumer at a time) and the items it took from it
/// under one lock: up to <see cref="TakeSize"/> at a time into a pooled array that goes back to the pool before
/// the enumeration waits, so an idle enumeration holds none. What it took counts against the buffer's capacity until
/// it hands it on (<see cref="EventBuffer.HandedOut"/>, per event, no lock); when the look-ahead runs out it settles
/// (<see cref="EventBuffer.Settle"/>), which wakes a receive loop waiting for that room. Disposing it puts what was taken
/// but never handed on back at the head of the buffer, in order, for the next enumeration: nothing received is lost.
/// </summary>
internal sealed class ClaimedStream : IDisposable
{
    /// <summary>Items taken per lock: small, so what is taken costs little to hold and to hand back.</summary>
    internal const int TakeSize = 64;

    private readonly EventBuffer _buffer;
    private StreamItem[]? _taken;
    private int _next;
    private int _count;

    private ClaimedStream(EventBuffer buffer) => _buffer = buffer;

    /// <summary>Claims the buffer's single consumer slot.</summary>
    /// <exception cref="InvalidOperationException">Another enumeration holds it.</exception>
    public static ClaimedStream Claim(EventBuffer buffer) => buffer.TryClaimReader()
        ? new ClaimedStream(buffer)
        : throw new InvalidOperationException("The event stream is already being enumerated (ReadEventsAsync or ReadEventBatchesAsync): it has one consumer at a time.");

    /// <summary>
    /// Completes once the buffer has something to take. The enumeration awaits it itself (<c>while (!TryTake(...)) await
    /// WaitAsync(...)</c>), so a waiting consumer parks one state machine, its own, and nothing else.
    /// </summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _buffer.WaitToReadAsync(cancellationToken);

    /// <summary>The next item, if one was taken already or the buffer has one now (without waiting).</summary>
    public bool TryTake(out StreamItem item)
    {
        if (_next < _count || Refill())
        {
            item = TakeLocal();
            return true;
        }

        item = default;
        return false;
    }

    /// <summary>The next item if it is an event and there without waiting (taken already, or in the buffer now).</summary>
    public bool TryTakeEvent(out StreamItem item)
    {
        if ((_next < _count || Refill()) && _taken![_next].IsEvent)
        {
            item = TakeLocal();
            return true;
        }

        item = default;
        return false;
    }

    public void Dispose()
    {
        if (_taken is not null)
        {
            if (_next < _count)
            {
                _buffer.ReturnUnread(_taken.AsSpan(_next, _count - _next));
            }

            ReturnArray();
        }

        _buffer.ReleaseReader();
    }

    private StreamItem TakeLocal()
    {
        var item = _taken![_next];
        _taken[_next++] = default;
        if (item.IsEvent)
        {
            _buffer.HandedOut();
        }

        if (_next == _count)
        {
            // All handed on: the room it held is the receive loop's again, while the app works on what it was given.
            _buffer.Settle();
        }

        return item;
    }

    /// <summary>Takes what the buffer has now, without waiting; with nothing there the array goes back to the pool.</summary>
    private bool Refill()
    {
        _taken ??= ArrayPool<StreamItem>.Shared.Rent(TakeSize);
        _next = 0;
        _count = _buffer.TryReadBatch(_taken.AsSpan(0, TakeSize));
        if (_count > 0)
        {
            return true;
        }

        ReturnArray();
        return false;
    }

    private void ReturnArray()
    {
        _taken!.AsSpan(_next, _count - _next).Clear();
        ArrayPool<StreamItem>.Shared.Return(_taken!);
        _taken = null;
        _next = _count = 0;
    }
}

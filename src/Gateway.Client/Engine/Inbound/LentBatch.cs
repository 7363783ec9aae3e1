using System.Buffers;

namespace Gateway.Client.Engine;

/// <summary>
/// The one buffer behind every <see cref="GatewayEventBatch"/> an enumeration of <see cref="GatewayClient.ReadEventBatchesAsync(int, CancellationToken)"/>
/// lends: its events, and a version that moves on each time it is released. The app is handed a
/// <see cref="GatewayEventBatch"/> stamped with the version it was lent under, never this object, so a batch (or a view)
/// kept after the enumeration moved on knows it is stale and refuses, though the buffer is refilled with the next batch:
/// no allocation per batch.
/// </summary>
internal sealed class LentBatch
{
    private readonly object _releasing = new(); // taken once per batch, never per event
    private StreamItem[]? _items;
    private int _count;
    private long _version;

    public LentBatch(int capacity)
    {
        _items = ArrayPool<StreamItem>.Shared.Rent(capacity);
    }

    /// <summary>The number of events lent now (zero once released).</summary>
    public int Count => _count;

    /// <summary>The batch the app is handed: these events, under the current version.</summary>
    public GatewayEventBatch Current => new(this, Volatile.Read(ref _version));

    /// <summary>The event at <paramref name="index"/> (below <see cref="Count"/>), or an empty item once the array is retired.</summary>
    public StreamItem ItemAt(int index) => _items is { } items ? items[index] : default;

    public void Add(StreamItem item) => _items![_count++] = item;

    /// <summary>Whether the batch stamped with <paramref name="version"/> is still the one lent.</summary>
    public bool IsCurrent(long version) => version == Volatile.Read(ref _version);

    /// <summary>
    /// Gives up the batch's holds on its buffers (one release per run of events sharing a buffer) and makes every batch and
    /// view stamped with the version so far refuse. Idempotent; <see cref="Retire"/> returns the pooled array too.
    /// </summary>
    public void Release()
    {
        lock (_releasing)
        {
            ReleaseHeld();
        }
    }

    /// <summary>
    /// Releases the batch stamped with <paramref name="version"/> if it is still the one lent (a batch the app disposes);
    /// a stale stamp does nothing, even when another thread moves the enumeration on at the same moment.
    /// </summary>
    public void Release(long version)
    {
        lock (_releasing)
        {
            if (version == Volatile.Read(ref _version))
            {
                ReleaseHeld();
            }
        }
    }

    private void ReleaseHeld()
    {
        if (_count == 0)
        {
            return;
        }

        // Batches and views refuse from here on, before any buffer is let go (a full barrier: see GatewayEventView.Bytes).
        Interlocked.Increment(ref _version);
        var items = _items!;
        var run = 0;
        for (var i = 0; i < _count; i++)
        {
            run++;
            if (i + 1 == _count || !ReferenceEquals(items[i + 1].Slab, items[i].Slab))
            {
                items[i].Slab!.Release(run);
                run = 0;
            }
        }

        items.AsSpan(0, _count).Clear();
        _count = 0;
    }

    /// <summary>Returns the batch's own array to the pool; the enumeration that owns it calls this once, at its end.</summary>
    public void Retire()
    {
        Release();
        // A batch handed out empty never was: still, no stamp taken before the end may pass for current after it.
        Interlocked.Increment(ref _version);
        if (_items is { } items)
        {
            _items = null;
            ArrayPool<StreamItem>.Shared.Return(items);
        }
    }
}

using System.Buffers;
using System.Collections;
using Gateway.Client.Engine;

namespace Gateway.Client;

/// <summary>
/// Events lent by <see cref="GatewayClient.ReadEventBatchesAsync(int, CancellationToken)"/>, in stream order, with no gap between them:
/// their bytes stay in the pooled buffers they were received into, with no copy and no allocation per event.
/// <para><b>Valid until the enumeration moves on.</b> When the app asks for the next batch, or the enumeration
/// ends, the batch is released and its buffers go back to the pool; the same instance is then reused for the next
/// batch. An event kept from a released batch still tells its <see cref="GatewayEventView.Type"/> and
/// <see cref="GatewayEventView.Sequence"/>, but reading its bytes throws <see cref="InvalidOperationException"/>,
/// so it can never show another event's bytes. Keep an event beyond its batch with <see cref="GatewayEventView.ToEvent"/>.</para>
/// <para><b>Other threads</b> may read the batch's views while the batch is current; once the consumer moves on, their
/// reads throw <see cref="InvalidOperationException"/>, even one the release overtakes half-way (see
/// <see cref="GatewayEventView"/>). The batch itself (its count, indexer and enumerator) belongs to the consumer: a view
/// taken from it while it is being released reads as released.</para>
/// </summary>
public sealed class GatewayEventBatch : IReadOnlyList<GatewayEventView>, IDisposable
{
    private StreamItem[]? _items;
    private int _count;
    private int _version;

    internal GatewayEventBatch(int capacity)
    {
        _items = ArrayPool<StreamItem>.Shared.Rent(capacity);
    }

    /// <summary>The number of events in the batch (zero once it is released).</summary>
    public int Count => _count;

    /// <summary>The event at <paramref name="index"/>, in stream order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    public GatewayEventView this[int index]
    {
        get
        {
            // The version before the item: a view taken while the batch is released or refilled is a stale one, never a current one over another item.
            var version = Volatile.Read(ref _version);
            var items = _items;
            return items is not null && (uint)index < (uint)_count
                ? new GatewayEventView(this, version, items[index])
                : throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch holds {_count} events.");
        }
    }

    /// <summary>Enumerates the batch without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<GatewayEventView> IEnumerable<GatewayEventView>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases the batch now, before the enumeration moves on (the enumeration does it anyway).</summary>
    public void Dispose() => Release();

    /// <inheritdoc />
    public override string ToString() => _count == 0 ? "empty batch" : $"{_count} events, {this[0]} to {this[_count - 1]}";

    internal void Add(StreamItem item) => _items![_count++] = item;

    /// <summary>
    /// Gives up the batch's holds on its buffers (one release per run of events sharing a buffer) and makes every view
    /// taken from it refuse its bytes. Idempotent; the last one returns the pooled array too.
    /// </summary>
    internal void Release()
    {
        if (_count == 0)
        {
            return;
        }

        // Views refuse their bytes from here on, before any buffer is let go (a full barrier: see GatewayEventView.Bytes).
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
    internal void Retire()
    {
        Release();
        if (_items is { } items)
        {
            _items = null;
            ArrayPool<StreamItem>.Shared.Return(items);
        }
    }

    internal bool IsCurrent(int version) => version == Volatile.Read(ref _version);

    /// <summary>Enumerates a <see cref="GatewayEventBatch"/> without allocating.</summary>
    public struct Enumerator : IEnumerator<GatewayEventView>
    {
        private readonly GatewayEventBatch _batch;
        private int _index;

        internal Enumerator(GatewayEventBatch batch)
        {
            _batch = batch;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly GatewayEventView Current => _batch[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _batch.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}

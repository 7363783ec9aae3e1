using System.Collections;
using Gateway.Client.Engine;

namespace Gateway.Client;

/// <summary>
/// Events lent by <see cref="GatewayClient.ReadEventBatchesAsync(int, CancellationToken)"/>, in stream order, with no gap between them:
/// their bytes stay in the pooled buffers they were received into, with no copy and no allocation per event or per batch.
/// <para><b>Valid until the enumeration moves on.</b> When the app asks for the next batch, or the enumeration ends, the
/// batch is released and its buffers go back to the pool. A batch kept beyond that refuses: its <see cref="Count"/>, its
/// indexer and its enumerator throw <see cref="InvalidOperationException"/>, so it can never show another batch's events.
/// An event kept from it still tells its <see cref="GatewayEventView.Type"/> and <see cref="GatewayEventView.Sequence"/>,
/// but reading its bytes throws <see cref="InvalidOperationException"/> too. Keep an event beyond its batch with
/// <see cref="GatewayEventView.ToEvent"/>.</para>
/// <para><b>Other threads</b> may read the batch's views while the batch is current; once the consumer moves on, their
/// reads throw <see cref="InvalidOperationException"/>, even one the release overtakes half-way (see
/// <see cref="GatewayEventView"/>). The batch itself (its count, indexer and enumerator) belongs to the consumer.</para>
/// </summary>
public readonly struct GatewayEventBatch : IReadOnlyList<GatewayEventView>, IDisposable
{
    private readonly LentBatch? _lent;
    private readonly long _version;

    internal GatewayEventBatch(LentBatch lent, long version)
    {
        _lent = lent;
        _version = version;
    }

    /// <summary>Whether the batch is still the one lent: the enumeration has not moved on and it was not disposed.</summary>
    public bool IsAvailable => _lent is not null && _lent.IsCurrent(_version);

    /// <summary>The number of events in the batch (zero in the <c>default</c> batch, which holds none).</summary>
    /// <exception cref="InvalidOperationException">The batch was released (see <see cref="IsAvailable"/>).</exception>
    public int Count => _lent is null ? 0 : Lent().Count;

    /// <summary>The event at <paramref name="index"/>, in stream order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    /// <exception cref="InvalidOperationException">The batch was released (see <see cref="IsAvailable"/>).</exception>
    public GatewayEventView this[int index]
    {
        get
        {
            if (_lent is null)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, "The default batch holds no events.");
            }

            var lent = Lent();
            return (uint)index < (uint)lent.Count
                ? new GatewayEventView(lent, _version, lent.ItemAt(index))
                : throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch holds {lent.Count} events.");
        }
    }

    /// <summary>Enumerates the batch without allocating.</summary>
    /// <exception cref="InvalidOperationException">The batch was released (see <see cref="IsAvailable"/>).</exception>
    public Enumerator GetEnumerator()
    {
        if (_lent is not null)
        {
            Lent();
        }

        return new(this);
    }

    IEnumerator<GatewayEventView> IEnumerable<GatewayEventView>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases the batch now, before the enumeration moves on (the enumeration does it anyway). A released batch's does nothing.</summary>
    public void Dispose()
    {
        // Only the batch still lent may release the buffer: a stale one would release the next batch's events. The
        // version is checked where the release happens, so a consumer moving on at the same moment cannot slip between.
        _lent?.Release(_version);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        if (_lent is null)
        {
            return "empty batch";
        }

        if (!IsAvailable)
        {
            return "released batch";
        }

        var count = _lent!.Count;
        return count == 0 ? "empty batch" : $"{count} events, {this[0]} to {this[count - 1]}";
    }

    /// <summary>The buffer, while this batch is the one it lends.</summary>
    private LentBatch Lent() => IsAvailable
        ? _lent!
        : throw new InvalidOperationException("This batch was released when the enumeration moved on (or it was disposed): a batch is valid only until the next one is asked for. Call ToEvent() on the events to keep while their batch is current.");

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
        /// <exception cref="InvalidOperationException">The batch was released.</exception>
        public readonly GatewayEventView Current => _batch[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        /// <exception cref="InvalidOperationException">The batch was released.</exception>
        public bool MoveNext() => ++_index < _batch.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}

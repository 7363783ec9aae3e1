using System.Buffers;
using System.Diagnostics;

namespace Gateway.Client.Wire;

/// <summary>
/// A pooled array that received messages are read into, back to back, and that stays alive while anyone
/// holds it: the reader while it still reads into it, and each buffered event whose bytes lie in it. The
/// last release returns the array to the pool, so an event's bytes are never copied on the receive loop and
/// never change while the event is held. A wrapped (unpooled) array is simply left to the GC.
/// </summary>
internal sealed class PayloadSlab
{
    private readonly bool _pooled;
    private readonly SlabRecycler? _recycler;
    private byte[] _array;
    private int _holders;

    private PayloadSlab(byte[] array, bool pooled, SlabRecycler? recycler)
    {
        _array = array;
        _pooled = pooled;
        _recycler = recycler;
        _holders = 1;
    }

    /// <summary>The slab of an empty message: nothing to pool.</summary>
    public static PayloadSlab Empty { get; } = Wrap(System.Array.Empty<byte>());

    /// <summary>
    /// The bytes; valid while the caller holds the slab. Read with acquire semantics, so a reader that checks afterwards
    /// whether it still may hold the slab (a lent view: <see cref="GatewayEventView"/>) knows this was the array it held.
    /// </summary>
    public byte[] Array => Volatile.Read(ref _array);

    /// <summary>Holders now (for tests and assertions).</summary>
    internal int Holders => Volatile.Read(ref _holders);

    /// <summary>
    /// Rents a pooled slab of at least <paramref name="minimumLength"/> bytes, held once by the caller. With a
    /// <paramref name="recycler"/>, the slab object itself comes from it when it has one and goes back to it after its
    /// last release, so a busy reader allocates nothing per slab either.
    /// </summary>
    public static PayloadSlab Rent(int minimumLength, SlabRecycler? recycler = null)
    {
        var array = ArrayPool<byte>.Shared.Rent(minimumLength);
        if (recycler?.Take() is { } recycled)
        {
            recycled._array = array;
            Volatile.Write(ref recycled._holders, 1);
            return recycled;
        }

        return new PayloadSlab(array, pooled: true, recycler);
    }

    /// <summary>Wraps an array that did not come from the pool (a frame the handshake read past its end).</summary>
    public static PayloadSlab Wrap(byte[] array) => new(array, pooled: false, recycler: null);

    /// <summary>One more holder; only a current holder may add one.</summary>
    public void Hold()
    {
        var holders = Interlocked.Increment(ref _holders);
        Debug.Assert(holders > 1, "A slab was held after its last release.");
    }

    /// <summary>Drops <paramref name="count"/> holds; the last one returns the array to the pool.</summary>
    public void Release(int count = 1)
    {
        var left = Interlocked.Add(ref _holders, -count);
        Debug.Assert(left >= 0, "A slab was released more often than held.");
        if (left == 0 && _pooled)
        {
            // Nobody holds it, so nobody reads it: the array goes back to the pool, the object to its recycler.
            var array = _array;
            _array = System.Array.Empty<byte>();
            ArrayPool<byte>.Shared.Return(array);
            _recycler?.Offer(this);
        }
    }
}

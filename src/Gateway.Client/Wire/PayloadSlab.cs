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
    private int _holders;

    private PayloadSlab(byte[] array, bool pooled)
    {
        Array = array;
        _pooled = pooled;
        _holders = 1;
    }

    /// <summary>The slab of an empty message: nothing to pool.</summary>
    public static PayloadSlab Empty { get; } = Wrap(System.Array.Empty<byte>());

    /// <summary>The bytes; valid while the caller holds the slab.</summary>
    public byte[] Array { get; }

    /// <summary>Holders now (for tests and assertions).</summary>
    internal int Holders => Volatile.Read(ref _holders);

    /// <summary>Rents a pooled slab of at least <paramref name="minimumLength"/> bytes, held once by the caller.</summary>
    public static PayloadSlab Rent(int minimumLength) => new(ArrayPool<byte>.Shared.Rent(minimumLength), pooled: true);

    /// <summary>Wraps an array that did not come from the pool (a frame the handshake read past its end).</summary>
    public static PayloadSlab Wrap(byte[] array) => new(array, pooled: false);

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
            ArrayPool<byte>.Shared.Return(Array);
        }
    }
}

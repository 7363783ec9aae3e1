namespace Gateway.Client.Wire;

/// <summary>
/// One spare <see cref="PayloadSlab"/> object for a reader: the consumer's last release puts a slab here, the reader's
/// next fresh slab takes it. Under load the two alternate, so slabs cost no allocation; a second spare is left to the GC.
/// </summary>
internal sealed class SlabRecycler
{
    private PayloadSlab? _spare;

    /// <summary>The spare slab object, if there is one (its array is gone: <see cref="PayloadSlab.Rent"/> gives it a new one).</summary>
    public PayloadSlab? Take() => Interlocked.Exchange(ref _spare, null);

    /// <summary>Keeps a slab object nobody holds any more, unless a spare is kept already.</summary>
    public void Offer(PayloadSlab slab) => Interlocked.CompareExchange(ref _spare, slab, null);
}

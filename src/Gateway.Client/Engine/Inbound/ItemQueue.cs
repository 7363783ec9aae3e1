namespace Gateway.Client.Engine;

/// <summary>A growable ring buffer of stream items with indexed access near the head (for drop-oldest).</summary>
internal sealed class ItemQueue
{
    // Empty to start: an idle client's buffer is usually empty; it takes 4 slots at the first item and doubles as a burst needs.
    private StreamItem[] _items = Array.Empty<StreamItem>();
    private int _head;

    public int Count { get; private set; }

    public StreamItem this[int index]
    {
        get => _items[Slot(index)];
        set => _items[Slot(index)] = value;
    }

    public void AddLast(StreamItem item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    /// <summary>Puts an item back at the head (a consumer's unread items, returned in reverse order).</summary>
    public void AddFirst(StreamItem item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _head = (_head - 1 + _items.Length) % _items.Length;
        _items[_head] = item;
        Count++;
    }

    public StreamItem RemoveFirst()
    {
        var item = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }

    /// <summary>Removes the item at <paramref name="index"/> by shifting the ones before it (cheap near the head).</summary>
    public void RemoveAt(int index)
    {
        for (var i = index; i > 0; i--)
        {
            this[i] = this[i - 1];
        }

        RemoveFirst();
    }

    private int Slot(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return (_head + index) % _items.Length;
    }

    private void Grow()
    {
        var grown = new StreamItem[Math.Max(4, _items.Length * 2)];
        for (var i = 0; i < Count; i++)
        {
            grown[i] = _items[(_head + i) % _items.Length];
        }

        _items = grown;
        _head = 0;
    }
}

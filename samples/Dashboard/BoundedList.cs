namespace Dashboard;

/// <summary>The newest <see cref="Capacity"/> items, newest first: a live stream must not grow the page without end.</summary>
public sealed class BoundedList<T>(int capacity)
{
    private readonly LinkedList<T> _items = new();

    /// <summary>How many items are kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "The capacity must be positive.");

    /// <summary>How many items were ever added (the list shows at most <see cref="Capacity"/> of them).</summary>
    public long Added { get; private set; }

    /// <summary>Adds <paramref name="item"/> at the front, forgetting the oldest beyond the capacity.</summary>
    public void Add(T item)
    {
        _items.AddFirst(item);
        Added++;
        if (_items.Count > Capacity)
        {
            _items.RemoveLast();
        }
    }

    /// <summary>The kept items, newest first.</summary>
    public IReadOnlyList<T> Snapshot() => _items.ToArray();
}

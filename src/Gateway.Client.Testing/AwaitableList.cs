namespace Gateway.Client.Testing;

/// <summary>An append-only list whose readers can await its n-th item instead of polling.</summary>
internal sealed class AwaitableList<T>
{
    private readonly List<T> _items = new();
    private readonly List<(int Count, TaskCompletionSource<T> Completion)> _waiters = new();

    public IReadOnlyList<T> Snapshot()
    {
        lock (_items)
        {
            return _items.ToArray();
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _items.Count)
                {
                    _waiters[i].Completion.TrySetResult(_items[_waiters[i].Count - 1]);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Waits until the list holds <paramref name="count"/> items, and returns the <paramref name="count"/>-th.</summary>
    public Task<T> WaitForCountAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_items)
        {
            if (_items.Count >= count)
            {
                return Task.FromResult(_items[count - 1]);
            }

            var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, completion));
            return completion.Task.WaitAsync(cancellationToken);
        }
    }
}

namespace Gateway.Client.Engine;

/// <summary>
/// One turn's own bounded buffer between the receive loop (which never waits on it) and the turn's reader. A reader that
/// falls <see cref="GatewayTurnOptions.BufferCapacity"/> updates behind gets consecutive deltas of one kind merged into
/// one (no text is dropped); other updates beyond four times the capacity are dropped and counted, and the outcome says so.
/// </summary>
internal sealed class TurnQueue
{
    private readonly object _gate = new();
    private readonly LinkedList<TurnItem> _items = new();
    private readonly int _capacity;
    private TaskCompletionSource<bool>? _waiter;

    public TurnQueue(int capacity) => _capacity = capacity;

    /// <summary>Updates dropped for a slow reader (never text, never the final).</summary>
    public int Dropped { get; private set; }

    /// <summary>Deltas merged into the one before them for a slow reader.</summary>
    public int Merged { get; private set; }

    public void Post(TurnItem item)
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            if (_items.Count >= _capacity && item.Update is { } update && TryMergeLocked(update))
            {
                Merged++;
            }
            else if (_items.Count >= _capacity * 4 && item.Update is { Kind: not GatewayTurnUpdateKind.Final and not GatewayTurnUpdateKind.TextDelta and not GatewayTurnUpdateKind.ReasoningDelta })
            {
                Dropped++;
                return;
            }
            else
            {
                _items.AddLast(item);
            }

            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(true);
    }

    public bool TryTake(out TurnItem item)
    {
        lock (_gate)
        {
            if (_items.First is { } first)
            {
                item = first.Value;
                _items.RemoveFirst();
                return true;
            }
        }

        item = default;
        return false;
    }

    /// <summary>A task that completes when something is posted (at once if something waits).</summary>
    public Task WhenPosted()
    {
        lock (_gate)
        {
            if (_items.Count > 0)
            {
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }

    private bool TryMergeLocked(GatewayTurnUpdate update)
    {
        if (update.Kind is not (GatewayTurnUpdateKind.TextDelta or GatewayTurnUpdateKind.ReasoningDelta)
            || _items.Last is not { Value.Update: { } last } node
            || last.Kind != update.Kind)
        {
            return false;
        }

        node.Value = TurnItem.For(new GatewayTurnUpdate(update.Kind, last.Text + update.Text, update.Event, null, null, update.TurnId));
        return true;
    }
}

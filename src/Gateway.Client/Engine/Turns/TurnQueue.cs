using System.Threading.Tasks.Sources;

namespace Gateway.Client.Engine;

/// <summary>
/// One turn's own bounded buffer between the receive loop (which never waits on it) and the turn's reader. A reader that
/// falls <see cref="GatewayTurnOptions.BufferCapacity"/> updates behind gets consecutive deltas of one kind merged into
/// one (no text is dropped); other updates beyond four times the capacity are dropped and counted, and the outcome says so.
/// The reader waits on one reusable wake-up (no allocation per wait), set by a post, the turn's timer or its token.
/// </summary>
internal sealed class TurnQueue : IValueTaskSource
{
    private readonly object _gate = new();
    private readonly LinkedList<TurnItem> _items = new();
    private readonly int _capacity;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private bool _woken;

    public TurnQueue(int capacity) => _capacity = capacity;

    /// <summary>Updates dropped for a slow reader (never text, never the final).</summary>
    public int Dropped { get; private set; }

    /// <summary>Deltas merged into the one before them for a slow reader.</summary>
    public int Merged { get; private set; }

    public void Post(TurnItem item)
    {
        bool wake;
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

            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>Wakes the reader (its timer fired, or its token): it looks at its bounds and token again. Remembered when nobody waits.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                _woken = true;
                return;
            }

            _waiting = false;
        }

        _core.SetResult(true);
    }

    /// <summary>Completes when something is posted or the reader is woken (at once if either happened since the last wait). One reader.</summary>
    public ValueTask WaitAsync()
    {
        lock (_gate)
        {
            if (_items.Count > 0 || _woken)
            {
                _woken = false;
                return default;
            }

            _core.Reset();
            _waiting = true;
            return new ValueTask(this, _core.Version);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

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

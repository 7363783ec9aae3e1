namespace Gateway.Client.InteropTests;

/// <summary>Every state transition of one client, with awaitable signals instead of polling.</summary>
internal sealed class TransitionRecorder
{
    private readonly List<ConnectionStateChangedEventArgs> _transitions = new();
    private readonly List<(Func<ConnectionStateChangedEventArgs, bool> Match, TaskCompletionSource<ConnectionStateChangedEventArgs> Reached)> _waiters = new();

    public TransitionRecorder(GatewayClient client) => client.StateChanged += (_, e) => Record(e);

    public IReadOnlyList<ConnectionStateChangedEventArgs> Transitions
    {
        get
        {
            lock (_transitions)
            {
                return _transitions.ToArray();
            }
        }
    }

    /// <summary>The <paramref name="ordinal"/>-th transition (from 1) that matches, already recorded or still to come.</summary>
    public Task<ConnectionStateChangedEventArgs> WaitForAsync(Func<ConnectionStateChangedEventArgs, bool> match, CancellationToken cancellationToken, int ordinal = 1)
    {
        var seen = 0;
        var counting = new Func<ConnectionStateChangedEventArgs, bool>(e => match(e) && ++seen == ordinal);
        var reached = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_transitions)
        {
            foreach (var transition in _transitions)
            {
                if (counting(transition))
                {
                    return Task.FromResult(transition);
                }
            }

            _waiters.Add((counting, reached));
        }

        return reached.Task.WaitAsync(cancellationToken);
    }

    private void Record(ConnectionStateChangedEventArgs e)
    {
        lock (_transitions)
        {
            _transitions.Add(e);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(e))
                {
                    _waiters[i].Reached.TrySetResult(e);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}

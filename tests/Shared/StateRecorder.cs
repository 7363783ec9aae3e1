namespace Gateway.Client.TestSupport;

/// <summary>
/// Every state transition of one client (its <see cref="GatewayClient.OnStateChanged"/> handler), in order, with awaitable
/// signals instead of polling; or whatever else reports in that shape (the conformance tests' retry reports).
/// </summary>
internal sealed class StateRecorder
{
    private static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(20);

    private readonly List<ConnectionStateChangedEventArgs> _transitions = new();
    private readonly List<(Func<ConnectionStateChangedEventArgs, bool> Match, int Occurrence, TaskCompletionSource<ConnectionStateChangedEventArgs> Signal)> _waiters = new();

    public StateRecorder(GatewayClient client)
        : this(record => client.OnStateChanged((e, _) =>
        {
            record(e);
            return Task.CompletedTask;
        }))
    {
    }

    /// <summary>Records what <paramref name="subscribe"/> reports to the callback it is given.</summary>
    public StateRecorder(Action<Action<ConnectionStateChangedEventArgs>> subscribe) => subscribe(Record);

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

    /// <summary>The <paramref name="occurrence"/>-th transition into <paramref name="state"/>, already recorded or still to come.</summary>
    public Task<ConnectionStateChangedEventArgs> WaitForAsync(ConnectionState state, int occurrence = 1, CancellationToken cancellationToken = default) =>
        WaitForAsync(e => e.Current == state, occurrence, cancellationToken);

    /// <summary>
    /// The <paramref name="occurrence"/>-th transition that matches, already recorded or still to come;
    /// bounded by <paramref name="cancellationToken"/>, or by 20 s when none is given.
    /// </summary>
    public Task<ConnectionStateChangedEventArgs> WaitForAsync(Func<ConnectionStateChangedEventArgs, bool> match, int occurrence = 1, CancellationToken cancellationToken = default)
    {
        lock (_transitions)
        {
            var matching = _transitions.Where(match).ToList();
            if (matching.Count >= occurrence)
            {
                return Task.FromResult(matching[occurrence - 1]);
            }

            var signal = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, occurrence, signal));
            return cancellationToken.CanBeCanceled ? signal.Task.WaitAsync(cancellationToken) : signal.Task.WaitAsync(DefaultLimit);
        }
    }

    private void Record(ConnectionStateChangedEventArgs e)
    {
        lock (_transitions)
        {
            _transitions.Add(e);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var (match, occurrence, signal) = _waiters[i];
                if (match(e) && _transitions.Count(match) == occurrence)
                {
                    signal.TrySetResult(e);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}

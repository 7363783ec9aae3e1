namespace Gateway.Client.InteropTests;

/// <summary>
/// Reads one agent turn (<see cref="GatewayClient.AskAsync"/>) in the background, as an app would, and records every
/// update in order; tests await an update of a kind or the outcome instead of sleeping. The first step of the
/// enumeration runs on the constructing thread, so turns made one after another are written in that order.
/// </summary>
internal sealed class TurnReader
{
    private readonly List<GatewayTurnUpdate> _updates = new();
    private readonly List<(Func<GatewayTurnUpdate, bool> Match, TaskCompletionSource<GatewayTurnUpdate> Signal)> _waiters = new();
    private readonly TaskCompletionSource<GatewayTurnOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TurnReader(IAsyncEnumerable<GatewayTurnUpdate> turn)
    {
        var updates = turn.GetAsyncEnumerator();
        Completion = ReadAsync(updates, updates.MoveNextAsync());
    }

    /// <summary>Starts reading a turn on <paramref name="client"/>.</summary>
    public static TurnReader Ask(GatewayClient client, string message, GatewayTurnOptions? options = null, CancellationToken cancellationToken = default) =>
        new(client.AskAsync(message, options, cancellationToken));

    /// <summary>Ends when the enumeration does (the final update read, or the enumeration threw).</summary>
    public Task Completion { get; }

    public IReadOnlyList<GatewayTurnUpdate> Updates
    {
        get
        {
            lock (_updates)
            {
                return _updates.ToArray();
            }
        }
    }

    /// <summary>The text deltas, in order, joined.</summary>
    public string DeltaText => string.Concat(Updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text));

    /// <summary>The outcome, once the final update was read (bounded by <paramref name="cancellationToken"/>).</summary>
    public async Task<GatewayTurnOutcome> OutcomeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _outcome.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("The turn did not end in time; it had: " + Describe());
        }
    }

    /// <summary>The first update that matches, already read or still to come (bounded by <paramref name="cancellationToken"/>).</summary>
    public async Task<GatewayTurnUpdate> WaitForAsync(Func<GatewayTurnUpdate, bool> match, CancellationToken cancellationToken)
    {
        Task<GatewayTurnUpdate> signal;
        lock (_updates)
        {
            if (_updates.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }

            var source = new TaskCompletionSource<GatewayTurnUpdate>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, source));
            signal = source.Task;
        }

        try
        {
            return await signal.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("The awaited update did not come in time; the turn had: " + Describe());
        }
    }

    public Task<GatewayTurnUpdate> WaitForAsync(GatewayTurnUpdateKind kind, CancellationToken cancellationToken) =>
        WaitForAsync(u => u.Kind == kind, cancellationToken);

    /// <summary>The turn as one line per update, for failure messages.</summary>
    public string Describe() => string.Join(" | ", Updates.Select(u => u.ToString()));

    private async Task ReadAsync(IAsyncEnumerator<GatewayTurnUpdate> updates, ValueTask<bool> first)
    {
        try
        {
            var more = await first;
            while (more)
            {
                Record(updates.Current);
                more = await updates.MoveNextAsync();
            }

            _outcome.TrySetException(new InvalidOperationException("The turn ended without a final update: " + Describe()));
        }
        catch (Exception ex)
        {
            _outcome.TrySetException(new InvalidOperationException("The turn's enumeration threw: " + ex.Message + "; it had: " + Describe(), ex));
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }

    private void Record(GatewayTurnUpdate update)
    {
        lock (_updates)
        {
            _updates.Add(update);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(update))
                {
                    _waiters[i].Signal.TrySetResult(update);
                    _waiters.RemoveAt(i);
                }
            }
        }

        if (update.Outcome is { } outcome)
        {
            _outcome.TrySetResult(outcome);
        }
    }
}

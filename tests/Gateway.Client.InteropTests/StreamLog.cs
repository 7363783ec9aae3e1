namespace Gateway.Client.InteropTests;

/// <summary>
/// Reads a client's event stream in the background and keeps it in order, gaps (from
/// <see cref="GatewayClient.OnGap"/>) in their stream positions, with awaitable signals.
/// </summary>
internal sealed class StreamLog : IAsyncDisposable
{
    private readonly List<object> _items = new();
    private readonly List<(Func<IReadOnlyList<object>, bool> Match, TaskCompletionSource Reached)> _waiters = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    public StreamLog(GatewayClient client)
    {
        client.OnGap = (gap, _) =>
        {
            Add(gap);
            return Task.CompletedTask;
        };
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in client.ReadEventsAsync(_stop.Token))
                {
                    Add(e);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed.
            }
        });
    }

    /// <summary>Events and gaps in stream order.</summary>
    public IReadOnlyList<object> Items
    {
        get
        {
            lock (_items)
            {
                return _items.ToArray();
            }
        }
    }

    public IReadOnlyList<GatewayEvent> Events => Items.OfType<GatewayEvent>().ToArray();

    public IReadOnlyList<GapInfo> Gaps => Items.OfType<GapInfo>().ToArray();

    /// <summary>Whether an event is a turn's last: the <c>response</c> with <c>status: final</c>.</summary>
    public static bool IsFinal(GatewayEvent e) =>
        e.Type == "response" && e.Payload.TryGetProperty("status", out var status) && status.GetString() == "final";

    /// <summary>Completes once an event matching <paramref name="match"/> has been read; returns it.</summary>
    public async Task<GatewayEvent> WaitForEventAsync(Func<GatewayEvent, bool> match, CancellationToken cancellationToken)
    {
        await WaitAsync(items => items.OfType<GatewayEvent>().Any(match), cancellationToken);
        return Events.First(match);
    }

    /// <summary>Completes once the items read so far satisfy <paramref name="match"/>.</summary>
    public Task WaitAsync(Func<IReadOnlyList<object>, bool> match, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_items)
        {
            if (match(_items))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((match, reached));
        }

        return reached.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The stream as one line per item, for failure messages.</summary>
    public string Describe() => string.Join(" | ", Items.Select(i => i switch
    {
        GatewayEvent e => $"{e.Type}#{e.Sequence}{(e.IsReplay ? " (replay)" : string.Empty)}",
        GapInfo g => $"gap {g}",
        _ => i.ToString(),
    }));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (GatewayException)
        {
            // The client ended in a terminal error; the test asserts on that itself.
        }

        _stop.Dispose();
    }

    private void Add(object item)
    {
        lock (_items)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(_items))
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}

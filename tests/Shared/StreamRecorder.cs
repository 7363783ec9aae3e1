namespace Gateway.Client.TestSupport;

/// <summary>
/// Consumes a client's stream in the background, as an app would, and records what the consumer saw, in
/// order: the events and the gaps (from <see cref="GatewayClient.OnGap"/>) in their stream positions, also
/// as one line each (<c>live N</c>, <c>replay N</c>, <c>gap Reason E->R</c>, an unnumbered event's type).
/// Tests await what they expect instead of sleeping; every wait is bounded (20 s unless a token is given).
/// </summary>
internal sealed class StreamRecorder : IAsyncDisposable
{
    private static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(20);

    private readonly GatewayClient _client;
    private readonly List<object> _items = new();
    private readonly List<string> _log = new();
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _connectCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private long _lastSequence;

    /// <param name="client">The client whose stream is read (its <see cref="GatewayClient.OnGap"/> is set).</param>
    /// <param name="recordUnnumbered">Whether unnumbered events get a line in <see cref="Log"/> (they are always in <see cref="Items"/>).</param>
    public StreamRecorder(GatewayClient client, bool recordUnnumbered = false)
    {
        _client = client;
        RecordUnnumbered = recordUnnumbered;
        client.OnGap((gap, _) =>
        {
            Add(gap, $"gap {gap.Reason} {gap.Expected}->{gap.Received?.ToString() ?? "?"}", null);
            return Task.CompletedTask;
        });
        // Reading before ConnectAsync was ever called throws, and tests often make the recorder first: it starts reading
        // at the client's first change of state (ConnectAsync has been called by then), or at once if that is past.
        client.OnStateChanged((_, _) =>
        {
            _connectCalled.TrySetResult();
            return Task.CompletedTask;
        });
        if (client.State != ConnectionState.Disconnected || client.Session is not null)
        {
            _connectCalled.TrySetResult();
        }

        _loop = Task.Run(ReadAsync);
    }

    public bool RecordUnnumbered { get; }

    /// <summary>What the consumer saw so far, one line each.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>Events and gaps in stream order.</summary>
    public IReadOnlyList<object> Items
    {
        get
        {
            lock (_log)
            {
                return _items.ToArray();
            }
        }
    }

    public IReadOnlyList<GatewayEvent> Events => Items.OfType<GatewayEvent>().ToArray();

    public IReadOnlyList<GapInfo> Gaps => Items.OfType<GapInfo>().ToArray();

    /// <summary>The numbered events seen, in order.</summary>
    public IReadOnlyList<long> Sequences => Events.Where(e => e.Sequence is not null).Select(e => e.Sequence!.Value).ToList();

    /// <summary>How the consumer's enumeration ended, once it has.</summary>
    public Exception? Error { get; private set; }

    public Task Completion => _loop;

    /// <summary>Whether an event is a turn's last: the <c>response</c> with <c>status: final</c>.</summary>
    public static bool IsFinal(GatewayEvent e) =>
        e.Type == "response" && e.Frame.TryGetProperty("status", out var status) && status.GetString() == "final";

    public Task WaitForSequenceAsync(long sequence) => WaitAsync(() => Interlocked.Read(ref _lastSequence) >= sequence, default);

    public Task WaitForAsync(string entry) => WaitAsync(() => _log.Contains(entry), default);

    /// <summary>Waits until the consumer has seen <paramref name="count"/> lines in all.</summary>
    public Task WaitForEntriesAsync(int count) => WaitAsync(() => _log.Count >= count, default);

    /// <summary>Completes once the items read so far satisfy <paramref name="match"/>.</summary>
    public Task WaitAsync(Func<IReadOnlyList<object>, bool> match, CancellationToken cancellationToken) => WaitAsync(() => match(_items), cancellationToken);

    /// <summary>Completes once an event matching <paramref name="match"/> has been read; returns the first.</summary>
    public async Task<GatewayEvent> WaitForEventAsync(Func<GatewayEvent, bool> match, CancellationToken cancellationToken)
    {
        await WaitAsync(items => items.OfType<GatewayEvent>().Any(match), cancellationToken);
        return Events.First(match);
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
        _stop.Cancel();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // The enumeration's end is recorded in Error; disposal only stops it.
        }
    }

    private Task WaitAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        lock (_log)
        {
            if (done())
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, signal));
            return cancellationToken.CanBeCanceled ? signal.Task.WaitAsync(cancellationToken) : signal.Task.WaitAsync(DefaultLimit);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await _connectCalled.Task.WaitAsync(_stop.Token);
            await foreach (var e in _client.ReadEventsAsync(_stop.Token))
            {
                Add(e, e.Sequence is { } seq ? $"{(e.IsReplay ? "replay" : "live")} {seq}" : RecordUnnumbered ? e.Type : null, e.Sequence);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Error = ex;
        }
    }

    private void Add(object item, string? line, long? sequence)
    {
        lock (_log)
        {
            _items.Add(item);
            if (line is not null)
            {
                _log.Add(line);
            }

            if (sequence is { } seq)
            {
                Interlocked.Exchange(ref _lastSequence, seq);
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Done())
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}

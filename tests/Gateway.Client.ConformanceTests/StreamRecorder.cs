namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Consumes a client's stream in the background, as an app would, and records what the consumer saw,
/// in order: <c>live N</c>, <c>replay N</c>, <c>gap Reason E->R</c>, or an unnumbered event's type.
/// Tests await what they expect instead of sleeping.
/// </summary>
internal sealed class StreamRecorder : IAsyncDisposable
{
    private readonly GatewayClient _client;
    private readonly List<string> _log = new();
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _lastSequence;

    public StreamRecorder(GatewayClient client, bool recordUnnumbered = false)
    {
        _client = client;
        RecordUnnumbered = recordUnnumbered;
        client.OnGap = (gap, _) =>
        {
            Add($"gap {gap.Reason} {gap.Expected}->{gap.Received?.ToString() ?? "?"}", null);
            return Task.CompletedTask;
        };
        _loop = Task.Run(ReadAsync);
    }

    public bool RecordUnnumbered { get; }

    /// <summary>What the consumer saw so far.</summary>
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

    /// <summary>The numbered events seen, in order.</summary>
    public IReadOnlyList<long> Sequences => Log.Where(l => l.StartsWith("live ", StringComparison.Ordinal) || l.StartsWith("replay ", StringComparison.Ordinal))
        .Select(l => long.Parse(l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>How the consumer's enumeration ended, once it has.</summary>
    public Exception? Error { get; private set; }

    public Task Completion => _loop;

    public Task WaitForSequenceAsync(long sequence) => WaitAsync(() => Interlocked.Read(ref _lastSequence) >= sequence);

    public Task WaitForAsync(string entry) => WaitAsync(() => _log.Contains(entry));

    /// <summary>Waits until the consumer has seen <paramref name="count"/> entries in all.</summary>
    public Task WaitForEntriesAsync(int count) => WaitAsync(() => _log.Count >= count);

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

    private Task WaitAsync(Func<bool> done)
    {
        lock (_log)
        {
            if (done())
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, signal));
            return signal.Task.WaitAsync(Harness.Deadline());
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var e in _client.ReadEventsAsync(_stop.Token))
            {
                if (e.Sequence is { } seq)
                {
                    Add($"{(e.IsReplay ? "replay" : "live")} {seq}", seq);
                }
                else if (RecordUnnumbered)
                {
                    Add(e.Type, null);
                }
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

    private void Add(string entry, long? sequence)
    {
        lock (_log)
        {
            _log.Add(entry);
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

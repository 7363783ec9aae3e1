using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.FleetTests;

/// <summary>
/// Keeps publishing on the gateway while the fleet changes: one numbered event to each session per round, a short pause
/// between rounds, for at most <paramref name="rounds"/> rounds or until <see cref="StopAsync"/>.
/// </summary>
internal sealed class Publisher(TestGateway gateway, IReadOnlyList<string> sessions, TimeSpan pause, int rounds) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _published;

    /// <summary>Events published so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>Stops publishing; then returns each session's last sequence number (its events are 1 to that).</summary>
    public async Task<IReadOnlyDictionary<string, long>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        return sessions.ToDictionary(key => key, key => gateway.GetSession(key).Head, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            for (var round = 1; round <= rounds && !_stop.IsCancellationRequested; round++)
            {
                foreach (var key in sessions)
                {
                    await gateway.PublishAsync(key, "tick", new JsonObject { ["round"] = round });
                    Interlocked.Increment(ref _published);
                }

                await Task.Delay(pause, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}

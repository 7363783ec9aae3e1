using Gateway.Client.OpenClaw;

namespace Gateway.Client.InteropTests;

/// <summary>The real gateway stops and starts again: the client reconnects by itself and reports the break first.</summary>
[Collection("real gateway")]
public sealed class OpenClawRestartInteropTests : IClassFixture<RunningGatewayFixture>
{
    private readonly RunningGatewayFixture _fixture;

    public OpenClawRestartInteropTests(RunningGatewayFixture fixture) => _fixture = fixture;

    [InteropFact]
    public async Task After_a_stop_and_start_the_client_reconnects_and_reports_the_continuity_break_before_new_events()
    {
        var gateway = _fixture.Gateway ?? throw new InvalidOperationException("The gateway fixture did not start.");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(200));
        await using var client = new GatewayClient(RunningGatewayFixture.ClientOptions(gateway));
        var log = new List<string>();
        var connected = new List<ConnectionStateChangedEventArgs>();
        var reconnected = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnecting = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged((e, _) =>
        {
            if (e.Current == ConnectionState.Reconnecting)
            {
                reconnecting.TrySetResult(e);
            }

            if (e.Current == ConnectionState.Connected)
            {
                lock (connected)
                {
                    connected.Add(e);
                    if (connected.Count == 2)
                    {
                        reconnected.TrySetResult(e);
                    }
                }
            }

            return Task.CompletedTask;
        });
        client.OnGap((gap, _) =>
        {
            lock (log)
            {
                log.Add($"gap {gap.Reason}");
            }

            return Task.CompletedTask;
        });
        var firstEventAfterBreak = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.ConnectAsync(limit.Token);
        var bootBefore = (client.Session!.Details as OpenClawSessionDetails)?.ServerBootId;
        var consumer = Task.Run(async () =>
        {
            await foreach (var e in client.ReadEventsAsync(limit.Token))
            {
                lock (log)
                {
                    log.Add($"{e.Type} #{e.Sequence}");
                    if (log.Contains("gap ReplayUnsupported") && e.Sequence is not null)
                    {
                        firstEventAfterBreak.TrySetResult();
                    }
                }
            }
        }, limit.Token);

        await gateway.StopAsync();
        var down = await reconnecting.Task.WaitAsync(limit.Token);
        gateway.Start();
        var up = await reconnected.Task.WaitAsync(limit.Token);
        await client.RequestAsync("health", limit.Token);
        await firstEventAfterBreak.Task.WaitAsync(limit.Token);

        Assert.NotNull(down.Cause);
        Assert.Equal(ContinuityOutcome.NotResumable, up.Continuity!.Outcome);
        Assert.NotEqual(bootBefore, (client.Session!.Details as OpenClawSessionDetails)?.ServerBootId);
        string[] seen;
        lock (log)
        {
            seen = log.ToArray();
        }

        var gapAt = Array.IndexOf(seen, "gap ReplayUnsupported");
        Assert.True(gapAt >= 0, string.Join(" | ", seen));
        Assert.EndsWith("#1", seen.Skip(gapAt + 1).First(l => !l.StartsWith("gap", StringComparison.Ordinal) && !l.EndsWith("#", StringComparison.Ordinal)));
        Assert.Contains(seen.Take(gapAt), l => l.StartsWith("shutdown #", StringComparison.Ordinal));
    }
}

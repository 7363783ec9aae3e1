using Gateway.Client.PraisonAI;
namespace Gateway.Client.InteropTests;

/// <summary>
/// The real PraisonAI gateway stopped (SIGTERM) and started again on the same port with the same
/// persisted state (SQLite): the client rides out the outage and resumes its session from what the
/// gateway persisted. A gateway of its own, since it is restarted.
/// </summary>
[Collection("real gateway")]
public sealed class PraisonAiRestartInteropTests
{
    [PraisonAiFact]
    public async Task After_a_restart_the_session_resumes_from_its_persisted_history()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var gateway = await PraisonAiGateway.StartAsync(heartbeatMilliseconds: 30_000);
        await using var proxy = new LoopbackProxy(gateway.Port);
        await using var client = new GatewayClient(gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(limit.Token);
        var sessionId = client.Session!.SessionId;
        await using var log = new StreamRecorder(client);
        await client.SendMessageAsync("seen", limit.Token);
        var seen = await log.WaitForEventAsync(StreamRecorder.IsFinal, limit.Token);

        // A whole turn the gateway sends (and records) but the client never sees; then the gateway stops.
        var link = proxy.LinkAt(1);
        link.WithholdFromClient();
        await client.SendMessageAsync("unseen", limit.Token);
        await link.WaitForWithheldAsync(LoopbackProxy.Link.Containing("echo: unseen\", \"outcome"), limit.Token);
        await gateway.StopAsync();
        proxy.DropAll();
        var down = await transitions.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: limit.Token);

        // Started again with the same persisted state: the client, retrying meanwhile, resumes from it.
        await gateway.StartAgainAsync();
        var back = await transitions.WaitForAsync(ConnectionState.Connected, 2, limit.Token);
        await client.SendMessageAsync("after", limit.Token);
        await log.WaitForEventAsync(e => StreamRecorder.IsFinal(e) && e.Frame.GetProperty("content").GetString() == "echo: after", limit.Token);

        Assert.NotNull(down.Cause);
        Assert.Equal(ContinuityOutcome.Resumed, back.Continuity!.Outcome);
        Assert.Equal(sessionId, client.Session!.SessionId);
        Assert.True(client.Session.Resumed);
        var events = log.Events;
        var first = seen.Sequence!.Value - 4;
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long?)(first + i)), events.Select(e => e.Sequence));
        Assert.All(events.Skip(5).Take(5), e => Assert.True(e.IsReplay, log.Describe()));
        Assert.Equal("echo: unseen", events[9].Frame.GetProperty("content").GetString());
        Assert.All(events.Skip(10), e => Assert.False(e.IsReplay, log.Describe()));
        Assert.Empty(log.Gaps);
    }
}

using System.Text.Json;
using Gateway.Client.Praxis;

namespace Gateway.Client.InteropTests;

/// <summary>
/// The real Praxis handler stopped and started again on the same port: the client rides out the outage,
/// reports the continuity break (nothing can be replayed) and re-sends its subscriptions. A server of its
/// own, since it is restarted.
/// </summary>
[Collection("real gateway")]
public sealed class PraxisRestartInteropTests
{
    [PraxisFact]
    public async Task A_restart_reconnects_reports_the_break_and_re_sends_the_subscriptions()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var agent = await PraxisAgent.StartAsync();
        var options = agent.ClientOptions();
        options.GetDialectOptions<PraxisOptions>().EventTypes = new List<string> { "task.started", "task.completed" };
        await using var client = new GatewayClient(options);
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(limit.Token);
        await using var log = new StreamRecorder(client);
        await client.RequestAsync(PraxisCommands.ChatMessage, JsonDocument.Parse("""{"content":"before"}""").RootElement, cancellationToken: limit.Token);
        Assert.Equal(1, agent.FramesReceived(PraxisCommands.SubscribeEvents));

        // The server stops (the handler never closes: the client sees the connection lost) and comes back.
        await agent.StopAsync();
        var down = await transitions.WaitForAsync(ConnectionState.Reconnecting, cancellationToken: limit.Token);
        await agent.StartAgainAsync();
        var back = await transitions.WaitForAsync(ConnectionState.Connected, 2, limit.Token);
        var reply = await client.RequestAsync(PraxisCommands.ChatMessage, JsonDocument.Parse("""{"content":"after"}""").RootElement, cancellationToken: limit.Token);
        await log.WaitForAsync("gap ReplayUnsupported 1->?");

        Assert.NotNull(down.Cause);
        Assert.Equal(ContinuityOutcome.NotResumable, back.Continuity!.Outcome);
        Assert.Null(Assert.Single(log.Gaps).Received);
        Assert.Equal("I received your message: after", reply.GetProperty("content").GetString());
        Assert.Equal(2, agent.FramesReceived(PraxisCommands.SubscribeEvents)); // once per server lifetime: re-sent after the restart
        Assert.Equal(2, client.Statistics.SessionRestoreFramesSent);
        Assert.Equal(0, client.Statistics.EventsReceived); // the welcome notices that answered them were control
    }
}

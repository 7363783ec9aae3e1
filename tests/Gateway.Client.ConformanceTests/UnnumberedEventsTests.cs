using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Frames", frames without seq: delivered live, outside numbering.</summary>
public class UnnumberedEventsTests
{
    [Fact]
    public async Task Unnumbered_and_unknown_frames_are_delivered_in_place_without_a_sequence()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;

        await gateway.PublishAsync(id, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);
        await gateway.PublishUnnumberedAsync(id, new JsonObject { ["type"] = "status", ["state"] = "thinking" });
        await gateway.PublishUnnumberedAsync(id, new JsonObject { ["type"] = "made_up_future_type", ["x"] = 1 });
        await gateway.PublishAsync(id, "message", Harness.Data("n", "2"), EnvelopeShape.Flat);
        var events = await client.ReadAsync(4, Harness.Deadline());

        Assert.Equal(new[] { "message", "status", "made_up_future_type", "message" }, events.Select(e => e.Type));
        Assert.Equal(new long?[] { 1, null, null, 2 }, events.Select(e => e.Sequence));
        Assert.Equal("thinking", events[1].Frame.GetProperty("state").GetString());
        Assert.Equal(0, client.Statistics.Gaps);
        Assert.Equal(2, client.Cursor);
    }

    [Fact]
    public async Task Abort_without_a_turn_answers_no_active_turn()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());

        await client.AbortAsync("user", Harness.Deadline());

        var e = Assert.Single(await client.ReadAsync(1, Harness.Deadline()));
        Assert.Equal("no_active_turn", e.Type);
        Assert.Null(e.Sequence);
    }

    [Fact]
    public async Task Abort_during_a_turn_answers_aborted()
    {
        var agent = new BlockingAgent();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Agent = agent });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        await client.SendMessageAsync("work", Harness.Deadline());
        await agent.Started.WaitAsync(Harness.Deadline());

        await client.AbortAsync("changed my mind", Harness.Deadline());
        var events = await client.ReadUntilAsync(e => e.Type == "aborted", Harness.Deadline());

        Assert.Equal("accepted", events[0].Frame.GetProperty("status").GetString());
        Assert.Equal("changed my mind", events[^1].Frame.GetProperty("reason").GetString());
        Assert.Null(events[^1].Sequence);
    }

    [Fact]
    public async Task Leave_is_answered_with_left_before_the_stream_ends()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var reading = client.ReadUntilAsync(_ => false, Harness.Deadline());

        await client.DisconnectAsync(Harness.Deadline());
        var events = await reading;

        Assert.Equal("left", Assert.Single(events).Type);
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.Contains(connection.ReceivedFrames, f => f.GetProperty("type").GetString() == "leave");
    }

    private sealed class BlockingAgent : TestAgent
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public override async Task<string> RunTurnAsync(TestAgentTurn turn, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            await Harness.UntilCancelledAsync(cancellationToken);
            return "never";
        }
    }
}

using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// <see cref="GatewayEvent.ResumePoint"/> and <see cref="GatewayEventView.ResumePoint"/>: the point that resumes right
/// after the event, from the session and epoch it was received in; null where the dialect cannot resume a stream.
/// </summary>
public class ResumePointTests
{
    [Fact]
    public async Task Each_event_resumes_after_its_own_number_and_an_unnumbered_one_after_the_last_number_before_it()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        var epoch = gateway.GetSession(id).Epoch;
        await gateway.PublishUnnumberedAsync(id, new JsonObject { ["type"] = "status", ["state"] = "idle" }); // before any number: after the head (0)
        await gateway.PublishMessagesAsync(id, "1", "2");
        await gateway.PublishUnnumberedAsync(id, new JsonObject { ["type"] = "status", ["state"] = "thinking" });
        await gateway.PublishMessagesAsync(id, "3");

        var events = await client.ReadAsync(5, Harness.Deadline());

        Assert.Equal(new long?[] { null, 1, 2, null, 3 }, events.Select(e => e.Sequence));
        Assert.Equal(new long[] { 0, 1, 2, 2, 3 }, events.Select(e => e.ResumePoint!.Sequence));
        Assert.All(events, e => Assert.Equal((id, epoch), (e.ResumePoint!.SessionId, e.ResumePoint.Epoch)));
    }

    [Fact]
    public async Task A_lent_event_has_the_same_point_as_its_copy_and_keeps_it_once_the_batch_is_gone()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        var epoch = gateway.GetSession(id).Epoch;
        await gateway.PublishMessagesAsync(id, "1");
        await gateway.PublishUnnumberedAsync(id, new JsonObject { ["type"] = "status", ["state"] = "thinking" });
        await gateway.PublishMessagesAsync(id, "2");

        var kept = new List<GatewayEventView>();
        await foreach (var batch in client.ReadEventBatchesAsync(cancellationToken: Harness.Deadline()))
        {
            foreach (var e in batch)
            {
                Assert.Equal(e.ToEvent().ResumePoint, e.ResumePoint);
                kept.Add(e);
            }

            if (kept.Count == 3)
            {
                break;
            }
        }

        Assert.All(kept, e => Assert.False(e.IsAvailable));
        Assert.Equal(
            new[] { new GatewayResumePoint(id, epoch, 1), new GatewayResumePoint(id, epoch, 1), new GatewayResumePoint(id, epoch, 2) },
            kept.Select(e => e.ResumePoint));
    }

    [Fact]
    public async Task After_a_restart_that_lost_history_the_points_name_the_new_epoch()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var id = client.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2");
        var before = await client.ReadAsync(2, Harness.Deadline());
        await client.DisconnectAsync(Harness.Deadline());
        await gateway.RestartAsync(RestartMode.LoseHistory);
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishMessagesAsync(id, "new-1");

        var after = (await client.ReadUntilAsync(e => e.Sequence == 1, Harness.Deadline()))[^1]; // after the 'left' and the gap

        Assert.NotEqual(before[^1].ResumePoint!.Epoch, after.ResumePoint!.Epoch);
        Assert.Equal(new GatewayResumePoint(id, gateway.GetSession(id).Epoch, 1), after.ResumePoint);
        Assert.Equal(client.Session!.Epoch, after.ResumePoint!.Epoch);
    }

    [Fact]
    public async Task OpenClaw_events_have_no_resume_point()
    {
        await using var s = await Scenario.StartAsync(
            new TestGatewayOptions { Dialect = TestGatewayDialect.OpenClaw, EnableHeartbeat = false },
            o => o.Dialect = ProtocolDialect.OpenClaw);
        var (gateway, client, _) = s;
        await gateway.PublishOpenClawEventAsync("health", new JsonObject { ["ok"] = true });
        await gateway.PublishOpenClawEventAsync("tick", new JsonObject { ["ts"] = 1 });

        var e = (await client.ReadAsync(1, Harness.Deadline()))[0];
        GatewayResumePoint? lent = new("not", null, 0);
        await foreach (var batch in client.ReadEventBatchesAsync(cancellationToken: Harness.Deadline()))
        {
            lent = batch[0].ResumePoint;
            break;
        }

        Assert.Equal(1, e.Sequence);
        Assert.Null(e.ResumePoint);
        Assert.Null(lent);
    }

    [Fact]
    public async Task Praxis_events_have_no_resume_point()
    {
        await using var s = await Scenario.StartAsync(
            new TestGatewayOptions { Dialect = TestGatewayDialect.Praxis, EnableHeartbeat = false },
            o =>
            {
                o.Dialect = ProtocolDialect.Praxis;
                o.AgentId = null;
            });
        var (gateway, client, _) = s;
        await gateway.PublishPraxisEventAsync("workflowProgress", new JsonObject { ["workflowId"] = "wf-1" });

        var e = (await client.ReadAsync(1, Harness.Deadline()))[0];

        Assert.Equal("workflowProgress", e.Type);
        Assert.Null(e.ResumePoint);
    }
}

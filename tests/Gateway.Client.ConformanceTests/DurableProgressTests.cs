using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// The one rule for durable progress (README, "Durable progress"): store <c>e.ResumePoint</c> after handling <c>e</c>,
/// and give it back as <see cref="GatewayClientOptions.ResumeFrom"/>. The app stores its text (<c>ToString()</c>) and
/// reads it back (<see cref="GatewayResumePoint.Parse"/>), as it would from a file or a database column. A crash between
/// handling and storing redelivers (at-least-once); a clean store never does.
/// </summary>
public class DurableProgressTests
{
    /// <summary>
    /// Reads until <paramref name="count"/> events were handled (numbered ones, and unnumbered ones too when
    /// <paramref name="countUnnumbered"/>); stores the point after each one unless told to crash first.
    /// </summary>
    private static async Task<(List<GatewayEvent> Handled, string? Stored)> RunAppAsync(GatewayClient client, int count, long? crashAfterHandling = null, string? stored = null, bool countUnnumbered = false)
    {
        var handled = new List<GatewayEvent>();
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            if (e.Sequence is null && !countUnnumbered)
            {
                continue;
            }

            handled.Add(e);                                 // 1. handle
            if (e.Sequence is { } sequence)
            {
                Assert.Equal(sequence, client.Cursor);      // the client's own count already says "yielded", before the handling is done
            }

            if (e.Sequence is { } crashed && crashed == crashAfterHandling)
            {
                break;                                      // the process dies before it stores
            }

            stored = e.ResumePoint!.ToString();             // 2. then store
            if (handled.Count == count)
            {
                break;
            }
        }

        return (handled, stored);
    }

    private static GatewayClient Resumed(TestGateway gateway, string stored) =>
        new(Harness.OptionsFor(gateway, o => o.ResumeFrom = GatewayResumePoint.Parse(stored)));

    private static List<long> Numbers(IEnumerable<GatewayEvent> events) => events.Where(e => e.Sequence is not null).Select(e => e.Sequence!.Value).ToList();

    [Fact]
    public async Task A_crash_between_handling_and_storing_redelivers_the_event()
    {
        await using var gateway = await TestGateway.StartAsync();
        var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var id = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        var (handled, stored) = await RunAppAsync(first, 3, crashAfterHandling: 3);
        await first.DisposeAsync();
        await gateway.PublishMessagesAsync(id, "4");

        await using var second = Resumed(gateway, stored!);
        await second.ConnectAsync(Harness.Deadline());
        var (again, _) = await RunAppAsync(second, 2);

        Assert.Equal(new long[] { 1, 2, 3 }, Numbers(handled));
        Assert.Equal(2, GatewayResumePoint.Parse(stored!).Sequence);
        Assert.Equal(new long[] { 3, 4 }, Numbers(again)); // #3 handled twice: at-least-once
    }

    /// <summary>
    /// The restart test: the point of the last handled event goes through its text and back, and the restarted
    /// client gets exactly the events after it (some it had received unhandled, some published while it was away).
    /// </summary>
    [Fact]
    public async Task A_restart_from_a_stored_points_text_gets_exactly_the_events_after_the_stored_one()
    {
        await using var gateway = await TestGateway.StartAsync();
        var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var id = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3", "4", "5");
        var (handled, stored) = await RunAppAsync(first, 3); // 4 and 5 arrive, but the process stops before handling them
        await first.DisposeAsync();
        await gateway.PublishMessagesAsync(id, "6", "7");

        var point = GatewayResumePoint.Parse(stored!);
        await using var second = new GatewayClient(Harness.OptionsFor(gateway, o => o.ResumeFrom = point));
        await second.ConnectAsync(Harness.Deadline());
        var (again, _) = await RunAppAsync(second, 4);

        Assert.Equal(handled[^1].ResumePoint, point);
        Assert.Equal((id, gateway.GetSession(id).Epoch, 3L), (point.SessionId, point.Epoch, point.Sequence));
        Assert.Equal(new long[] { 4, 5, 6, 7 }, Numbers(again));
        Assert.All(again, e => Assert.True(e.IsReplay));
        Assert.True(second.Session!.Resumed);
        Assert.Equal(second.Session.SessionId, again[^1].ResumePoint!.SessionId);
        Assert.Equal(0, second.Statistics.DuplicatesDropped); // nothing up to the stored one was even asked for
        Assert.Equal(0, second.Statistics.Gaps);
    }

    [Fact]
    public async Task An_unnumbered_events_point_resumes_after_the_last_number_before_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var id = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2");
        await gateway.PublishUnnumberedAsync(id, new JsonObject { ["type"] = "status", ["state"] = "thinking" });
        await gateway.PublishMessagesAsync(id, "3");
        var (handled, stored) = await RunAppAsync(first, 3, countUnnumbered: true); // #1, #2, the status: #3 is never handled
        await first.DisposeAsync();

        await using var second = Resumed(gateway, stored!);
        await second.ConnectAsync(Harness.Deadline());
        var (again, _) = await RunAppAsync(second, 1);

        Assert.Equal(("status", null), (handled[^1].Type, handled[^1].Sequence));
        Assert.Equal(2, GatewayResumePoint.Parse(stored!).Sequence);
        Assert.Equal(new long[] { 3 }, Numbers(again));
    }

    [Fact]
    public async Task A_clean_store_never_redelivers()
    {
        await using var gateway = await TestGateway.StartAsync();
        var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var id = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        var (_, stored) = await RunAppAsync(first, 3);
        await first.DisposeAsync();
        await gateway.PublishMessagesAsync(id, "4", "5");

        await using var second = Resumed(gateway, stored!);
        await second.ConnectAsync(Harness.Deadline());
        var (again, _) = await RunAppAsync(second, 2);

        var point = GatewayResumePoint.Parse(stored!);
        Assert.Equal(3, point.Sequence);
        Assert.Equal(gateway.GetSession(id).Epoch, point.Epoch);
        Assert.Equal(new long[] { 4, 5 }, Numbers(again));
        Assert.True(second.Session!.Resumed);
    }
}

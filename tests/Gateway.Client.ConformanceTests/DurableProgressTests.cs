using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// The one rule for durable progress: persist (Session.SessionId, Session.Epoch, e.Sequence) after handling e, and
/// pass them back as ResumeSessionId, ResumeEpoch and ResumeCursor. A crash between handling and persisting
/// redelivers (at-least-once); a clean persist never does.
/// </summary>
public class DurableProgressTests
{
    /// <summary>What the app writes to its own store after handling an event.</summary>
    private sealed record Progress(string SessionId, string? Epoch, long Sequence);

    /// <summary>Reads until <paramref name="count"/> numbered events were handled; persists after each one unless told to crash first.</summary>
    private static async Task<(List<long> Handled, Progress? Persisted)> RunAppAsync(GatewayClient client, int count, long? crashAfterHandling = null, Progress? persisted = null)
    {
        var handled = new List<long>();
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            if (e.Sequence is not { } sequence)
            {
                continue;
            }

            handled.Add(sequence);                         // 1. handle
            Assert.Equal(sequence, client.Cursor);         // Cursor already says "yielded", before the handling is done
            if (sequence == crashAfterHandling)
            {
                break;                                     // the process dies before it persists
            }

            persisted = new Progress(client.Session!.SessionId, client.Session.Epoch, sequence); // 2. then persist
            if (handled.Count == count)
            {
                break;
            }
        }

        return (handled, persisted);
    }

    private static GatewayClient Resumed(TestGateway gateway, Progress progress) => new(Harness.OptionsFor(gateway, o =>
    {
        o.ResumeSessionId = progress.SessionId;
        o.ResumeEpoch = progress.Epoch;
        o.ResumeCursor = progress.Sequence;
    }));

    [Fact]
    public async Task A_crash_between_handling_and_persisting_redelivers_the_event()
    {
        await using var gateway = await TestGateway.StartAsync();
        var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var id = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        var (handled, persisted) = await RunAppAsync(first, 3, crashAfterHandling: 3);
        await first.DisposeAsync();
        await gateway.PublishMessagesAsync(id, "4");

        await using var second = Resumed(gateway, persisted!);
        await second.ConnectAsync(Harness.Deadline());
        var (again, _) = await RunAppAsync(second, 2);

        Assert.Equal(new long[] { 1, 2, 3 }, handled);
        Assert.Equal(2, persisted!.Sequence);
        Assert.Equal(new long[] { 3, 4 }, again); // #3 handled twice: at-least-once
    }

    [Fact]
    public async Task A_clean_persist_never_redelivers()
    {
        await using var gateway = await TestGateway.StartAsync();
        var first = new GatewayClient(Harness.OptionsFor(gateway));
        await first.ConnectAsync(Harness.Deadline());
        var id = first.Session!.SessionId;
        await gateway.PublishMessagesAsync(id, "1", "2", "3");
        var (_, persisted) = await RunAppAsync(first, 3);
        await first.DisposeAsync();
        await gateway.PublishMessagesAsync(id, "4", "5");

        await using var second = Resumed(gateway, persisted!);
        await second.ConnectAsync(Harness.Deadline());
        var (again, _) = await RunAppAsync(second, 2);

        Assert.Equal(3, persisted!.Sequence);
        Assert.Equal(gateway.GetSession(id).Epoch, persisted.Epoch);
        Assert.Equal(new long[] { 4, 5 }, again);
        Assert.True(second.Session!.Resumed);
    }
}

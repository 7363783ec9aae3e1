using Gateway.Client.Engine;

namespace Gateway.Client.Tests;

public class TurnQueueTests
{
    private static TurnItem Delta(string text, GatewayTurnUpdateKind kind = GatewayTurnUpdateKind.TextDelta) => TurnItem.For(GatewayModelFactory.GatewayTurnUpdate(kind, text));

    private static List<GatewayTurnUpdate> Drain(TurnQueue queue)
    {
        var updates = new List<GatewayTurnUpdate>();
        while (queue.TryTake(out var item))
        {
            updates.Add(item.Update!);
        }

        return updates;
    }

    [Fact]
    public void A_slow_readers_queue_merges_consecutive_deltas_of_a_kind_and_loses_no_text()
    {
        var queue = new TurnQueue(capacity: 2);
        foreach (var piece in new[] { "a", "b", "c", "d" })
        {
            queue.Post(Delta(piece));
        }

        queue.Post(Delta("r1", GatewayTurnUpdateKind.ReasoningDelta));
        queue.Post(Delta("e"));

        var updates = Drain(queue);
        Assert.Equal(new[] { "a", "bcd", "r1", "e" }, updates.Select(u => u.Text));
        Assert.Equal(2, queue.Merged);
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public void Beyond_four_times_the_capacity_status_updates_are_dropped_and_counted_but_never_text_or_the_final()
    {
        var queue = new TurnQueue(capacity: 1);
        for (var i = 0; i < 6; i++)
        {
            queue.Post(TurnItem.For(GatewayModelFactory.GatewayTurnUpdate(GatewayTurnUpdateKind.Status, "s" + i)));
        }

        queue.Post(TurnItem.For(GatewayModelFactory.GatewayTurnUpdate(GatewayTurnUpdateKind.Final, outcome: GatewayModelFactory.GatewayTurnOutcome(GatewayTurnStatus.Completed, "x"))));

        var updates = Drain(queue);
        Assert.Equal(2, queue.Dropped);
        Assert.Equal(5, updates.Count);
        Assert.Equal(GatewayTurnUpdateKind.Final, updates[^1].Kind);
    }

    [Fact]
    public async Task A_waiting_reader_is_woken_by_the_next_post_and_a_wake_with_nobody_waiting_is_remembered()
    {
        var queue = new TurnQueue(capacity: 4);
        var posted = queue.WaitAsync().AsTask();
        Assert.False(posted.IsCompleted);

        queue.Post(Delta("a"));
        await posted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(queue.WaitAsync().IsCompleted); // something waits: no wait at all
        Assert.True(queue.TryTake(out _));

        queue.Wake(); // the timer fired while the reader was busy
        Assert.True(queue.WaitAsync().IsCompleted);
        var next = queue.WaitAsync().AsTask();
        Assert.False(next.IsCompleted); // remembered once
        queue.Wake();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

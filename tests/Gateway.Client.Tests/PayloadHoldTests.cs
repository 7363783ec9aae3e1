using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Tests;

/// <summary>
/// An event's bytes stay in the pooled slab they were received into: every hold an event takes is given back exactly once,
/// whichever way it leaves the stream (read one by one, lent in a batch, dropped, covered by a resync, or left for the next
/// enumeration), so the slab goes back to the pool and never while anyone can still read it.
/// </summary>
public class PayloadHoldTests
{
    private readonly ClientCounters _counters = new(new ClientTelemetry(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" }));

    /// <summary>A slab holding <c>{}</c>, as the reader leaves it: its own hold already given up once <paramref name="events"/> hold it.</summary>
    private static PayloadSlab SlabFor(EventBuffer buffer, params long[] events)
    {
        var slab = PayloadSlab.Rent(64);
        "{}"u8.CopyTo(slab.Array);
        foreach (var seq in events)
        {
            slab.Hold();
            Assert.True(buffer.WriteEventAsync(StreamItem.ForEvent(slab, 0, 2, "message", seq, false, EventBodyShape.Envelope), default).IsCompletedSuccessfully);
        }

        slab.Release(); // the reader moved on
        return slab;
    }

    private EventReader ReaderOf(EventBuffer buffer) => new(buffer, _counters, NullLogger.Instance, () => 1, CancellationToken.None);

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public void A_slab_its_last_holder_released_is_reused_by_the_next_rent_with_a_fresh_array_and_never_while_held()
    {
        var recycler = new SlabRecycler();
        var first = PayloadSlab.Rent(64, recycler);
        first.Hold(); // an event

        first.Release(); // the reader moves on
        Assert.NotSame(first, PayloadSlab.Rent(64, recycler)); // still held: not offered

        first.Release(); // the event is done with it
        Assert.Empty(first.Array); // its array went back to the pool
        var second = PayloadSlab.Rent(64, recycler);
        Assert.Same(first, second);
        Assert.Equal(1, second.Holders);
        Assert.True(second.Array.Length >= 64);
        Assert.NotSame(second, PayloadSlab.Rent(64, recycler)); // one spare, taken
    }

    [Fact]
    public async Task Events_read_one_by_one_are_copies_and_give_their_holds_back_as_they_are_handed_out()
    {
        var buffer = new EventBuffer(16, BackpressureMode.Wait, _counters);
        var slab = SlabFor(buffer, 1, 2, 3);
        Assert.Equal(3, slab.Holders);

        await using var events = ReaderOf(buffer).ReadAsync(Deadline()).GetAsyncEnumerator();
        var copies = new List<GatewayEvent>();
        for (var held = 2; held >= 0; held--)
        {
            Assert.True(await events.MoveNextAsync());
            copies.Add(events.Current);
            Assert.Equal(held, slab.Holders);
        }

        Assert.All(copies, e => Assert.Equal("{}"u8.ToArray(), e.Utf8Frame.ToArray()));
        Assert.DoesNotContain(copies, e => ReferenceEquals(e.Utf8Frame.ToArray(), slab.Array));
    }

    [Fact]
    public async Task A_batch_keeps_its_holds_while_it_is_current_and_gives_them_back_when_the_enumeration_moves_on()
    {
        var buffer = new EventBuffer(16, BackpressureMode.Wait, _counters);
        var slab = SlabFor(buffer, 1, 2, 3);
        buffer.WriteEndOfRun(1, null);

        await using var batches = ReaderOf(buffer).ReadBatchesAsync(256, Deadline()).GetAsyncEnumerator();
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal(3, batches.Current.Count);
        Assert.Equal(3, slab.Holders);

        Assert.False(await batches.MoveNextAsync()); // the end of the run
        Assert.Equal(0, slab.Holders);
        Assert.Equal(3, _counters.Snapshot().EventsDelivered);
    }

    [Fact]
    public async Task Dropped_events_and_events_a_resync_covers_give_their_holds_back()
    {
        var buffer = new EventBuffer(2, BackpressureMode.DropOldest, _counters);
        var slab = SlabFor(buffer, 1, 2, 3, 4);
        Assert.Equal(2, slab.Holders); // 1 and 2 were dropped for 3 and 4

        var reader = ReaderOf(buffer);
        reader.ApplyResync(4); // a snapshot the app already has covers 3 and 4
        buffer.WriteEndOfRun(1, null);
        await foreach (var batch in reader.ReadBatchesAsync(256, Deadline()))
        {
            Assert.Fail($"nothing is left to deliver, yet a batch came: {batch}");
        }

        Assert.Equal(0, slab.Holders);
        Assert.Equal(2, _counters.Snapshot().CoveredByResync);
    }

    [Fact]
    public async Task Events_a_stopped_batch_enumeration_never_handed_out_stay_held_for_the_next_one()
    {
        var buffer = new EventBuffer(16, BackpressureMode.Wait, _counters);
        var slab = SlabFor(buffer, 1, 2, 3);
        var reader = ReaderOf(buffer);

        await using (var batches = reader.ReadBatchesAsync(1, Deadline()).GetAsyncEnumerator())
        {
            Assert.True(await batches.MoveNextAsync());
            Assert.Equal(1, batches.Current[0].Sequence);
        }

        Assert.Equal(2, slab.Holders); // the batch's one went back; 2 and 3 wait in the buffer, still held

        var rest = new List<long?>();
        await using var events = reader.ReadAsync(Deadline()).GetAsyncEnumerator();
        while (rest.Count < 2 && await events.MoveNextAsync())
        {
            rest.Add(events.Current.Sequence);
        }

        Assert.Equal(new long?[] { 2, 3 }, rest);
        Assert.Equal(0, slab.Holders);
    }
}

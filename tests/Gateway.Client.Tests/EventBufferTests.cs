using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Gateway.Client.Wire;

namespace Gateway.Client.Tests;

public class EventBufferTests
{
    private readonly ClientCounters _counters = new(new ClientTelemetry(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" }));

    private static StreamItem Event(long? seq) => StreamItem.ForEvent(PayloadSlab.Wrap("{}"u8.ToArray()), 0, 2, seq is null ? "status" : "message", seq, false, EventBodyShape.Envelope);

    /// <summary>Takes one item and hands it out, as the consumer (<see cref="ClaimedStream"/>) would.</summary>
    private static bool TryTake(EventBuffer buffer, out StreamItem item)
    {
        var taken = Take(buffer, 1);
        item = taken.Count == 1 ? taken[0] : default;
        return taken.Count == 1;
    }

    /// <summary>Takes up to <paramref name="count"/> items under one lock and hands them all out, as the consumer would.</summary>
    private static List<StreamItem> Take(EventBuffer buffer, int count)
    {
        var taken = new StreamItem[count];
        var items = taken.AsSpan(0, buffer.TryReadBatch(taken)).ToArray().ToList();
        foreach (var item in items.Where(i => i.IsEvent))
        {
            buffer.HandedOut();
        }

        buffer.Settle(); // its look-ahead ran out
        return items;
    }

    private static List<string> Drain(EventBuffer buffer)
    {
        var items = new List<string>();
        while (TryTake(buffer, out var item))
        {
            items.Add(item.Gap is { } gap ? $"gap {gap.Reason} {gap.Expected}->{gap.Received} @{item.CursorAfterGap}"
                : item.EndOfRun != 0 ? $"end {item.EndOfRun}"
                : item.Sequence is { } seq ? $"#{seq}" : item.Type);
        }

        return items;
    }

    [Fact]
    public async Task A_waiting_consumer_is_woken_once_for_a_burst_when_the_receive_loop_flushes()
    {
        var buffer = new EventBuffer(1024, BackpressureMode.Wait, _counters);
        var wait = buffer.WaitToReadAsync(default);

        for (var seq = 1; seq <= 10; seq++)
        {
            Assert.True(buffer.WriteEventAsync(Event(seq), default).IsCompletedSuccessfully);
        }

        Assert.False(wait.IsCompleted); // held back: the receive loop has more to read first
        buffer.Flush();
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"#{n}"), Drain(buffer));
    }

    [Fact]
    public async Task A_socket_that_never_pauses_still_wakes_the_consumer_every_WakeBatch_events()
    {
        var buffer = new EventBuffer(1024, BackpressureMode.Wait, _counters);
        var wait = buffer.WaitToReadAsync(default);

        for (var seq = 1; seq < EventBuffer.WakeBatch; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        Assert.False(wait.IsCompleted);
        await buffer.WriteEventAsync(Event(EventBuffer.WakeBatch), default);
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Gap_and_end_notices_wake_the_consumer_at_once()
    {
        var buffer = new EventBuffer(1024, BackpressureMode.Wait, _counters);
        var beforeGap = buffer.WaitToReadAsync(default);
        buffer.WriteGap(new GapInfo(1, 5, GapReason.SequenceJump), 4);
        Assert.True(await beforeGap.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Drain(buffer);

        var beforeEnd = buffer.WaitToReadAsync(default);
        buffer.WriteEndOfRun(1, null);
        Assert.True(await beforeEnd.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(BackpressureMode.Wait)]
    [InlineData(BackpressureMode.DropOldest)]
    public async Task A_full_buffer_wakes_the_consumer_so_neither_side_waits_for_the_other(BackpressureMode mode)
    {
        var buffer = new EventBuffer(3, mode, _counters);
        var wait = buffer.WaitToReadAsync(default);

        await buffer.WriteEventAsync(Event(1), default);
        await buffer.WriteEventAsync(Event(2), default);
        Assert.False(wait.IsCompleted);
        var third = buffer.WriteEventAsync(Event(3), default); // fills it: no flush will come while the loop waits

        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(third.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task While_a_turn_is_in_flight_a_full_buffer_in_wait_mode_drops_its_oldest_instead_of_holding_up_the_socket()
    {
        var turnsInFlight = false;
        var buffer = new EventBuffer(2, BackpressureMode.Wait, _counters) { DropWhile = () => turnsInFlight };
        await buffer.WriteEventAsync(Event(1), default);
        await buffer.WriteEventAsync(Event(2), default);
        var blocked = buffer.WriteEventAsync(Event(3), default).AsTask();
        Assert.False(blocked.IsCompleted); // no turn: the socket waits for the reader, nothing is lost

        turnsInFlight = true;
        buffer.WakeWriter(); // a turn started: the waiting receive loop looks again
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(buffer.WriteEventAsync(Event(4), default).IsCompletedSuccessfully);
        Assert.Equal(new[] { "gap ConsumerOverflow 1->3 @2", "#3", "#4" }, Drain(buffer));
    }

    [Fact]
    public async Task A_batch_read_frees_room_for_a_waiting_writer_as_it_is_handed_out_and_unread_items_go_back_in_order()
    {
        var buffer = new EventBuffer(3, BackpressureMode.Wait, _counters);
        await buffer.WriteEventAsync(Event(1), default);
        buffer.WriteGap(new GapInfo(2, 4, GapReason.SequenceJump), 3);
        await buffer.WriteEventAsync(Event(4), default);
        await buffer.WriteEventAsync(Event(5), default);
        var blocked = buffer.WriteEventAsync(Event(6), default).AsTask();
        Assert.False(blocked.IsCompleted);

        var taken = new StreamItem[8];
        Assert.Equal(4, buffer.TryReadBatch(taken));
        Assert.False(blocked.IsCompleted); // taken, not handed out: still the app's to come, still counted
        Assert.Equal(3, buffer.Count);

        buffer.HandedOut(); // the consumer read #1 only
        buffer.ReturnUnread(taken.AsSpan(1, 3));
        await blocked.WaitAsync(TimeSpan.FromSeconds(10)); // one wake for the whole batch
        Assert.Equal(3, buffer.Count);
        Assert.Equal(new[] { "gap SequenceJump 2->4 @3", "#4", "#5", "#6" }, Drain(buffer));
    }

    [Fact]
    public async Task A_waiting_writer_is_woken_for_a_quarter_of_the_capacity_not_for_every_event_taken()
    {
        var buffer = new EventBuffer(16, BackpressureMode.Wait, _counters);
        for (var seq = 1; seq <= 16; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        var blocked = buffer.WriteEventAsync(Event(17), default).AsTask();
        Assert.Equal(3, Take(buffer, 3).Count);
        Assert.False(blocked.IsCompleted); // 3 free of 16: not yet worth waking the receive loop for

        Assert.Single(Take(buffer, 1));
        await blocked.WaitAsync(TimeSpan.FromSeconds(10)); // 4 free: a quarter
        Assert.Equal(13, buffer.Count);
    }

    [Fact]
    public async Task A_waiting_writer_gives_way_to_a_consumer_that_empties_the_buffer_whatever_its_capacity()
    {
        var buffer = new EventBuffer(3, BackpressureMode.Wait, _counters);
        for (var seq = 1; seq <= 3; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        var blocked = buffer.WriteEventAsync(Event(4), default).AsTask();
        Assert.True(TryTake(buffer, out _));
        await blocked.WaitAsync(TimeSpan.FromSeconds(10)); // capacity 3: one free slot is room enough
    }

    [Fact]
    public async Task In_wait_mode_writes_wait_while_full_and_resume_when_the_consumer_takes_one()
    {
        var buffer = new EventBuffer(2, BackpressureMode.Wait, _counters);

        Assert.True(buffer.WriteEventAsync(Event(1), default).IsCompletedSuccessfully);
        Assert.True(buffer.WriteEventAsync(Event(2), default).IsCompletedSuccessfully);
        var third = buffer.WriteEventAsync(Event(3), default).AsTask();
        Assert.False(third.IsCompleted);

        Assert.True(TryTake(buffer, out var first));
        await third.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, first.Sequence);
        Assert.Equal(2, buffer.Count);
    }

    [Fact]
    public async Task A_waiting_write_gives_up_when_its_connection_dies()
    {
        var buffer = new EventBuffer(1, BackpressureMode.Wait, _counters);
        await buffer.WriteEventAsync(Event(1), default);
        using var dying = new CancellationTokenSource();

        var blocked = buffer.WriteEventAsync(Event(2), dying.Token).AsTask();
        dying.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal(new[] { "#1" }, Drain(buffer));
    }

    [Fact]
    public void Gaps_and_end_markers_never_wait_and_take_no_capacity()
    {
        var buffer = new EventBuffer(1, BackpressureMode.Wait, _counters);
        Assert.True(buffer.WriteEventAsync(Event(1), default).IsCompletedSuccessfully);

        buffer.WriteGap(new GapInfo(2, 5, GapReason.SequenceJump), 4);
        buffer.WriteEndOfRun(1, null);

        Assert.Equal(new[] { "#1", "gap SequenceJump 2->5 @4", "end 1" }, Drain(buffer));
    }

    [Fact]
    public void Drop_oldest_replaces_a_run_of_dropped_events_with_one_exact_gap_in_their_place()
    {
        var buffer = new EventBuffer(3, BackpressureMode.DropOldest, _counters);
        for (var seq = 1; seq <= 7; seq++)
        {
            Assert.True(buffer.WriteEventAsync(Event(seq), default).IsCompletedSuccessfully);
        }

        Assert.Equal(new[] { "gap ConsumerOverflow 1->5 @4", "#5", "#6", "#7" }, Drain(buffer));
        Assert.Equal(4, _counters.Snapshot().EventsDropped);
        Assert.Equal(1, _counters.Snapshot().Gaps);
    }

    [Fact]
    public void Drops_separated_by_a_read_are_separate_gaps()
    {
        var buffer = new EventBuffer(2, BackpressureMode.DropOldest, _counters);
        foreach (var seq in new long[] { 1, 2, 3 })
        {
            _ = buffer.WriteEventAsync(Event(seq), default);
        }

        Assert.True(TryTake(buffer, out _)); // the consumer takes the overflow notice for #1
        foreach (var seq in new long[] { 4, 5 })
        {
            _ = buffer.WriteEventAsync(Event(seq), default);
        }

        Assert.Equal(new[] { "gap ConsumerOverflow 2->4 @3", "#4", "#5" }, Drain(buffer));
    }

    [Fact]
    public void Dropped_unnumbered_events_are_counted_but_leave_no_numbered_gap()
    {
        var buffer = new EventBuffer(2, BackpressureMode.DropOldest, _counters);
        _ = buffer.WriteEventAsync(Event(null), default);
        _ = buffer.WriteEventAsync(Event(1), default);
        _ = buffer.WriteEventAsync(Event(2), default);

        Assert.Equal(new[] { "#1", "#2" }, Drain(buffer));
        Assert.Equal(1, _counters.Snapshot().EventsDropped);
        Assert.Equal(0, _counters.Snapshot().Gaps);
    }

    [Fact]
    public void Existing_gap_notices_stay_in_place_when_events_around_them_are_dropped()
    {
        var buffer = new EventBuffer(2, BackpressureMode.DropOldest, _counters);
        _ = buffer.WriteEventAsync(Event(1), default);
        buffer.WriteGap(new GapInfo(2, 6, GapReason.SequenceJump), 5);
        _ = buffer.WriteEventAsync(Event(6), default);
        _ = buffer.WriteEventAsync(Event(7), default);
        _ = buffer.WriteEventAsync(Event(8), default);

        Assert.Equal(new[] { "gap ConsumerOverflow 1->2 @1", "gap SequenceJump 2->6 @5", "gap ConsumerOverflow 6->7 @6", "#7", "#8" }, Drain(buffer));
    }

    [Fact]
    public void Memory_stays_bounded_by_the_capacity_however_many_events_are_written()
    {
        var buffer = new EventBuffer(8, BackpressureMode.DropOldest, _counters);
        for (var seq = 1; seq <= 100_000; seq++)
        {
            _ = buffer.WriteEventAsync(Event(seq), default);
        }

        var items = Drain(buffer);
        Assert.Equal(9, items.Count);
        Assert.Equal("gap ConsumerOverflow 1->99993 @99992", items[0]);
    }

    [Fact]
    public async Task Events_the_consumer_took_ahead_count_against_the_capacity_so_the_writer_waits_at_exactly_the_capacity_in_total()
    {
        var buffer = new EventBuffer(16, BackpressureMode.Wait, _counters);
        for (var seq = 1; seq <= 16; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        Assert.Equal(16, buffer.TryReadBatch(new StreamItem[ClaimedStream.TakeSize])); // taken, none handed out yet

        var seventeenth = buffer.WriteEventAsync(Event(17), default).AsTask();
        Assert.False(seventeenth.IsCompleted); // 16 received and not handed out: the receive loop waits
        Assert.Equal(16, buffer.Count);
    }

    [Fact]
    public async Task A_consumer_stalled_on_what_it_took_ahead_holds_the_writer_at_the_capacity_and_frees_it_once_handed_out()
    {
        var buffer = new EventBuffer(16, BackpressureMode.Wait, _counters);
        for (var seq = 1; seq <= 16; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        using var stream = ClaimedStream.Claim(buffer);
        Assert.True(stream.TryTake(out var first)); // took all 16 ahead, handed #1 out, and the app works on it
        Assert.True(buffer.WriteEventAsync(Event(17), default).IsCompletedSuccessfully); // 15 ahead + #17: 16
        var eighteenth = buffer.WriteEventAsync(Event(18), default).AsTask();
        Assert.False(eighteenth.IsCompleted);

        var handedOut = new List<long?> { first.Sequence };
        while (handedOut.Count < 17 && stream.TryTake(out var next))
        {
            handedOut.Add(next.Sequence);
        }

        // Finding the look-ahead empty frees the writer; #18 may be written before this look or after it.
        if (stream.TryTake(out var early))
        {
            handedOut.Add(early.Sequence);
        }

        await eighteenth.WaitAsync(TimeSpan.FromSeconds(10)); // the look-ahead all handed out: room again
        if (handedOut.Count < 18)
        {
            Assert.True(stream.TryTake(out var last));
            handedOut.Add(last.Sequence);
        }
        Assert.Equal(Enumerable.Range(1, 18).Select(n => (long?)n), handedOut);
    }

    [Fact]
    public async Task A_stalled_consumers_overflow_gap_starts_at_the_capacity_counting_the_events_it_took_ahead()
    {
        var buffer = new EventBuffer(16, BackpressureMode.DropOldest, _counters);
        for (var seq = 1; seq <= 16; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        using (var stream = ClaimedStream.Claim(buffer))
        {
            Assert.True(stream.TryTake(out _)); // #1 handed out; #2 to #16 taken ahead, out of the buffer's reach

            for (var seq = 17; seq <= 20; seq++)
            {
                await buffer.WriteEventAsync(Event(seq), default);
            }
        } // the enumeration stops: what it took ahead goes back, in order

        Assert.Equal(Enumerable.Range(2, 15).Select(n => $"#{n}").Append("gap ConsumerOverflow 17->20 @19").Append("#20"), Drain(buffer));
        Assert.Equal(3, _counters.Snapshot().EventsDropped);
    }

    [Fact]
    public async Task With_everything_taken_ahead_and_nothing_handed_out_the_next_event_is_the_one_dropped()
    {
        var buffer = new EventBuffer(4, BackpressureMode.DropOldest, _counters);
        for (var seq = 1; seq <= 4; seq++)
        {
            await buffer.WriteEventAsync(Event(seq), default);
        }

        var taken = new StreamItem[ClaimedStream.TakeSize];
        Assert.Equal(4, buffer.TryReadBatch(taken));
        await buffer.WriteEventAsync(Event(5), default);
        await buffer.WriteEventAsync(Event(6), default);

        buffer.ReturnUnread(taken.AsSpan(0, 4));
        Assert.Equal(new[] { "#1", "#2", "#3", "#4", "gap ConsumerOverflow 5->7 @6" }, Drain(buffer));
    }

    [Fact]
    public void Only_one_reader_at_a_time()
    {
        var buffer = new EventBuffer(1, BackpressureMode.Wait, _counters);

        Assert.True(buffer.TryClaimReader());
        Assert.False(buffer.TryClaimReader());
        buffer.ReleaseReader();
        Assert.True(buffer.TryClaimReader());
    }
}

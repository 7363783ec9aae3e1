using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>ReadEventsAsync: one consumer, prompt cancellation, bounded buffering, nothing lost between runs.</summary>
public class EventStreamTests
{
    [Fact]
    public async Task A_second_concurrent_consumer_is_refused()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        using var stopFirst = new CancellationTokenSource();
        var first = client.ReadEventsAsync(stopFirst.Token).GetAsyncEnumerator();
        var pending = first.MoveNextAsync();

        var second = client.ReadEventsAsync(Harness.Deadline()).GetAsyncEnumerator();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.MoveNextAsync());

        Assert.Contains("one consumer", error.Message);
        Assert.False(pending.IsCompleted);
        stopFirst.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_the_enumeration_ends_it_promptly_and_the_stream_can_be_read_again()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        using var cancel = new CancellationTokenSource();

        var reading = client.ReadAsync(1, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        await gateway.PublishAsync(client.Session!.SessionId, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);
        Assert.Equal(1, Assert.Single(await client.ReadAsync(1, Harness.Deadline())).Sequence);
    }

    [Fact]
    public async Task WithCancellation_is_honoured()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        using var cancel = new CancellationTokenSource();

        var reading = Task.Run(async () =>
        {
            await foreach (var _ in client.ReadEventsAsync().WithCancellation(cancel.Token))
            {
            }
        });
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    [Fact]
    public async Task A_consumer_started_while_connecting_receives_the_stream()
    {
        // The gateway holds its handshake answer until its clock moves: the read starts while ConnectAsync runs.
        var gatewayClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = gatewayClock });
        gateway.DelayNextHandshake(TimeSpan.FromSeconds(1));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        var connecting = client.ConnectAsync(Harness.Deadline());
        var reading = client.ReadAsync(1, Harness.Deadline());
        await gatewayClock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        gatewayClock.Advance(TimeSpan.FromSeconds(1));
        await connecting;
        await gateway.PublishAsync(client.Session!.SessionId, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);

        Assert.Equal(1, Assert.Single(await reading).Sequence);
    }

    [Fact]
    public async Task Reading_on_a_client_never_connected_throws_at_the_call_naming_ConnectAsync()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        // At the call, not at the first MoveNextAsync: nothing could ever arrive, so waiting would hang for ever.
        var events = Assert.Throws<InvalidOperationException>(() => client.ReadEventsAsync(Harness.Deadline()));
        var batches = Assert.Throws<InvalidOperationException>(() => client.ReadEventBatchesAsync(cancellationToken: Harness.Deadline()));
        await client.DisconnectAsync(Harness.Deadline()); // a disconnect is no connect
        var afterDisconnect = Assert.Throws<InvalidOperationException>(() => client.ReadEventsAsync(Harness.Deadline()));

        Assert.StartsWith("ReadEventsAsync was called before ConnectAsync", events.Message);
        Assert.StartsWith("ReadEventBatchesAsync was called before ConnectAsync", batches.Message);
        Assert.Equal(events.Message, afterDisconnect.Message);
    }

    [Fact]
    public async Task Reading_after_DisconnectAsync_delivers_what_was_buffered_then_ends()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendNumberedAsync(1, 3);
        await connection.WaitUntilReadAsync();
        await client.DisconnectAsync(Harness.Deadline());

        var sequences = new List<long>();
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            if (e.Sequence is { } sequence)
            {
                sequences.Add(sequence); // (the gateway's unnumbered answer to the leave comes last)
            }
        }

        Assert.Equal(new long[] { 1, 2, 3 }, sequences);
    }

    [Fact]
    public async Task Reading_after_a_failed_ConnectAsync_throws_its_cause_instead_of_waiting()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "right" });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TokenProvider = _ => ValueTask.FromResult<string?>("wrong")));
        var connectError = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        var readError = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ReadAsync(1, Harness.Deadline()));

        Assert.Same(connectError, readError);
    }

    [Fact]
    public async Task A_small_buffer_and_a_slow_consumer_still_get_every_event_in_order()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.EventBufferCapacity = 3));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendNumberedAsync(1, 200);

        var events = new List<long>();
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            events.Add(e.Sequence!.Value);
            if (events.Count % 50 == 0)
            {
                await Task.Yield(); // a consumer that occasionally gives the socket time to overrun it
            }

            if (events.Count == 200)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), events);
        Assert.Equal(0, client.Statistics.DuplicatesDropped);
    }

    [Fact]
    public async Task An_enumeration_that_stops_mid_batch_leaves_the_rest_for_the_next_one()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // All ten are in the buffer before anyone reads, so the first read takes them in one batch.
        await connection.SendNumberedAsync(1, 10);
        await connection.WaitUntilReadAsync(); // the receive loop is past all ten
        Assert.Equal(10, client.Statistics.EventsReceived);

        var first = await client.ReadAsync(3, Harness.Deadline());   // breaks after #3
        var rest = await client.ReadAsync(7, Harness.Deadline());

        Assert.Equal(new long?[] { 1, 2, 3 }, first.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(4, 7).Select(i => (long?)i), rest.Select(e => e.Sequence));
        Assert.Equal(10, client.Cursor);
    }

    [Fact]
    public async Task After_a_failure_a_new_connect_resumes_so_nothing_is_lost_or_doubled()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        for (var i = 1; i <= 3; i++)
        {
            await gateway.PublishAsync(id, "message", Harness.Data("n", i.ToString()), EnvelopeShape.Flat);
        }

        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await gateway.PublishAsync(id, "message", Harness.Data("n", "4"), EnvelopeShape.Flat);
        var first = new List<long?>();
        await Assert.ThrowsAsync<GatewayConnectionException>(async () =>
        {
            await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
            {
                first.Add(e.Sequence);
            }
        });

        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(id, "message", Harness.Data("n", "5"), EnvelopeShape.Flat);
        var second = await client.ReadUntilAsync(e => e.Sequence == 5, Harness.Deadline());

        Assert.Equal(new long?[] { 1, 2, 3 }, first);
        Assert.Equal(new long?[] { 4, 5 }, second.Select(e => e.Sequence));
        Assert.True(second[0].IsReplay);
    }

    [Fact]
    public async Task Events_buffered_when_a_run_ended_are_delivered_to_the_next_consumer_after_reconnecting()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;
        await gateway.PublishAsync(id, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);
        await gateway.PublishAsync(id, "message", Harness.Data("n", "2"), EnvelopeShape.Flat);
        await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // Nobody reads before the disconnect: both events sit in the buffer, already accepted.
        await client.DisconnectAsync(Harness.Deadline());
        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(id, "message", Harness.Data("n", "3"), EnvelopeShape.Flat);
        var events = await client.ReadUntilAsync(e => e.Sequence == 3, Harness.Deadline());

        Assert.Equal(new long?[] { 1, 2, null, 3 }, events.Select(e => e.Sequence));
        Assert.Equal("left", events[2].Type);
        Assert.All(events, e => Assert.False(e.IsReplay));
    }

    [Fact]
    public async Task Disconnecting_behind_a_full_buffer_is_prompt_and_the_next_connect_replays_what_was_not_delivered()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.EventBufferCapacity = 2;
            o.CloseTimeout = TimeSpan.FromMinutes(5); // waiting it out would fail the deadline below
        }));
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Buffer.WriterWaiting += () => full.TrySetResult();
        await client.ConnectAsync(Harness.Deadline());
        var id = client.Session!.SessionId;

        // Two fit; the receive loop holds the third, waiting for a consumer who is not reading.
        await gateway.PublishMessagesAsync(id, "1", "2", "3", "4");
        await full.Task.WaitAsync(Harness.Deadline());
        await client.DisconnectAsync(Harness.Deadline());
        await client.ConnectAsync(Harness.Deadline());
        var events = await client.ReadUntilAsync(e => e.Sequence == 4, Harness.Deadline());

        // 3 and 4 were never accepted, so the resume asked for them: replayed, not lost, not doubled.
        Assert.Equal(new long[] { 1, 2, 3, 4 }, events.Where(e => e.Sequence is not null).Select(e => e.Sequence!.Value));
        Assert.Equal(new[] { false, false, true, true }, events.Where(e => e.Sequence is not null).Select(e => e.IsReplay));
        Assert.Equal(2, (await gateway.WaitForHandshakeAsync(2, Harness.Deadline())).ResumedFrom);
    }

    [Fact]
    public async Task A_stalled_consumers_overflow_gap_starts_at_the_capacity_counting_what_it_took_ahead()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.EventBufferCapacity = 16;
            o.Backpressure = BackpressureMode.DropOldest;
        }));
        var gaps = new List<GapInfo>();
        client.OnGap((gap, _) =>
        {
            gaps.Add(gap);
            return Task.CompletedTask;
        });
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendNumberedAsync(1, 16);
        await connection.WaitUntilReadAsync();

        // The consumer takes the sixteen ahead, is given #1, and works on it while 24 more arrive.
        await using var events = client.ReadEventsAsync(Harness.Deadline()).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var delivered = new List<long> { events.Current.Sequence!.Value };
        await connection.SendNumberedAsync(17, 40);
        await connection.WaitUntilReadAsync();

        while (delivered[^1] != 40 && await events.MoveNextAsync())
        {
            delivered.Add(events.Current.Sequence!.Value);
        }

        // Sixteen waited for the app (fifteen taken ahead, then #17); from #18 on each arrival pushed the oldest out.
        Assert.Equal(Enumerable.Range(1, 16).Select(n => (long)n).Append(40), delivered);
        var gap = Assert.Single(gaps);
        Assert.Equal((GapReason.ConsumerOverflow, 17L, (long?)40), (gap.Reason, gap.Expected, gap.Received));
        Assert.Equal(23, client.Statistics.EventsDropped);
    }
}

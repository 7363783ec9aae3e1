using System.Text;
using System.Text.Json;
using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>ReadEventBatchesAsync: the same stream as ReadEventsAsync, lent without copying, and never changing under the app.</summary>
public class EventBatchTests
{
    /// <summary>A numbered event whose padding repeats one letter per event, so bytes from another event cannot pass for its own.</summary>
    private static string PaddedEvent(int seq, int padding) =>
        $$$"""{"type":"message","seq":{{{seq}}},"data":{"pad":"{{{new string((char)('a' + (seq % 26)), padding)}}}"}}""";

    private static void AssertIsPaddedEvent(ReadOnlySpan<byte> payload, long seq, int padding)
    {
        using var json = JsonDocument.Parse(payload.ToArray());
        Assert.Equal(seq, json.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(new string((char)('a' + (seq % 26)), padding), json.RootElement.GetProperty("data").GetProperty("pad").GetString());
    }

    [Fact]
    public async Task Batches_carry_the_stream_in_order_and_the_gap_handler_runs_between_them_at_the_hole()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        var delivered = new List<long>();
        var seenAtGap = new List<long>();
        client.OnGap((gap, _) =>
        {
            seenAtGap.AddRange(delivered);
            return Task.CompletedTask;
        });
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendNumberedAsync(1, 5);
        await connection.SendNumberedAsync(8, 10); // 6 and 7 never come

        var batches = new List<long[]>();
        await foreach (var batch in client.ReadEventBatchesAsync(cancellationToken: Harness.Deadline()))
        {
            var sequences = batch.Select(e => e.Sequence!.Value).ToArray();
            batches.Add(sequences);
            delivered.AddRange(sequences);
            if (delivered[^1] == 10)
            {
                break;
            }
        }

        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 8, 9, 10 }, delivered);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, seenAtGap);
        Assert.All(batches, b => Assert.True(b.All(s => s <= 5) || b.All(s => s >= 8), $"a batch spans the hole: {string.Join(",", b)}"));
        Assert.Equal(10, client.Cursor);
        Assert.Equal(8, client.Statistics.EventsDelivered);
    }

    [Fact]
    public async Task A_batch_stays_intact_while_the_receive_loop_reads_on_and_its_events_refuse_their_bytes_once_it_is_released()
    {
        const int padding = 1500; // a few events fill a receive slab, so the reader moves through several while the batch is held
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.EventBufferCapacity = 8));
        var waits = 0;
        var readOnWhileHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Buffer.WriterWaiting += () =>
        {
            if (Interlocked.Increment(ref waits) == 2)
            {
                readOnWhileHeld.TrySetResult();
            }
        };
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var firstFull = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Buffer.WriterWaiting += () => firstFull.TrySetResult();
        for (var seq = 1; seq <= 40; seq++)
        {
            await connection.SendTextAsync(PaddedEvent(seq, padding));
        }

        await using var batches = client.ReadEventBatchesAsync(maxBatchSize: 8, Harness.Deadline()).GetAsyncEnumerator();
        await firstFull.Task.WaitAsync(Harness.Deadline());
        Assert.True(await batches.MoveNextAsync());
        var first = batches.Current;
        var views = first.ToArray();
        var kept = first[0].ToEvent();
        Assert.Equal(8, views.Length);

        // Taking the batch made room: the receive loop read eight more messages (about 12 KiB, through fresh slabs) and is
        // waiting again. The batch, still current, must show exactly what it was lent.
        await readOnWhileHeld.Task.WaitAsync(Harness.Deadline());
        for (var i = 0; i < views.Length; i++)
        {
            Assert.True(views[i].IsAvailable);
            AssertIsPaddedEvent(views[i].Utf8Frame.Span, i + 1, padding);
        }

        // Moving on releases it: its events still tell who they were, but their bytes are gone, loudly.
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal(9, batches.Current[0].Sequence);
        Assert.All(views, v => Assert.False(v.IsAvailable));
        Assert.Equal(1, views[0].Sequence);
        Assert.Equal("message", views[0].Type);
        var error = Assert.Throws<InvalidOperationException>(() => views[0].Utf8Frame.Length);
        Assert.Contains("ToEvent()", error.Message);
        Assert.Throws<InvalidOperationException>(() => views[0].ToEvent());

        // The copy taken while the batch was current is the app's for good.
        for (var seen = 16; seen < 40;)
        {
            Assert.True(await batches.MoveNextAsync());
            seen = (int)batches.Current[^1].Sequence!.Value;
        }

        AssertIsPaddedEvent(kept.Utf8Frame.Span, 1, padding);
    }

    [Fact]
    public async Task A_batch_kept_after_the_enumeration_moved_on_refuses_instead_of_showing_the_next_one()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendNumberedAsync(1, 2);

        await using var batches = client.ReadEventBatchesAsync(maxBatchSize: 2, Harness.Deadline()).GetAsyncEnumerator();
        GatewayEventBatch kept;
        do
        {
            Assert.True(await batches.MoveNextAsync());
            kept = batches.Current;
        }
        while (kept[kept.Count - 1].Sequence != 2);

        await connection.SendNumberedAsync(3, 3);
        Assert.True(await batches.MoveNextAsync());

        // The enumeration lends the next batch through the same buffer: the kept one must not show it.
        Assert.Equal(new long?[] { 3 }, batches.Current.Select(e => e.Sequence));
        Assert.False(kept.IsAvailable);
        Assert.Contains("released", Assert.Throws<InvalidOperationException>(() => kept.Count).Message);
        Assert.Throws<InvalidOperationException>(() => kept[0]);
        Assert.Throws<InvalidOperationException>(() => kept.Select(e => e.Sequence).ToList());
        kept.Dispose();
        Assert.Equal(3, batches.Current[0].Sequence); // disposing the kept one did not release the current one
        Assert.True(batches.Current[0].IsAvailable);
    }

    [Fact]
    public async Task An_event_of_a_batch_reads_its_body_like_a_GatewayEvent_does()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"token_stream","seq":1,"data":{"content":"Hel"}}""");
        await connection.SendTextAsync("""{"type":"response","seq":2,"content":"Hello","event_id":"e2"}""");

        var bodies = new List<string>();
        var typed = new List<string?>();
        await foreach (var batch in client.ReadEventBatchesAsync(cancellationToken: Harness.Deadline()))
        {
            foreach (var e in batch)
            {
                bodies.Add(Encoding.UTF8.GetString(e.Utf8Data.Span));
                Assert.Equal(Encoding.UTF8.GetString(e.ToEvent().Utf8Data.Span), bodies[^1]);
                if (e.Type == PraisonAIEventTypes.TokenStream)
                {
                    typed.Add(e.GetData(PraisonAIJsonContext.Default.TokenStreamData).Content);
                }
            }

            if (bodies.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(new[] { """{"content":"Hel"}""", """{"content":"Hello"}""" }, bodies);
        Assert.Equal(new[] { "Hel" }, typed);
    }

    [Fact]
    public async Task A_batch_enumeration_that_stops_leaves_what_it_had_not_handed_out_for_the_next_reader()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendNumberedAsync(1, 10);
        await connection.WaitUntilReadAsync(); // the receive loop is past all ten

        long[] first = Array.Empty<long>();
        await foreach (var batch in client.ReadEventBatchesAsync(maxBatchSize: 3, Harness.Deadline()))
        {
            first = batch.Select(e => e.Sequence!.Value).ToArray();
            break;
        }

        var rest = await client.ReadAsync(7, Harness.Deadline());
        Assert.Equal(new long[] { 1, 2, 3 }, first);
        Assert.Equal(Enumerable.Range(4, 7).Select(i => (long?)i), rest.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Batches_and_single_events_share_the_one_consumer_slot()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        using var stopFirst = new CancellationTokenSource();
        await using var first = client.ReadEventsAsync(stopFirst.Token).GetAsyncEnumerator();
        var pending = first.MoveNextAsync();

        await using var second = client.ReadEventBatchesAsync(cancellationToken: Harness.Deadline()).GetAsyncEnumerator();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.MoveNextAsync());

        Assert.Contains("one consumer", error.Message);
        stopFirst.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_537)]
    public async Task A_batch_size_out_of_range_is_refused_at_once(int maxBatchSize)
    {
        await using var client = new GatewayClient(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:1/ws"), AgentId = "unit" });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => client.ReadEventBatchesAsync(maxBatchSize));

        Assert.Equal("maxBatchSize", error.ParamName);
    }
}

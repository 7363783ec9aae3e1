using System.Net.WebSockets;
using System.Text;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Tests;

public class InboundPipelineTests
{
    private readonly SequenceTracker _tracker = new();
    private readonly ClientCounters _counters = new(new ClientTelemetry(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" }));
    private readonly EventBuffer _channel;
    private readonly InboundPipeline _pipeline;

    public InboundPipelineTests()
    {
        _channel = new EventBuffer(16, BackpressureMode.Wait, _counters);
        _pipeline = new InboundPipeline(_tracker, PraisonAIDialect.Instance, _counters, NullLogger.Instance, _channel);
    }

    private async Task FeedAsync(string json, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var frame = PraisonAIFrameClassifier.Classify(bytes);
        Assert.Equal(FrameKind.Event, frame.Kind);
        await _pipeline.OnEventAsync(frame, Message(bytes), cancellationToken);
    }

    private static ReceivedMessage Message(byte[] bytes) => ReceivedMessage.Data(WebSocketMessageType.Text, PayloadSlab.Wrap(bytes), 0, bytes.Length);

    private List<StreamItem> Drain()
    {
        var items = new List<StreamItem>();
        var taken = new StreamItem[EventBuffer.WakeBatch];
        for (int count; (count = _channel.TryReadBatch(taken)) > 0;)
        {
            items.AddRange(taken.AsSpan(0, count).ToArray());
        }

        return items;
    }

    [Fact]
    public async Task Duplicates_are_dropped_and_counted()
    {
        _tracker.Restore(0, null);
        await FeedAsync("""{"type":"message","seq":1}""");
        await FeedAsync("""{"type":"message","seq":1}""");
        await FeedAsync("""{"type":"replay","event":{"sequence":1,"data":{"type":"message","seq":1}}}""");
        await FeedAsync("""{"type":"message","seq":2}""");

        Assert.Equal(new long?[] { 1, 2 }, Drain().Select(i => i.Sequence));
        Assert.Equal(2, _counters.Snapshot().DuplicatesDropped);
    }

    [Fact]
    public async Task A_jump_puts_one_gap_notice_between_the_events_on_either_side()
    {
        _tracker.Restore(0, null);
        await FeedAsync("""{"type":"message","seq":1}""");
        await FeedAsync("""{"type":"message","seq":4}""");
        await FeedAsync("""{"type":"message","seq":5}""");

        var items = Drain();
        Assert.Equal(4, items.Count);
        Assert.Equal(1, items[0].Sequence);
        Assert.Equal(2, items[1].Gap!.Expected);
        Assert.Equal(4, items[1].Gap!.Received);
        Assert.Equal(3, items[1].CursorAfterGap);
        Assert.Equal(4, items[2].Sequence);
        Assert.Equal(5, items[3].Sequence);
        Assert.Equal(1, _counters.Snapshot().Gaps);
    }

    [Fact]
    public async Task Unnumbered_events_pass_through_without_touching_the_cursor()
    {
        _tracker.Restore(3, null);
        await FeedAsync("""{"type":"status","state":"thinking"}""");

        var item = Assert.Single(Drain());
        Assert.Null(item.Sequence);
        Assert.Equal(3, _tracker.Last);
    }

    [Fact]
    public async Task The_event_holds_the_slab_it_was_received_into_until_it_is_taken()
    {
        _tracker.Restore(0, null);
        var slab = PayloadSlab.Rent(256);
        var json = """{"type":"message","content":"original","seq":1}"""u8;
        json.CopyTo(slab.Array.AsSpan(100));
        var message = ReceivedMessage.Data(WebSocketMessageType.Text, slab, 100, json.Length);
        await _pipeline.OnEventAsync(PraisonAIFrameClassifier.Classify(message.Span), message, default);

        // The reader moves on to another slab: the event's hold keeps this one (and its bytes) out of the pool.
        Assert.Equal(2, slab.Holders);
        slab.Release();
        var item = Assert.Single(Drain());
        Assert.Equal("original", item.ToGatewayEvent().Frame.GetProperty("content").GetString());

        item.ReleasePayload();
        Assert.Equal(0, slab.Holders);
    }

    [Fact]
    public async Task Replay_completion_is_signalled_once_the_promised_head_is_accepted()
    {
        _tracker.Restore(2, null);
        var completed = new List<long>();
        _pipeline.ReplayCompleted += completed.Add;
        var live = UnopenedConnection.Live(PraisonAIDialect.Instance, _pipeline, new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" }, serverCursor: 4);

        await live.OnMessageAsync(Message(Encoding.UTF8.GetBytes("""{"type":"replay","event":{"sequence":3,"data":{"type":"message","seq":3}}}""")), default);
        Assert.Empty(completed);
        await live.OnMessageAsync(Message(Encoding.UTF8.GetBytes("""{"type":"replay","event":{"sequence":4,"data":{"type":"message","seq":4}}}""")), default);
        await live.OnMessageAsync(Message(Encoding.UTF8.GetBytes("""{"type":"message","seq":5}""")), default);

        Assert.Equal(new long[] { 4 }, completed);
    }

    [Fact]
    public async Task An_event_that_could_not_enter_the_buffer_is_not_accepted()
    {
        var pipeline = new InboundPipeline(_tracker, PraisonAIDialect.Instance, _counters, NullLogger.Instance, new EventBuffer(1, BackpressureMode.Wait, _counters));
        _tracker.Restore(0, null);
        var first = Encoding.UTF8.GetBytes("""{"type":"message","seq":1}""");
        var second = Encoding.UTF8.GetBytes("""{"type":"message","seq":2}""");
        await pipeline.OnEventAsync(PraisonAIFrameClassifier.Classify(first), Message(first), default);

        // The buffer is full and the connection dies while waiting: event 2 must be asked for again.
        using var dying = new CancellationTokenSource();
        var slab = PayloadSlab.Rent(64);
        second.CopyTo(slab.Array, 0);
        var blocked = pipeline.OnEventAsync(PraisonAIFrameClassifier.Classify(second), ReceivedMessage.Data(WebSocketMessageType.Text, slab, 0, second.Length), dying.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        dying.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);

        Assert.Equal(1, _tracker.Last);
        Assert.Equal(1, slab.Holders); // the hold taken for the event that never entered the buffer was given back
    }
}

using System.Text;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.Gateway;
using Gateway.Client.Engine;
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
        _pipeline = new InboundPipeline(_tracker, new PendingRequests(), GatewayDialect.Instance, _counters, NullLogger.Instance, _channel, _ => { });
    }

    private async Task FeedAsync(string json, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var frame = GatewayFrameClassifier.Classify(bytes);
        Assert.Equal(FrameKind.Event, frame.Kind);
        await _pipeline.OnEventAsync(frame, bytes.AsMemory(frame.PayloadOffset, frame.PayloadLength), cancellationToken);
    }

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

        Assert.Equal(new long?[] { 1, 2 }, Drain().Select(i => i.Event!.Sequence));
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
        Assert.Equal(1, items[0].Event!.Sequence);
        Assert.Equal(2, items[1].Gap!.Expected);
        Assert.Equal(4, items[1].Gap!.Received);
        Assert.Equal(3, items[1].CursorAfterGap);
        Assert.Equal(4, items[2].Event!.Sequence);
        Assert.Equal(5, items[3].Event!.Sequence);
        Assert.Equal(1, _counters.Snapshot().Gaps);
    }

    [Fact]
    public async Task Unnumbered_events_pass_through_without_touching_the_cursor()
    {
        _tracker.Restore(3, null);
        await FeedAsync("""{"type":"status","state":"thinking"}""");

        var item = Assert.Single(Drain());
        Assert.Null(item.Event!.Sequence);
        Assert.Equal(3, _tracker.Last);
    }

    [Fact]
    public async Task The_event_owns_a_copy_of_its_payload()
    {
        _tracker.Restore(0, null);
        var bytes = Encoding.UTF8.GetBytes("""{"type":"message","content":"original","seq":1}""");
        var frame = GatewayFrameClassifier.Classify(bytes);
        await _pipeline.OnEventAsync(frame, bytes.AsMemory(frame.PayloadOffset, frame.PayloadLength), default);
        Array.Fill(bytes, (byte)' '); // the receive buffer is reused for the next frame

        Assert.Equal("original", Drain()[0].Event!.Payload.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Replay_completion_is_signalled_once_the_promised_head_is_accepted()
    {
        _tracker.Restore(2, null);
        var completed = new List<long>();
        _pipeline.ReplayCompleted += completed.Add;
        _pipeline.BeginConnection(4);

        await FeedAsync("""{"type":"replay","event":{"sequence":3,"data":{"type":"message","seq":3}}}""");
        Assert.Empty(completed);
        await FeedAsync("""{"type":"replay","event":{"sequence":4,"data":{"type":"message","seq":4}}}""");
        await FeedAsync("""{"type":"message","seq":5}""");

        Assert.Equal(new long[] { 4 }, completed);
    }

    [Fact]
    public async Task An_event_that_could_not_enter_the_buffer_is_not_accepted()
    {
        var pipeline = new InboundPipeline(_tracker, new PendingRequests(), GatewayDialect.Instance, _counters, NullLogger.Instance, new EventBuffer(1, BackpressureMode.Wait, _counters), _ => { });
        _tracker.Restore(0, null);
        var first = Encoding.UTF8.GetBytes("""{"type":"message","seq":1}""");
        var second = Encoding.UTF8.GetBytes("""{"type":"message","seq":2}""");
        await pipeline.OnEventAsync(GatewayFrameClassifier.Classify(first), first, default);

        // The buffer is full and the connection dies while waiting: event 2 must be asked for again.
        using var dying = new CancellationTokenSource();
        var blocked = pipeline.OnEventAsync(GatewayFrameClassifier.Classify(second), second, dying.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        dying.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);

        Assert.Equal(1, _tracker.Last);
    }
}

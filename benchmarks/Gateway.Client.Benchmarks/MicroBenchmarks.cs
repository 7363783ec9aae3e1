using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;
using Gateway.Client.Wire;

namespace Gateway.Client.Benchmarks;

/// <summary>Frame decode and classification of a 256-byte event, beside what a hand-written reader does.</summary>
[MemoryDiagnoser]
public class FrameDecodeBenchmarks
{
    private static readonly byte[] Flat = Pad("""{"type":"message","seq":123456,"cursor":123456,"data":{"text":"@"}}""");
    private static readonly byte[] Replay = Pad("""{"type":"replay","event":{"type":"message","sequence":123456,"data":{"type":"message","seq":123456,"cursor":123456,"data":{"text":"@"}}}}""");

    [Benchmark(Baseline = true, Description = "hand-written: type + seq (the end-to-end reference's parse)")]
    public long HandWritten() => ReferenceParse.TypeAndSeq(Flat).Seq;

    [Benchmark(Description = "GatewayClient: classify a live event")]
    public long? Classify() => PraisonAIFrameClassifier.Classify(Flat).Sequence;

    [Benchmark(Description = "GatewayClient: classify and unwrap a replay")]
    public long? ClassifyReplay() => PraisonAIFrameClassifier.Classify(Replay).Sequence;

    private static byte[] Pad(string template)
    {
        var bytes = Encoding.UTF8.GetBytes(template);
        var pad = 256 - bytes.Length;
        return Encoding.UTF8.GetBytes(template.Replace("@", new string('x', Math.Max(1, pad + 1))));
    }
}

/// <summary>Duplicate and gap checks per numbered event.</summary>
[MemoryDiagnoser]
public class SequenceTrackingBenchmarks
{
    private readonly SequenceTracker _tracker = new();
    private long _next;

    [GlobalSetup]
    public void Setup() => _tracker.Restore(0, null);

    [Benchmark(Description = "check + accept, in order")]
    public int InOrder()
    {
        var verdict = _tracker.Check(++_next);
        _tracker.Accept(_next);
        return (int)verdict;
    }
}

/// <summary>Handing one event from the receive loop to the consumer through the event buffer, beside a bounded channel.</summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    private readonly EventBuffer _buffer = new(1024, BackpressureMode.Wait, new ClientCounters(new ClientTelemetry(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" })));
    private readonly System.Threading.Channels.Channel<GatewayEvent> _channel = System.Threading.Channels.Channel.CreateBounded<GatewayEvent>(
        new System.Threading.Channels.BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });

    private readonly GatewayEvent _event = GatewayModelFactory.GatewayEvent("message", 1);
    private readonly StreamItem _item = StreamItem.ForEvent(PayloadSlab.Wrap(new byte[256]), 0, 256, "message", 1, false, default);

    [Benchmark(Baseline = true, Description = "bounded Channel<T>: write + read")]
    public bool Channel()
    {
        _channel.Writer.TryWrite(_event);
        return _channel.Reader.TryRead(out _);
    }

    private readonly StreamItem[] _taken = new StreamItem[1];

    [Benchmark(Description = "EventBuffer: write + read")]
    public bool EventBuffer()
    {
        _ = _buffer.WriteEventAsync(_item, default);
        return _buffer.TryReadBatch(_taken) == 1;
    }
}

using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The clients the throughput run compares, each measured in a fresh process over the streaming phase
/// only (after the handshake): (a) the raw receive loop, the physical limit; (b) what an expert writes by
/// hand (reader for type/seq, payload copy, bounded channel, await foreach); (c) GatewayClient, reading events one by one and (d) in batches lent without copying; and the peers
/// from the ecosystem (<see cref="PeerClients"/>).
/// </summary>
internal static class ClientKinds
{
    private static readonly byte[] Hello = """{"type":"hello","agent_id":"bench","protocol_min":1,"protocol_max":2}"""u8.ToArray();

    /// <param name="latency">At paced rates: where each event's delay from the server is recorded; null at saturation.</param>
    public static async Task<Measurement> RunAsync(string kind, int port, int hubPort, long events, int size, LatencyProbe? latency = null)
    {
        var url = new Uri($"ws://127.0.0.1:{port}/ws");
        var measured = kind switch
        {
            "raw" => await RawAsync(url, events, latency),
            "reference" => await ReferenceAsync(url, events, latency),
            "gateway" => await GatewayAsync(url, events, latency),
            "gateway-batch" => await GatewayBatchesAsync(url, events, latency),
            "wsclient" => await PeerClients.WebsocketClientCountAsync(url, events),
            "wsclient-parse" => await PeerClients.WebsocketClientParseAsync(url, events, latency),
            "signalr" => await PeerClients.SignalRAsync(hubPort, events, size),
            _ => throw new ArgumentException($"unknown client kind '{kind}'"),
        };
        if (latency is not null)
        {
            var (p50, p99, max) = latency.Summary();
            measured = measured with { LatencyP50Us = p50, LatencyP99Us = p99, LatencyMaxUs = max };
        }

        return measured;
    }

    private static async Task<Measurement> RawAsync(Uri url, long events, LatencyProbe? latency)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, CancellationToken.None);
        await socket.SendAsync(Hello, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        await ReadOneAsync(socket, buffer); // hello_ok

        var window = new MeasuredWindow(events, latency);
        long count = 0;
        while (count < events)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.EndOfMessage)
            {
                count++;
                window.Event(buffer.AsSpan(0, result.Count));
            }
        }

        var measured = window.Stop();
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return measured;
    }

    private static async Task<Measurement> ReferenceAsync(Uri url, long events, LatencyProbe? latency)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, CancellationToken.None);
        await socket.SendAsync(Hello, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        await ReadOneAsync(socket, buffer);

        var channel = Channel.CreateBounded<ReferenceParse.Event>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var window = new MeasuredWindow(events, latency);
        var consumer = Task.Run(async () =>
        {
            await foreach (var e in channel.Reader.ReadAllAsync())
            {
                window.Event(e.Frame);
            }
        });

        long count = 0;
        while (count < events)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            var (type, seq) = ReferenceParse.TypeAndSeq(buffer.AsSpan(0, length));
            await channel.Writer.WriteAsync(new ReferenceParse.Event(type, seq, buffer.AsSpan(0, length).ToArray()));
            count++;
        }

        channel.Writer.Complete();
        await consumer;
        var measured = window.Stop();
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return measured;
    }

    /// <summary>A <see cref="GatewayClient"/> reading <paramref name="events"/> numbered events; also the scale run's steady-rate probe.</summary>
    internal static async Task<Measurement> GatewayAsync(Uri url, long events, LatencyProbe? latency = null)
    {
        await using var client = new GatewayClient(new GatewayClientOptions { Url = url, AgentId = "bench" });
        await client.ConnectAsync(CancellationToken.None);

        var window = new MeasuredWindow(events, latency);
        await foreach (var e in client.ReadEventsAsync())
        {
            window.Event(e.Utf8Frame.Span);
            if (e.Sequence >= events)
            {
                break;
            }
        }

        var measured = window.Stop();
        await client.DisconnectAsync();
        return measured;
    }

    /// <summary>A <see cref="GatewayClient"/> reading <paramref name="events"/> numbered events in batches lent without copying.</summary>
    private static async Task<Measurement> GatewayBatchesAsync(Uri url, long events, LatencyProbe? latency)
    {
        await using var client = new GatewayClient(new GatewayClientOptions { Url = url, AgentId = "bench" });
        await client.ConnectAsync(CancellationToken.None);

        var window = new MeasuredWindow(events, latency);
        long last = 0;
        await foreach (var batch in client.ReadEventBatchesAsync())
        {
            foreach (var e in batch)
            {
                window.Event(e.Utf8Frame.Span);
                last = e.Sequence ?? last;
            }

            if (last >= events)
            {
                break;
            }
        }

        var measured = window.Stop();
        await client.DisconnectAsync();
        return measured;
    }

    private static async Task ReadOneAsync(ClientWebSocket socket, byte[] buffer)
    {
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
        }
        while (!result.EndOfMessage);
    }

}

/// <summary>What one client run cost, between Start and Stop, in this process.</summary>
internal sealed record Measurement(long Events, double Seconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, double CpuMilliseconds, long PeakWorkingSet)
{
    /// <summary>Thread-pool work items completed in the process while measuring (<see cref="ThreadPool.CompletedWorkItemCount"/>).</summary>
    public long WorkItems { get; init; }

    public double LatencyP50Us { get; init; }

    public double LatencyP99Us { get; init; }

    public double LatencyMaxUs { get; init; }

    public double WorkItemsPerEvent => (double)WorkItems / Events;

    public double EventsPerSecond => Events / Seconds;

    public double BytesPerEvent => (double)AllocatedBytes / Events;

    public double CpuMicrosecondsPerEvent => CpuMilliseconds * 1000 / Events;

    public static Probe Start() => new();

    public sealed class Probe
    {
        private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: true);
        private readonly int _gen0 = GC.CollectionCount(0);
        private readonly int _gen1 = GC.CollectionCount(1);
        private readonly int _gen2 = GC.CollectionCount(2);
        private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly long _workItems = ThreadPool.CompletedWorkItemCount;
        private readonly long _started = Stopwatch.GetTimestamp();

        public Measurement Stop(long events)
        {
            var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            using var process = Process.GetCurrentProcess();
            return new Measurement(
                events,
                seconds,
                GC.GetTotalAllocatedBytes(precise: true) - _allocated,
                GC.CollectionCount(0) - _gen0,
                GC.CollectionCount(1) - _gen1,
                GC.CollectionCount(2) - _gen2,
                (process.TotalProcessorTime - _cpu).TotalMilliseconds,
                process.PeakWorkingSet64)
            {
                WorkItems = ThreadPool.CompletedWorkItemCount - _workItems,
            };
        }
    }
}

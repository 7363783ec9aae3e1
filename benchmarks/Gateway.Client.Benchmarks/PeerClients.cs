using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Websocket.Client;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The ecosystem's clients in the throughput run, each used the way its documentation shows, measured over the
/// streaming phase like the others: Websocket.Client counting messages, Websocket.Client feeding the hand-written
/// reference's parse and bounded channel, and the SignalR .NET client reading a hub stream of the same events.
/// </summary>
internal static class PeerClients
{
    private const string Hello = """{"type":"hello","agent_id":"bench","protocol_min":1,"protocol_max":2}""";

    /// <summary>Websocket.Client 5.5.1, messages counted in its <c>MessageReceived</c> subscription (text decoded to strings, its default).</summary>
    public static async Task<Measurement> WebsocketClientCountAsync(Uri url, long events)
    {
        using var client = new WebsocketClient(url) { IsReconnectionEnabled = false, ReconnectTimeout = null };
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Measurement.Probe? probe = null;
        long count = 0;
        using var subscription = client.MessageReceived.Subscribe(message =>
        {
            if (probe is null)
            {
                probe = Measurement.Start(); // hello_ok: streaming starts now
                return;
            }

            if (++count == events)
            {
                done.TrySetResult();
            }
        });
        await client.StartOrFail();
        client.Send(Hello);
        await done.Task;
        var measured = probe!.Stop(count);
        await client.Stop(WebSocketCloseStatus.NormalClosure, string.Empty);
        return measured;
    }

    /// <summary>
    /// Websocket.Client 5.5.1 with the hand-written reference's work: type and seq read with a <c>Utf8JsonReader</c>, the
    /// payload's bytes kept, a bounded channel to an <c>await foreach</c> consumer. Text conversion is off, so the
    /// message arrives as the byte array the event keeps (its best case: no string, no second copy); a full channel
    /// blocks its receive loop, which is the only backpressure a synchronous subscription has.
    /// </summary>
    public static async Task<Measurement> WebsocketClientParseAsync(Uri url, long events, LatencyProbe? latency = null)
    {
        using var client = new WebsocketClient(url) { IsReconnectionEnabled = false, ReconnectTimeout = null, IsTextMessageConversionEnabled = false };
        var channel = Channel.CreateBounded<ReferenceParse.Event>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var started = new TaskCompletionSource<MeasuredWindow>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0L;
        using var subscription = client.MessageReceived.Subscribe(message =>
        {
            var bytes = message.Binary ?? Encoding.UTF8.GetBytes(message.Text ?? string.Empty);
            if (!started.Task.IsCompleted)
            {
                started.TrySetResult(new MeasuredWindow(events, latency)); // hello_ok
                return;
            }

            var (type, seq) = ReferenceParse.TypeAndSeq(bytes);
            var e = new ReferenceParse.Event(type, seq, bytes);
            if (!channel.Writer.TryWrite(e))
            {
                channel.Writer.WriteAsync(e).AsTask().GetAwaiter().GetResult();
            }

            if (++received == events)
            {
                channel.Writer.TryComplete();
            }
        });
        await client.StartOrFail();
        client.Send(Hello);
        var window = await started.Task;
        await foreach (var e in channel.Reader.ReadAllAsync())
        {
            window.Event(e.Frame);
        }

        var measured = window.Stop();
        await client.Stop(WebSocketCloseStatus.NormalClosure, string.Empty);
        return measured;
    }

    /// <summary>The SignalR .NET client 10.0.15: <c>StreamAsync</c> of the hub's typed events (JSON hub protocol, WebSockets transport).</summary>
    public static async Task<Measurement> SignalRAsync(int port, long events, int size)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"http://127.0.0.1:{port}{BenchHub.Path}", o => { o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets; o.SkipNegotiation = true; })
            .Build();
        await connection.StartAsync();

        var probe = Measurement.Start();
        long count = 0;
        await foreach (var e in connection.StreamAsync<BenchHub.Event>(nameof(BenchHub.Events), events, size))
        {
            count += e.Seq > 0 ? 1 : 0;
        }

        var measured = probe.Stop(count);
        await connection.StopAsync();
        return measured;
    }
}

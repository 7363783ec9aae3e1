using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Resume latency: the server drops the connection while events the client has not seen are retained;
/// measured from the drop to the first replayed event delivered to the consumer and to the last one
/// (replay complete), with no configured reconnect delay; beside the raw floor: a bare ClientWebSocket
/// noticing the drop, reconnecting and receiving its first frame.
/// </summary>
internal static class ResumeRun
{
    private const int Missed = 5;

    public static async Task RunAsync(int drops)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, RetentionWindow = 10_000 });
        var raw = await RawFloorAsync(gateway, drops);

        var options = new GatewayClientOptions { Url = gateway.Url, AgentId = "bench", Reconnect = { InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero } };
        options.Random = () => 0; // no configured delay to subtract
        await using var client = new GatewayClient(options);
        await client.ConnectAsync();
        await gateway.WaitForHandshakeAsync(drops + 2);
        var session = gateway.GetSession(client.Session!.SessionId);
        var first = new List<double>(drops);
        var complete = new List<double>(drops);
        long awaitedFirst = 0, awaitedLast = 0;
        TaskCompletionSource<long>? firstSeen = null, lastSeen = null;
        var consumer = Task.Run(async () =>
        {
            await foreach (var e in client.ReadEventsAsync())
            {
                var now = Stopwatch.GetTimestamp();
                if (e.Sequence == Volatile.Read(ref awaitedFirst))
                {
                    firstSeen?.TrySetResult(now);
                }

                if (e.Sequence == Volatile.Read(ref awaitedLast))
                {
                    lastSeen?.TrySetResult(now);
                }
            }
        });

        var data = new JsonObject { ["text"] = new string('x', 200) };
        var handshakes = drops + 2;
        for (var i = 0; i < drops; i++)
        {
            // The server records a handshake just after sending hello_ok: wait for it rather than race it.
            var live = await gateway.WaitForHandshakeAsync(handshakes++);
            live.Stall(); // what follows is retained, not sent
            for (var k = 0; k < Missed; k++)
            {
                await session.PublishAsync("message", data, EnvelopeShape.Flat);
            }

            firstSeen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            lastSeen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref awaitedFirst, session.Head - Missed + 1);
            Volatile.Write(ref awaitedLast, session.Head);
            var dropped = Stopwatch.GetTimestamp();
            live.Drop();
            first.Add(Stopwatch.GetElapsedTime(dropped, await firstSeen.Task).TotalMilliseconds);
            complete.Add(Stopwatch.GetElapsedTime(dropped, await lastSeen.Task).TotalMilliseconds);
        }

        await client.DisconnectAsync();
        await consumer;
        Console.WriteLine($"Resume latency over {drops} drops ({Missed} events missed each time), loopback, no configured delay:");
        Console.WriteLine("| measure | p50 | p99 |");
        Console.WriteLine("| --- | ---: | ---: |");
        Row("raw floor: drop -> first frame on a new socket", raw);
        Row("GatewayClient: drop -> first replayed event delivered", first);
        Row("GatewayClient: drop -> replay complete", complete);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resume overhead over the raw floor (p50): {Percentile(first, 50) - Percentile(raw, 50):0.000} ms (target <= 1 ms)"));
    }

    private static async Task<List<double>> RawFloorAsync(TestGateway gateway, int drops)
    {
        var hello = """{"type":"hello","agent_id":"bench","protocol_min":1,"protocol_max":2}"""u8.ToArray();
        var buffer = new byte[16 * 1024];
        var floor = new List<double>(drops);
        var socket = await ConnectRawAsync(gateway.Url, hello, buffer);
        for (var i = 1; i <= drops; i++)
        {
            var live = await gateway.WaitForHandshakeAsync(i);
            var pending = socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask();
            var dropped = Stopwatch.GetTimestamp();
            live.Drop();
            try
            {
                await pending;
            }
            catch (WebSocketException)
            {
                // The drop, as the client sees it.
            }

            socket.Dispose();
            socket = await ConnectRawAsync(gateway.Url, hello, buffer);
            floor.Add(Stopwatch.GetElapsedTime(dropped).TotalMilliseconds);
        }

        socket.Dispose();
        return floor;
    }

    private static async Task<ClientWebSocket> ConnectRawAsync(Uri url, byte[] hello, byte[] buffer)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, CancellationToken.None);
        await socket.SendAsync(hello, WebSocketMessageType.Text, true, CancellationToken.None);
        await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None); // hello_ok: the first frame
        return socket;
    }

    private static void Row(string name, List<double> values) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentile(values, 50):0.000} ms | {Percentile(values, 99):0.000} ms |"));

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
    }
}

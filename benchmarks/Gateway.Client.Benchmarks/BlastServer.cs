using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// A loopback server for the throughput run, in its own process: it answers any first frame with a
/// protocol 2 <c>hello_ok</c>, then sends N numbered events of a fixed size as fast as the socket takes
/// them (one event per frame), then waits for the client to close.
/// </summary>
internal static class BlastServer
{
    public static async Task RunAsync(long events, int size, int rate = 0, Action? afterPort = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        afterPort?.Invoke();
        Console.Out.Flush();
        while (true)
        {
            var tcp = await listener.AcceptTcpClientAsync();
            tcp.NoDelay = true;
            _ = ServeAsync(tcp, events, size, rate);
        }
    }

    private static async Task ServeAsync(TcpClient tcp, long events, int size, int rate)
    {
        using var _ = tcp;
        var stream = tcp.GetStream();
        var key = await ReadUpgradeKeyAsync(stream);
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var inbound = new byte[64 * 1024];
        await socket.ReceiveAsync(inbound.AsMemory(), CancellationToken.None); // hello (or anything)
        var helloOk = Encoding.UTF8.GetBytes("""{"type":"hello_ok","protocol":2,"session_id":"bench","resumed":false,"cursor":0,"epoch":"e1","oldest_cursor":1,"policy":{"max_payload":1048576,"heartbeat_ms":600000},"features":{"methods":[],"events":[]}}""");
        await socket.SendAsync(helloOk, WebSocketMessageType.Text, true, CancellationToken.None);

        // One event per WebSocket frame, but many frames per write: the server must not be the bottleneck.
        // Frames are written raw (RFC 6455 §5.2: FIN + text, unmasked, 7- or 16-bit length) after the
        // hello_ok went through the WebSocket, which has nothing buffered by now.
        var frame = new byte[size + 64];
        var prefix = "{\"type\":\"message\",\"seq\":"u8.ToArray();
        var batch = new byte[256 * 1024];
        var filled = 0;

        // With a rate, events go out in 10 ms ticks (rate / 100 per tick) instead of as fast as possible.
        var perTick = rate > 0 ? Math.Max(1, rate / 100) : int.MaxValue;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (long seq = 1; seq <= events; seq++)
        {
            if (filled + frame.Length + 4 > batch.Length || (seq > 1 && (seq - 1) % perTick == 0))
            {
                await stream.WriteAsync(batch.AsMemory(0, filled));
                filled = 0;
                if (rate > 0)
                {
                    var due = TimeSpan.FromMilliseconds((seq - 1) / perTick * 10.0);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed);
                    }
                }
            }

            // Paced events carry the moment they were built (just before their write), for the latency probe.
            var length = Build(frame, prefix, seq, size, rate > 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : 0);

            batch[filled++] = 0x81;
            if (length < 126)
            {
                batch[filled++] = (byte)length;
            }
            else
            {
                batch[filled++] = 126;
                batch[filled++] = (byte)(length >> 8);
                batch[filled++] = (byte)length;
            }

            frame.AsSpan(0, length).CopyTo(batch.AsSpan(filled));
            filled += length;
        }

        await stream.WriteAsync(batch.AsMemory(0, filled));

        // Let the client read to the end and close.
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(inbound.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
            }
        }
        catch (WebSocketException)
        {
        }
    }

    /// <summary>
    /// Writes <c>{"type":"message","seq":N,"cursor":N,"data":{"text":"xxx…"}}</c>, padded to about <paramref name="size"/>
    /// bytes; with a <paramref name="stamp"/>, <c>"data":{"t":STAMP,"text":…}</c> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp: the same clock in every process of this machine).
    /// </summary>
    private static int Build(byte[] frame, byte[] prefix, long seq, int size, long stamp)
    {
        var at = 0;
        Append(frame, ref at, prefix);
        Utf8Formatter.TryFormat(seq, frame.AsSpan(at), out var written);
        at += written;
        Append(frame, ref at, ",\"cursor\":"u8);
        Utf8Formatter.TryFormat(seq, frame.AsSpan(at), out written);
        at += written;
        Append(frame, ref at, ",\"data\":{"u8);
        if (stamp != 0)
        {
            Append(frame, ref at, LatencyProbe.StampField);
            Utf8Formatter.TryFormat(stamp, frame.AsSpan(at), out written);
            at += written;
            Append(frame, ref at, ","u8);
        }

        Append(frame, ref at, "\"text\":\""u8);
        var pad = Math.Max(1, size - at - 3);
        frame.AsSpan(at, pad).Fill((byte)'x');
        at += pad;
        Append(frame, ref at, "\"}}"u8);
        return at;
    }

    private static void Append(byte[] frame, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(frame.AsSpan(at));
        at += bytes.Length;
    }

    internal static async Task<string> ReadUpgradeKeyAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("closed during upgrade");
            }

            head.Add(one[0]);
        }

        var line = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase));
        return line["Sec-WebSocket-Key:".Length..].Trim();
    }
}

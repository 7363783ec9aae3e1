using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// A loopback PraisonAI gateway for the turns run, in its own process, speaking protocol 2 as the real server does for
/// turns: each <c>message</c> is answered at once with a numbered <c>response</c> <c>accepted</c> ("Started processing."
/// when nothing of the session runs, else "Message queued."), and the session's messages run one after another, in the
/// order they came, each as numbered <c>token_stream</c> events (wrapped), a <c>stream_end</c> and a <c>response</c>
/// <c>final</c> with <c>outcome.status: ok</c>. Turns never interleave (the client matches them by order).
/// <list type="bullet">
/// <item><c>stream N MS</c>: N deltas, one every MS milliseconds (a <see cref="Thread.Sleep(int)"/> before each).</item>
/// <item><c>turn N</c>: N deltas back to back.</item>
/// </list>
/// Every <c>token_stream</c> carries, in its data, the <see cref="Stopwatch"/> timestamp (<c>"t":N</c>, one clock for
/// every process of the machine) taken right before the frame is written to the socket. Two frames of this benchmark's
/// own steer the memory run: <c>bench_hold</c> (the next turn to run stops after its first delta) and <c>bench_go</c>
/// (it goes on); nothing answers them.
/// </summary>
internal static class TurnServer
{
    private static int _connections;

    public static async Task RunAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        Console.Out.Flush();
        while (true)
        {
            var tcp = await listener.AcceptTcpClientAsync();
            tcp.NoDelay = true;
            _ = Task.Run(() => ServeAsync(tcp));
        }
    }

    private static async Task ServeAsync(TcpClient tcp)
    {
        using var _ = tcp;
        try
        {
            var stream = tcp.GetStream();
            var key = await BlastServer.ReadUpgradeKeyAsync(stream);
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
            using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            var session = new Session(socket, "turns-" + Interlocked.Increment(ref _connections));
            await session.RunAsync();
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // The client went away.
        }
    }

    private sealed class Session
    {
        private readonly WebSocket _socket;
        private readonly string _id;
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly Channel<string> _turns = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private readonly SemaphoreSlim _go = new(0);
        private long _seq;
        private int _pending; // messages taken and not yet answered with their final
        private volatile bool _holdNext;

        public Session(WebSocket socket, string id)
        {
            _socket = socket;
            _id = id;
        }

        public async Task RunAsync()
        {
            var inbound = new byte[64 * 1024];
            await ReceiveAsync(inbound); // hello
            await WriteAsync(Encoding.UTF8.GetBytes($$$"""{"type":"hello_ok","protocol":2,"session_id":"{{{_id}}}","resumed":false,"cursor":0,"epoch":"e1","oldest_cursor":1,"policy":{"max_payload":1048576,"heartbeat_ms":600000},"features":{"methods":[],"events":[]}}"""));
            var runner = Task.Run(RunTurnsAsync);
            try
            {
                while (await ReceiveAsync(inbound) is { } length)
                {
                    using var frame = JsonDocument.Parse(inbound.AsMemory(0, length));
                    switch (frame.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null)
                    {
                        case "message":
                            // Answered at once, as the real server does; run in order by the session's queue.
                            var started = Interlocked.Increment(ref _pending) == 1;
                            await SendNumberedAsync(seq => $$"""{"type":"response","status":"accepted","content":"{{(started ? "Started processing." : "Message queued.")}}","session_id":"{{_id}}","seq":{{seq}},"cursor":{{seq}}}""");
                            _turns.Writer.TryWrite(frame.RootElement.GetProperty("content").GetString() ?? string.Empty);
                            break;
                        case "bench_hold":
                            _holdNext = true;
                            break;
                        case "bench_go":
                            _go.Release();
                            break;
                    }
                }
            }
            finally
            {
                _turns.Writer.TryComplete();
                _go.Release(int.MaxValue / 2);
                await runner;
            }
        }

        private async Task RunTurnsAsync()
        {
            try
            {
                await foreach (var content in _turns.Reader.ReadAllAsync())
                {
                    var words = content.Split(' ');
                    var deltas = words.Length > 1 ? int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
                    var intervalMs = words[0] == "stream" && words.Length > 2 ? int.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
                    var hold = _holdNext;
                    _holdNext = false;
                    for (var i = 0; i < deltas; i++)
                    {
                        if (hold && i == 1)
                        {
                            await _go.WaitAsync();
                        }

                        if (intervalMs > 0)
                        {
                            // A timer's await here gives 1–5 ms on a busy machine: a sleeping thread paces closer to the interval.
                            Thread.Sleep(intervalMs);
                        }

                        await SendTokenAsync("x");
                    }

                    await SendNumberedAsync(seq => $$"""{"type":"stream_end","data":{"session_id":"{{_id}}"},"event_id":"e{{seq}}","source":"gateway","target":"{{_id}}","seq":{{seq}},"cursor":{{seq}}}""");
                    var answer = new string('x', deltas);
                    await SendNumberedAsync(seq => $$"""{"type":"response","status":"final","content":"{{answer}}","outcome":{"status":"ok"},"session_id":"{{_id}}","seq":{{seq}},"cursor":{{seq}}}""");
                    Interlocked.Decrement(ref _pending);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The client went away mid-turn.
            }
        }

        /// <summary>A <c>token_stream</c> delta, stamped with the moment right before its write (the stamp's digits fill a space-padded slot).</summary>
        private async Task SendTokenAsync(string content)
        {
            await _writing.WaitAsync();
            try
            {
                var seq = ++_seq;
                var head = Encoding.UTF8.GetBytes($$"""{"type":"token_stream","event_id":"e{{seq}}","source":"gateway","target":"{{_id}}","seq":{{seq}},"cursor":{{seq}},"data":{"content":"{{content}}","session_id":"{{_id}}","t":""");
                var frame = new byte[head.Length + 20 + 2];
                head.CopyTo(frame, 0);
                var slot = frame.AsSpan(head.Length, 20);
                slot.Fill((byte)' ');
                frame[^2] = (byte)'}';
                frame[^1] = (byte)'}';
                Utf8Formatter.TryFormat(Stopwatch.GetTimestamp(), slot, out _);
                await _socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                _writing.Release();
            }
        }

        private async Task SendNumberedAsync(Func<long, string> build)
        {
            await _writing.WaitAsync();
            try
            {
                var seq = ++_seq;
                await _socket.SendAsync(Encoding.UTF8.GetBytes(build(seq)), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                _writing.Release();
            }
        }

        private async Task WriteAsync(byte[] frame)
        {
            await _writing.WaitAsync();
            try
            {
                await _socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                _writing.Release();
            }
        }

        /// <summary>One whole text message into <paramref name="buffer"/>; null when the client closed.</summary>
        private async Task<int?> ReceiveAsync(byte[] buffer)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return null;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);
            return length;
        }
    }
}

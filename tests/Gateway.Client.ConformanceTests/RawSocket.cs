using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A raw <see cref="ClientWebSocket"/> to a <see cref="TestGateway"/>, so TestGateway's own behaviour is checked without the
/// client's code: a background reader queues every text frame; a test takes them in order with <see cref="NextAsync"/> or
/// <see cref="ReadUntilAsync"/>. Every wait is bounded by <see cref="Harness.Deadline"/>.
/// </summary>
internal sealed class RawSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private Task _reading = Task.CompletedTask;
    private int _requests;

    private RawSocket()
    {
    }

    /// <summary>A PraisonAI <c>hello</c> (resuming <paramref name="sessionId"/> from <paramref name="since"/> when given), up to <c>hello_ok</c>.</summary>
    public static async Task<(RawSocket Socket, JsonElement HelloOk)> HelloAsync(TestGateway gateway, string? sessionId = null, long? since = null)
    {
        var socket = await OpenAsync(gateway);
        var hello = new JsonObject { ["type"] = "hello", ["agent_id"] = "echo", ["protocol_min"] = 1, ["protocol_max"] = 2 };
        if (sessionId is not null)
        {
            hello["session_id"] = sessionId;
            hello["since"] = since ?? 0;
        }

        await socket.SendAsync(hello);
        return (socket, await socket.NextAsync("hello_ok"));
    }

    /// <summary>An OpenClaw <c>connect</c> (after the challenge), up to its answer.</summary>
    public static async Task<RawSocket> ConnectOpenClawAsync(TestGateway gateway, params string[] scopes)
    {
        var socket = await OpenAsync(gateway);
        await socket.NextAsync("event");
        var answer = await socket.RequestAsync("connect", new JsonObject
        {
            ["client"] = new JsonObject { ["id"] = "test", ["version"] = "1", ["platform"] = "test", ["mode"] = "backend" },
            ["minProtocol"] = 4,
            ["maxProtocol"] = 4,
            ["role"] = "operator",
            ["scopes"] = new JsonArray(scopes.Select(s => (JsonNode?)s).ToArray()),
        });
        Assert.True(answer.GetProperty("ok").GetBoolean());
        return socket;
    }

    /// <summary>A Praxis connection (nothing is said on connect in live mode).</summary>
    public static Task<RawSocket> OpenPraxisAsync(TestGateway gateway) => OpenAsync(gateway);

    public Task SendAsync(JsonObject frame) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, Harness.Deadline());

    /// <summary>An OpenClaw request; returns its <c>res</c> (every event read meanwhile stays queued for the test, in order).</summary>
    public async Task<JsonElement> RequestAsync(string method, JsonObject parameters)
    {
        var id = $"r{Interlocked.Increment(ref _requests)}";
        await SendAsync(new JsonObject { ["type"] = "req", ["id"] = id, ["method"] = method, ["params"] = parameters });
        return await Answers.WaitForAsync(id);
    }

    /// <summary>The next frame.</summary>
    public async Task<JsonElement> NextAsync() => await _frames.Reader.ReadAsync(Harness.Deadline());

    /// <summary>The next frame, which must have this <c>type</c>.</summary>
    public async Task<JsonElement> NextAsync(string type)
    {
        var frame = await NextAsync();
        Assert.Equal(type, frame.GetProperty("type").GetString());
        return frame;
    }

    /// <summary>Every frame up to and including the first that matches.</summary>
    public async Task<List<JsonElement>> ReadUntilAsync(Func<JsonElement, bool> last)
    {
        var frames = new List<JsonElement>();
        while (true)
        {
            var frame = await NextAsync();
            frames.Add(frame);
            if (last(frame))
            {
                return frames;
            }
        }
    }

    /// <summary>Whether a frame has been read and not yet taken.</summary>
    public bool HasPending => _frames.Reader.TryPeek(out _);

    /// <summary>Drops the connection with no close handshake.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reading.ConfigureAwait(false);
        _socket.Dispose();
    }

    private OpenClawAnswers Answers { get; } = new();

    private static async Task<RawSocket> OpenAsync(TestGateway gateway)
    {
        var socket = new RawSocket();
        await socket._socket.ConnectAsync(gateway.Url, Harness.Deadline());
        socket._reading = socket.ReadAsync();
        return socket;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var frame = JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
                if (frame.TryGetProperty("type", out var type) && type.GetString() == "res")
                {
                    Answers.Add(frame); // answers are matched by id, never taken for the event stream
                }
                else
                {
                    _frames.Writer.TryWrite(frame);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted by the test or dropped by the gateway.
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    /// <summary>OpenClaw answers by request id.</summary>
    private sealed class OpenClawAnswers
    {
        private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _byId = new(StringComparer.Ordinal);

        public void Add(JsonElement frame) => Slot(frame.GetProperty("id").GetString()!).TrySetResult(frame);

        public Task<JsonElement> WaitForAsync(string id) => Slot(id).Task.WaitAsync(Harness.Deadline());

        private TaskCompletionSource<JsonElement> Slot(string id)
        {
            lock (_byId)
            {
                if (!_byId.TryGetValue(id, out var slot))
                {
                    _byId[id] = slot = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return slot;
            }
        }
    }
}

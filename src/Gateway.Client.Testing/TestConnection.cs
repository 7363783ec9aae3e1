using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Gateway.Client.Testing;

/// <summary>
/// One client connection to the <see cref="TestGateway"/>: what it sent, and the faults a test can
/// inject into it. Faults act on the raw TCP stream where a WebSocket API cannot (abrupt drop,
/// truncated frame, half-open stall).
/// </summary>
public sealed class TestConnection
{
    private readonly TcpClient _tcp;
    private readonly InterceptedStream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<JsonElement> _received = new();
    private readonly List<(Func<JsonElement, bool> Match, TaskCompletionSource<JsonElement> Completion)> _waiters = new();
    private readonly TaskCompletionSource<bool> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _served = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _clock;
    private long _lastActivityTicks;
    private int _stalled;
    private int _muted;
    private long _sequence;
    private int _ended;

    internal TestConnection(int id, TcpClient tcp, InterceptedStream stream, WebSocket socket, string path, IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string> headers, TimeProvider clock)
    {
        Id = id;
        _tcp = tcp;
        _stream = stream;
        Socket = socket;
        Path = path;
        Query = query;
        Headers = headers;
        _clock = clock;
        TouchActivity();
    }

    /// <summary>The connection's id as the OpenClaw dialect announces it (<c>server.connId</c>).</summary>
    public string ConnectionId { get; } = Guid.NewGuid().ToString();

    /// <summary>A number unique within the gateway, in order of arrival.</summary>
    public int Id { get; }

    /// <summary>The request path (without the query).</summary>
    public string Path { get; }

    /// <summary>The request's query parameters.</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>The request's headers (names lower-case).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The session the connection joined, once the handshake succeeded.</summary>
    public TestSession? Session { get; internal set; }

    /// <summary>The negotiated protocol, once the handshake succeeded.</summary>
    public int? Protocol { get; internal set; }

    /// <summary>Whether the handshake was the legacy <c>join</c>.</summary>
    public bool IsLegacy { get; internal set; }

    /// <summary>The <c>since</c> the client sent when it resumed, if any.</summary>
    public long? ResumedFrom { get; internal set; }

    /// <summary>Whether the socket is still usable.</summary>
    public bool IsOpen => Volatile.Read(ref _ended) == 0 && Socket.State == WebSocketState.Open;

    /// <summary>Whether the connection is stalled (half-open).</summary>
    public bool IsStalled => Volatile.Read(ref _stalled) == 1;

    /// <summary>Completes when the connection has ended, however it ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The close code the client sent, if it closed the connection.</summary>
    public WebSocketCloseStatus? ClientCloseStatus { get; internal set; }

    /// <summary>Every frame the client sent that was a JSON value, in order.</summary>
    public IReadOnlyList<JsonElement> ReceivedFrames
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    internal WebSocket Socket { get; }

    internal DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    /// <summary>Waits for the first frame (already received or still to come) with the given <c>type</c>.</summary>
    public Task<JsonElement> WaitForFrameAsync(string type, CancellationToken cancellationToken = default) =>
        WaitForFrameAsync(f => f.ValueKind == JsonValueKind.Object && f.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type, cancellationToken);

    /// <summary>Waits for the first frame (already received or still to come) that matches.</summary>
    public Task<JsonElement> WaitForFrameAsync(Func<JsonElement, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        TaskCompletionSource<JsonElement> completion;
        lock (_received)
        {
            foreach (var frame in _received)
            {
                if (match(frame))
                {
                    return Task.FromResult(frame);
                }
            }

            completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, completion));
        }

        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends a text frame as is (any content, valid JSON or not). Returns false when the connection cannot send.</summary>
    public Task<bool> SendTextAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendFrameAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);
    }

    /// <summary>
    /// Fault: sends an unnumbered text frame whose bytes are not valid UTF-8 (a poison frame). The client's
    /// WebSocket closes with 1007 before the SDK sees it. Returns false when the connection cannot send.
    /// </summary>
    public Task<bool> SendUndecodableTextAsync() =>
        SendUtf8TextAsync(ServerFrames.WithInvalidUtf8($$"""{"type":"notice","text":"{{ServerFrames.UndecodableText}}"}"""));

    /// <summary>Sends a text frame of raw bytes, valid UTF-8 or not.</summary>
    internal Task<bool> SendUtf8TextAsync(byte[] utf8) => SendFrameAsync(utf8, WebSocketMessageType.Text);

    /// <summary>Sends a binary frame (the protocol never uses them). Returns false when the connection cannot send.</summary>
    public Task<bool> SendBinaryAsync(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return SendFrameAsync(data, WebSocketMessageType.Binary);
    }

    /// <summary>Fault: drops the TCP connection at once, with no close frame (a reset, as when a network path dies).</summary>
    public void Drop()
    {
        if (Volatile.Read(ref _ended) == 1)
        {
            return;
        }

        try
        {
            if (_tcp.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        End();
    }

    /// <summary>
    /// Fault: closes with the given close code and reason (for example 4002 or 1013). A client that does
    /// not answer the close within 5 seconds is cut off, as a production server would.
    /// </summary>
    public async Task CloseAsync(int closeCode, string reason = "")
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, reason, bound.Token).ConfigureAwait(false);
                _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ => End(), TaskScheduler.Default);
            }
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            // The client is gone already.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Fault: half-open stall. The server stops reading and writing but keeps the socket open, as a
    /// dead NAT or a frozen peer would; nothing is closed until the test drops it or the gateway stops.
    /// </summary>
    public void Stall() => Interlocked.Exchange(ref _stalled, 1);

    /// <summary>
    /// Fault: the server goes on reading (and recording) the client's frames but sends nothing more on this
    /// connection: no answers, events or pings, as a gateway whose writer is stuck. A request the client writes
    /// now is received and never answered.
    /// </summary>
    public void Mute() => Interlocked.Exchange(ref _muted, 1);

    /// <summary>
    /// Fault: the server stops reading from the socket but goes on sending (events, pings), as a gateway
    /// whose reader is stuck would. The client's sends fill the socket buffers and then block.
    /// </summary>
    public void StopReading() => _stream.StopReading();

    /// <summary>
    /// Fault: starts a text frame announcing the whole of <paramref name="text"/> but writes only its first
    /// <paramref name="bytesToSend"/> bytes, then drops the connection mid-frame.
    /// </summary>
    public async Task SendTruncatedFrameAsync(string text, int bytesToSend)
    {
        ArgumentNullException.ThrowIfNull(text);
        var payload = Encoding.UTF8.GetBytes(text);
        ArgumentOutOfRangeException.ThrowIfNegative(bytesToSend);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bytesToSend, payload.Length);
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            // RFC 6455 §5.2: FIN + text opcode, unmasked (server to client), then the length.
            var header = new List<byte> { 0x81 };
            if (payload.Length < 126)
            {
                header.Add((byte)payload.Length);
            }
            else if (payload.Length <= ushort.MaxValue)
            {
                header.Add(126);
                header.Add((byte)(payload.Length >> 8));
                header.Add((byte)payload.Length);
            }
            else
            {
                header.Add(127);
                for (var shift = 56; shift >= 0; shift -= 8)
                {
                    header.Add((byte)((long)payload.Length >> shift));
                }
            }

            await _stream.WriteAsync(header.ToArray()).ConfigureAwait(false);
            await _stream.WriteAsync(payload.AsMemory(0, bytesToSend)).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            // The client is gone already.
        }
        finally
        {
            _sendLock.Release();
        }

        Drop();
    }

    /// <summary>Completes when the gateway has finished serving the connection (its receive loop and buffers are gone), after <see cref="Closed"/>.</summary>
    internal Task Served => _served.Task;

    /// <summary>Test hook: runs <paramref name="hook"/> inside the next write to this connection's socket, before any byte of it goes out.</summary>
    internal void BeforeNextWrite(Action hook) => _stream.BeforeNextWrite(hook);

    /// <summary>
    /// Any way a write to a dying socket fails: aborted mid-send (ManagedWebSocket throws
    /// <see cref="OperationCanceledException"/> then), reset, disposed, or in a state that can no longer send.
    /// </summary>
    internal static bool IsConnectionFailure(Exception ex) =>
        ex is OperationCanceledException or WebSocketException or IOException or InvalidOperationException or SocketException;

    /// <summary>
    /// Sends one whole frame. A send that fails for any reason means "not delivered to this connection":
    /// it never throws to the publisher, and the connection, whose socket may hold half a frame, ends.
    /// </summary>
    private async Task<bool> SendFrameAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type)
    {
        if (IsStalled || !IsOpen || Volatile.Read(ref _muted) == 1)
        {
            return false;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsStalled || !IsOpen)
            {
                return false;
            }

            await Socket.SendAsync(payload, type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            End();
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Completes once the handshake's answer (and any replay) went out; gateway notices wait for it, so none precedes the answer.</summary>
    internal TaskCompletionSource HandshakeAnswered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Sends a frame numbered by the connection's own sequence (OpenClaw numbers events per socket, from 1). The number is taken
    /// under the send lock, so two senders (a tick and a run's event) never put their numbers on the wire out of order; a frame
    /// that cannot be sent takes no number.
    /// </summary>
    internal async Task<bool> SendSequencedTextAsync(Func<long, string> frame)
    {
        if (IsStalled || !IsOpen || Volatile.Read(ref _muted) == 1)
        {
            return false;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsStalled || !IsOpen)
            {
                return false;
            }

            var text = frame(Interlocked.Increment(ref _sequence));
            await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            End();
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal void TouchActivity() => Interlocked.Exchange(ref _lastActivityTicks, _clock.GetUtcNow().UtcTicks);

    internal void Record(JsonElement frame)
    {
        lock (_received)
        {
            _received.Add(frame);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(frame))
                {
                    _waiters[i].Completion.TrySetResult(frame);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Called by the gateway once it has stopped serving the connection.</summary>
    internal void MarkServed()
    {
        End();
        _served.TrySetResult();
    }

    /// <summary>Marks the connection ended and releases everything waiting on it.</summary>
    internal void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        Session?.Unbind(this);
        try
        {
            Socket.Abort();
            _tcp.Dispose();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        lock (_received)
        {
            foreach (var (_, completion) in _waiters)
            {
                completion.TrySetException(new InvalidOperationException($"Connection {Id} ended before the awaited frame arrived."));
            }

            _waiters.Clear();
        }

        HandshakeAnswered.TrySetResult(); // nothing waits for an answer that will never be sent
        _closed.TrySetResult(true);
    }
}

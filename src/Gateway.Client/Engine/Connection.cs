using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>
/// One WebSocket's lifetime: open, handshake transport, receive loop, send lock, close. It never
/// reconnects and never decides what a close means; the supervisor does.
/// </summary>
internal sealed class Connection : IFrameTransport, IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly MessageReader _reader;
    private readonly ConnectionSender _sender;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationTokenSource _delivery = new();
    private int _closeRequested;
    private int _disposed;
    private long _lastInbound;
    private int _dispatching;
    private readonly TaskCompletionSource<bool> _retired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _abortReason;
    private Task? _handshakeReceive; // the last handshake receive; a handshake may abandon it

    private Connection(ClientWebSocket socket, IDialect dialect, GatewayClientOptions options, ClientTelemetry? telemetry)
    {
        _socket = socket;
        _reader = new MessageReader(options.MaxReceiveMessageBytes);
        Lifetime = _lifetime.Token;
        Clock = options.TimeProvider;
        Telemetry = telemetry;
        CloseTimeout = options.CloseTimeout;
        using var pong = new PooledBufferWriter(32);
        _sender = new ConnectionSender(this, socket, dialect.WritePong(pong) ? pong.WrittenMemory.ToArray() : null, options.SendTimeout);
    }

    /// <summary>Cancelled when the connection is aborted or disposed; work on behalf of the connection uses it.</summary>
    public CancellationToken Lifetime { get; }

    /// <summary>Whether a close was asked for (or the socket aborted): nothing new is written any more.</summary>
    public bool IsClosing => Volatile.Read(ref _closeRequested) == 1;

    /// <summary>Completes once the connection is disposed: the supervisor has moved on from it.</summary>
    public Task Retired => _retired.Task;

    /// <summary>When the last inbound message arrived (a <see cref="TimeProvider.GetTimestamp"/> value).</summary>
    public long LastInboundTimestamp => Volatile.Read(ref _lastInbound);

    /// <summary>
    /// Whether the receive loop is handing an event to the buffer, which waits while the consumer is
    /// behind: the socket is not being read then, so silence says nothing about the connection's health.
    /// </summary>
    public bool IsBackpressured => Volatile.Read(ref _dispatching) == 1;

    /// <summary>The clock that stamps <see cref="LastInboundTimestamp"/> and bounds sends and the close.</summary>
    public TimeProvider Clock { get; }

    /// <summary>How long the close handshake's first step may take (<see cref="GatewayClientOptions.CloseTimeout"/>).</summary>
    public TimeSpan CloseTimeout { get; }

    /// <summary>Where bytes in and out are counted; none in unit tests.</summary>
    public ClientTelemetry? Telemetry { get; }

    /// <summary>The counted frames the handshake skipped (non-text).</summary>
    public int HandshakeFramesSkipped { get; private set; }

    /// <summary>Text frames the handshake had no use for (anything before its answer).</summary>
    public int HandshakeFramesIgnored { get; private set; }

    /// <inheritdoc />
    public void FrameIgnored() => HandshakeFramesIgnored++;

    /// <summary>Opens the socket (see <see cref="SocketOpener"/>) and wraps it.</summary>
    public static async Task<Connection> OpenAsync(GatewayClientOptions options, IDialect dialect, string? token, ClientTelemetry? telemetry, ServerNumbers numbers, CancellationToken cancellationToken)
    {
        var socket = await SocketOpener.OpenAsync(options, dialect, token, numbers, cancellationToken).ConfigureAwait(false);
        return Wrap(socket, dialect, options, telemetry);
    }

    /// <summary>Wraps a socket (open, or for tests of what holds a connection, one never opened).</summary>
    internal static Connection Wrap(ClientWebSocket socket, IDialect dialect, GatewayClientOptions options, ClientTelemetry? telemetry = null)
    {
        var connection = new Connection(socket, dialect, options, telemetry);
        connection.TouchInbound();
        return connection;
    }

    /// <summary>Sends one text frame, bounded by <see cref="GatewayClientOptions.SendTimeout"/> from now and by the token (see <see cref="ConnectionSender"/>).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken) => _sender.SendAsync(utf8Frame, cancellationToken);

    /// <summary>Sends one text frame by <paramref name="deadline"/> or the token (see <see cref="ConnectionSender.SendAsync(ReadOnlyMemory{byte}, DateTimeOffset, CancellationToken, bool)"/>).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, DateTimeOffset deadline, CancellationToken cancellationToken) => _sender.SendAsync(utf8Frame, deadline, cancellationToken);

    /// <summary>
    /// Sends one request frame by <paramref name="deadline"/> or the token: as the other sends,
    /// and the dialect sees it as a request (its answer completes a <c>RequestAsync</c>).
    /// </summary>
    public ValueTask SendRequestAsync(ReadOnlyMemory<byte> utf8Frame, DateTimeOffset deadline, CancellationToken cancellationToken) => _sender.SendAsync(utf8Frame, deadline, cancellationToken, isRequest: true);

    /// <summary>From now on the dialect's connection state sees every frame just before it is written (set once, before anything but the handshake is sent).</summary>
    public void ObserveWrites(IDialectConnection observer) => _sender.Observer = observer;

    /// <inheritdoc />
    public void AnswerPing() => _sender.AnswerPing();

    /// <inheritdoc />
    public Task<byte[]> ReceiveAsync(CancellationToken cancellationToken)
    {
        var receive = ReceiveHandshakeFrameAsync(cancellationToken);
        Volatile.Write(ref _handshakeReceive, receive);
        return receive;
    }

    private async Task<byte[]> ReceiveHandshakeFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReceivedMessage message;
            try
            {
                message = await _reader.ReadAsync(_socket, cancellationToken).ConfigureAwait(false);
                Telemetry?.BytesReceived(message.Count);
            }
            catch (MessageTooLargeException ex)
            {
                await TryCloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
                throw new GatewayConnectionException("The gateway sent a handshake message over the receive limit.", WebSocketCloseStatus.MessageTooBig, null, ex);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                throw new GatewayConnectionException("The connection failed during the handshake.", _socket.CloseStatus, _socket.CloseStatusDescription, ex);
            }

            if (message.IsClose)
            {
                await TryCloseOutputAsync(message.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
                throw new GatewayConnectionException(
                    $"The gateway closed the connection during the handshake ({(int?)message.CloseStatus} {message.CloseDescription}).".Replace(" )", ")"),
                    message.CloseStatus,
                    message.CloseDescription);
            }

            if (message.Type != WebSocketMessageType.Text)
            {
                HandshakeFramesSkipped++;
                continue;
            }

            return message.Span.ToArray();
        }
    }

    /// <summary>Feeds frames that the handshake read past its end, then runs the receive loop until the connection ends.</summary>
    public Task<ConnectionEnd> RunAsync(IConnectionSink sink, IReadOnlyList<byte[]> framesAfterHandshake)
    {
        // The handshake is over and its last receive completed: nothing can still be using the reader's buffer, and
        // the finished task (with the frame it returned) need not live as long as the connection.
        if (Volatile.Read(ref _handshakeReceive) is { IsCompleted: true })
        {
            Volatile.Write(ref _handshakeReceive, null);
        }

        // Whether or not the handshake's answer was already there when it was read, an idle connection must end up
        // waiting without a slab, not holding one in a receive that waits for the first event.
        _reader.ExpectPause();
        return ReceiveUntilEndAsync(sink, framesAfterHandshake); // one state machine for an idle connection, not two
    }

    private async Task<ConnectionEnd> ReceiveUntilEndAsync(IConnectionSink sink, IReadOnlyList<byte[]> framesAfterHandshake)
    {
        var token = _lifetime.Token;
        try
        {
            foreach (var frame in framesAfterHandshake)
            {
                await DispatchAsync(sink, ReceivedMessage.Data(WebSocketMessageType.Text, PayloadSlab.Wrap(frame), 0, frame.Length)).ConfigureAwait(false);
            }

            while (true)
            {
                // Frames already in the socket's buffers are read without waiting; only when the next read
                // would wait does the consumer need waking, once for all of them (see EventBuffer.Flush).
                var read = _reader.ReadAsync(_socket, token);
                if (!read.IsCompleted)
                {
                    sink.Flush();
                }

                var message = await read.ConfigureAwait(false);
                TouchInbound();
                Telemetry?.BytesReceived(message.Count);
                if (message.IsClose)
                {
                    if (Volatile.Read(ref _closeRequested) == 1)
                    {
                        return new ConnectionEnd(ConnectionEndKind.ClosedByClient, message.CloseStatus, message.CloseDescription);
                    }

                    await TryCloseOutputAsync(message.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
                    return new ConnectionEnd(ConnectionEndKind.ClosedByServer, message.CloseStatus, message.CloseDescription);
                }

                await DispatchAsync(sink, message).ConfigureAwait(false);
            }
        }
        catch (MessageTooLargeException)
        {
            await TryCloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
            Abort();
            return new ConnectionEnd(ConnectionEndKind.MessageTooLarge, WebSocketCloseStatus.MessageTooBig);
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted && ex.InnerException is null
            && Volatile.Read(ref _abortReason) is null && Volatile.Read(ref _closeRequested) == 0)
        {
            // .NET's WebSocket faults this way (no inner exception) only when it rejects what it received:
            // invalid UTF-8 in a text frame (it sends 1007 itself) or a framing violation. A reset or a
            // truncated frame carries the transport's exception instead.
            return new ConnectionEnd(ConnectionEndKind.UnreadableFrame, WebSocketCloseStatus.InvalidPayloadData, error: ex);
        }
        catch (Exception) when (Volatile.Read(ref _abortReason) is { } reason)
        {
            // Aborted for a reason (a dead connection): a loss, not a requested close.
            return new ConnectionEnd(ConnectionEndKind.Lost, error: reason);
        }
        catch (Exception ex) when (Volatile.Read(ref _closeRequested) == 1 || token.IsCancellationRequested)
        {
            return new ConnectionEnd(ConnectionEndKind.ClosedByClient, error: ex);
        }
        catch (Exception ex)
        {
            // Transport failures (reset, abrupt drop, truncated frame) and anything unexpected end this
            // connection the same way; the supervisor logs the cause.
            return new ConnectionEnd(ConnectionEndKind.Lost, _socket.CloseStatus, _socket.CloseStatusDescription, ex);
        }
        finally
        {
            // Nothing handed over may wait for a read that will never come.
            sink.Flush();
        }
    }

    /// <summary>
    /// The client is disconnecting: events that fit in the buffer are still delivered, but a hand-off
    /// that would wait for a slow consumer gives up (and so does every later one), so the loop can read on
    /// for the server's close. None of those was accepted, so a later resume asks for them again.
    /// </summary>
    public void StopDelivering()
    {
        try
        {
            _delivery.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nothing is delivered any more anyway.
        }
    }

    /// <summary>Starts the close handshake; the receive loop ends when the server answers (or when aborted).</summary>
    public async Task CloseOutputAsync(WebSocketCloseStatus status, string description)
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        await TryCloseOutputAsync(status, description).ConfigureAwait(false);
    }

    /// <summary>
    /// Tears the socket down at once; pending receives and sends fail, the receive loop ends. With a
    /// <paramref name="reason"/> the end is a loss caused by it (for example a liveness timeout).
    /// </summary>
    public void Abort(Exception? reason = null)
    {
        if (reason is not null)
        {
            Interlocked.CompareExchange(ref _abortReason, reason, null);
        }

        Interlocked.Exchange(ref _closeRequested, 1);
        try
        {
            _lifetime.Cancel();
            _delivery.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to cancel.
        }

        _socket.Abort();
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return default;
        }

        Abort();
        _socket.Dispose();
        _lifetime.Dispose();
        _delivery.Dispose();

        // The reader's buffer returns to the pool only when no receive can still be using it: a handshake
        // that timed out abandons its receive, which ends (faulted, by the abort above) on its own time.
        // Its fault is observed here, never left for the finalizer.
        if (Volatile.Read(ref _handshakeReceive) is { } lastReceive)
        {
            lastReceive.ContinueWith(
                static (receive, reader) =>
                {
                    _ = receive.Exception;
                    ((MessageReader)reader!).Dispose();
                },
                _reader,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        else
        {
            _reader.Dispose();
        }

        _retired.TrySetResult(true);
        return default;
    }

    // The receive loop is the only writer.
    private void TouchInbound() => Volatile.Write(ref _lastInbound, Clock.GetTimestamp());

    /// <summary>Hands one message to the sink; what it means is the sink's business.</summary>
#if NET
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask DispatchAsync(IConnectionSink sink, ReceivedMessage message)
    {
        // Marked before the hand-off, so a liveness tick can never see a blocked loop as a silent socket.
        Volatile.Write(ref _dispatching, 1);
        var handled = sink.OnMessageAsync(message, _delivery.Token);
        if (handled.IsCompletedSuccessfully)
        {
            Volatile.Write(ref _dispatching, 0);
            return;
        }

        try
        {
            await handled.ConfigureAwait(false);
        }
        finally
        {
            // The wait was the consumer's, not the server's: silence counts from now.
            TouchInbound();
            Volatile.Write(ref _dispatching, 0);
        }
    }

    private async Task TryCloseOutputAsync(WebSocketCloseStatus status, string? description)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var bound = TimeProviderDelay.CancelAfter(Clock, CloseTimeout);
                await _socket.CloseOutputAsync(status, description, bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Best effort: the socket is going away either way.
        }
    }
}

using System.Net.WebSockets;
using System.Runtime.InteropServices;
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
    private readonly IDialect _dialect;
    private readonly MessageReader _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationTokenSource _delivery = new();
    private readonly byte[]? _pong; // null: the dialect has no application-level pings
    private int _closeRequested;
    private int _disposed;
    private long _lastInbound;
    private int _dispatching;
    private int _pongPending;
    private readonly TaskCompletionSource<bool> _retired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _abortReason;
    private Task? _handshakeReceive; // the last handshake receive; a handshake may abandon it

    private Connection(ClientWebSocket socket, IDialect dialect, int maxMessageBytes)
    {
        _socket = socket;
        _dialect = dialect;
        _reader = new MessageReader(maxMessageBytes);
        Lifetime = _lifetime.Token;
        using var pong = new PooledBufferWriter(32);
        _pong = dialect.WritePong(pong) ? pong.WrittenMemory.ToArray() : null;
    }

    /// <summary>Cancelled when the connection is aborted or disposed; work on behalf of the connection uses it.</summary>
    public CancellationToken Lifetime { get; private set; }

    /// <summary>Completes once the connection is disposed: the supervisor has moved on from it.</summary>
    public Task Retired => _retired.Task;

    /// <summary>When the last inbound message arrived (a <see cref="TimeProvider.GetTimestamp"/> value).</summary>
    public long LastInboundTimestamp => Volatile.Read(ref _lastInbound);

    /// <summary>
    /// Whether the receive loop is handing an event to the buffer, which waits while the consumer is
    /// behind: the socket is not being read then, so silence says nothing about the connection's health.
    /// </summary>
    public bool IsBackpressured => Volatile.Read(ref _dispatching) == 1;

    /// <summary>The clock that stamps <see cref="LastInboundTimestamp"/>.</summary>
    public TimeProvider Clock { get; private set; } = TimeProvider.System;

    /// <summary>How long a send may take, waiting for the send lock included (<see cref="GatewayClientOptions.SendTimeout"/>).</summary>
    public TimeSpan SendTimeout { get; private set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How long the close handshake's first step may take (<see cref="GatewayClientOptions.CloseTimeout"/>).</summary>
    public TimeSpan CloseTimeout { get; private set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where bytes in and out are counted; none in unit tests.</summary>
    public ClientTelemetry? Telemetry { get; private set; }

    /// <summary>The counted frames the handshake skipped (non-text).</summary>
    public int HandshakeFramesSkipped { get; private set; }

    /// <summary>Opens the socket (see <see cref="SocketOpener"/>) and wraps it.</summary>
    public static async Task<Connection> OpenAsync(GatewayClientOptions options, IDialect dialect, string? token, ClientTelemetry? telemetry, CancellationToken cancellationToken)
    {
        var socket = await SocketOpener.OpenAsync(options, dialect, token, cancellationToken).ConfigureAwait(false);
        var connection = new Connection(socket, dialect, options.MaxReceiveMessageBytes)
        {
            Clock = options.TimeProvider,
            Telemetry = telemetry,
            SendTimeout = options.SendTimeout,
            CloseTimeout = options.CloseTimeout,
        };
        connection.TouchInbound();
        return connection;
    }

    /// <summary>Sends one text frame, bounded by <see cref="GatewayClientOptions.SendTimeout"/> from now and by the token.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken) =>
        SendAsync(utf8Frame, TimeProviderDelay.DeadlineAfter(Clock, SendTimeout), cancellationToken);

    /// <summary>
    /// Sends one text frame, waiting for the send lock and for the socket no later than
    /// <paramref name="deadline"/> (on <see cref="Clock"/>) or the token.
    /// <see cref="ConnectionNotOpenException"/> means nothing was written, so the frame may be sent on
    /// another connection. A send given up while the socket was writing may have left half a frame,
    /// which makes the socket unusable: the connection is aborted (and resumed by the supervisor), and
    /// the caller gets a <see cref="TimeoutException"/> (the deadline) or an
    /// <see cref="OperationCanceledException"/> (its token). Any other failure means the frame may or may
    /// not have left.
    /// </summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var expiry = new SendBound(this, bound);
        using var timer = deadline == DateTimeOffset.MaxValue
            ? null
            : Clock.CreateTimer(static state => ((SendBound)state!).Expire(), expiry, Max(deadline - Clock.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan);
        try
        {
            await _sendLock.WaitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (expiry.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The send could not start within {SendTimeout.TotalSeconds:0.###} s (SendTimeout): another send on this connection is stuck; the frame was not sent.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConnectionNotOpenException(); // the connection ended while waiting: nothing was written
        }

        try
        {
            if (Volatile.Read(ref _closeRequested) == 1 || _socket.State != WebSocketState.Open)
            {
                throw new ConnectionNotOpenException();
            }

            expiry.Writing = true;
#if NET
            await _socket.SendAsync(utf8Frame, WebSocketMessageType.Text, endOfMessage: true, bound.Token).ConfigureAwait(false);
#else
            var segment = MemoryMarshal.TryGetArray(utf8Frame, out var array) ? array : new ArraySegment<byte>(utf8Frame.ToArray());
            await _socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: true, bound.Token).ConfigureAwait(false);
#endif
            expiry.Writing = false;
            Telemetry?.BytesSent(utf8Frame.Length);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException
            && (expiry.Expired || cancellationToken.IsCancellationRequested))
        {
            // Given up mid-write (deadline or caller): half a frame may be on the wire, so the socket is done for.
            // Decided by what gave up, never by the connection's state: the receive loop may already be
            // tearing the aborted socket down.
            if (expiry.Reason is { } timedOut && !cancellationToken.IsCancellationRequested)
            {
                Abort(timedOut);
                throw timedOut;
            }

            Abort(new GatewayConnectionException("A send was cancelled while it was being written; the connection was aborted and is being resumed."));
            throw new OperationCanceledException("The send was cancelled while it was being written; the frame may or may not have reached the gateway.", ex, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            throw new GatewayConnectionException("Sending failed: the connection is closed or broken.", _socket.CloseStatus, _socket.CloseStatusDescription, ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Answers a ping without holding up the receive loop or a handshake: the pong waits for the send lock
    /// on a task of its own (a data send may be stuck behind a gateway that stopped reading; that send's
    /// own bound then aborts the connection). One pong at a time: a ping that arrives while one is
    /// pending is answered by it. The only place a pong is written.
    /// </summary>
    public void AnswerPing()
    {
        if (_pong is not null && Interlocked.Exchange(ref _pongPending, 1) == 0)
        {
            _ = SendPongAsync(_pong);
        }
    }

    private async Task SendPongAsync(byte[] pong)
    {
        try
        {
            await SendAsync(pong, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GatewayConnectionException or ConnectionNotOpenException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is ending (or the send bound ended it); the receive loop reports that.
        }
        finally
        {
            Volatile.Write(ref _pongPending, 0);
        }
    }

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

            return _reader.Buffer.AsSpan(0, message.Count).ToArray();
        }
    }

    /// <summary>Feeds frames that the handshake read past its end, then runs the receive loop until the connection ends.</summary>
    public async Task<ConnectionEnd> RunAsync(IConnectionSink sink, IReadOnlyList<byte[]> framesAfterHandshake)
    {
        var token = _lifetime.Token;
        try
        {
            foreach (var frame in framesAfterHandshake)
            {
                await DispatchAsync(sink, frame, frame.Length, WebSocketMessageType.Text).ConfigureAwait(false);
            }

            while (true)
            {
                var message = await _reader.ReadAsync(_socket, token).ConfigureAwait(false);
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

                await DispatchAsync(sink, _reader.Buffer, message.Count, message.Type).ConfigureAwait(false);
            }
        }
        catch (MessageTooLargeException)
        {
            await TryCloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
            Abort();
            return new ConnectionEnd(ConnectionEndKind.MessageTooLarge, WebSocketCloseStatus.MessageTooBig);
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

    /// <summary>Classifies one message and hands it to the sink; what each kind means is the sink's business.</summary>
#if NET
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask DispatchAsync(IConnectionSink sink, byte[] buffer, int count, WebSocketMessageType type)
    {
        var frame = type == WebSocketMessageType.Text ? _dialect.Classify(buffer.AsSpan(0, count)) : InboundFrame.Malformed("binary frame");

        // Marked before the hand-off, so a liveness tick can never see a blocked loop as a silent socket.
        Volatile.Write(ref _dispatching, 1);
        var handled = sink.OnFrameAsync(this, frame, buffer.AsMemory(0, count), type, _delivery.Token);
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

using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>The receiving half of a <see cref="Connection"/>: the handshake's frames, then the receive loop that hands every message to its sink.</summary>
internal sealed partial class Connection
{
    /// <summary>The counted frames the handshake skipped (non-text).</summary>
    public int HandshakeFramesSkipped { get; private set; }

    /// <summary>Text frames the handshake had no use for (anything before its answer).</summary>
    public int HandshakeFramesIgnored { get; private set; }

    /// <inheritdoc />
    public void FrameIgnored() => HandshakeFramesIgnored++;

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
}

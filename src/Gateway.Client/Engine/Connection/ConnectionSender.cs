using System.Net.WebSockets;
using System.Runtime.InteropServices;
using Gateway.Client.Diagnostics;

namespace Gateway.Client.Engine;

/// <summary>
/// The write side of one <see cref="Connection"/>: one frame at a time under a send lock, every send
/// bounded (<see cref="SendBound"/>), and the pong. The receive loop never waits here: a pong goes out on
/// a task of its own.
/// </summary>
internal sealed class ConnectionSender
{
    private readonly Connection _connection;
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[]? _pong; // null: the dialect has no application-level pings
    private int _pongPending;

    public ConnectionSender(Connection connection, ClientWebSocket socket, byte[]? pong, TimeSpan sendTimeout)
    {
        _connection = connection;
        _socket = socket;
        _pong = pong;
        SendTimeout = sendTimeout;
    }

    /// <summary>Sees every frame just before it is written, under the send lock (so in wire order); set once the handshake succeeded, before the session's restore frames.</summary>
    public Dialects.IDialectConnection? Observer { get; set; }

    /// <summary>How long a send may take, waiting for the send lock included (<see cref="GatewayClientOptions.SendTimeout"/>).</summary>
    public TimeSpan SendTimeout { get; }

    private TimeProvider Clock => _connection.Clock;

    /// <summary>Sends one text frame, bounded by <see cref="SendTimeout"/> from now and by the token.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken) =>
        SendAsync(utf8Frame, TimeProviderDelay.DeadlineAfter(Clock, SendTimeout), cancellationToken);

    /// <summary>
    /// Sends one text frame, waiting for the send lock and for the socket no later than
    /// <paramref name="deadline"/> (on the connection's clock) or the token.
    /// <see cref="ConnectionNotOpenException"/> means nothing was written, so the frame may be sent on
    /// another connection. A send given up while the socket was writing may have left half a frame,
    /// which makes the socket unusable: the connection is aborted (and resumed by the supervisor), and
    /// the caller gets a <see cref="TimeoutException"/> (the deadline) or an
    /// <see cref="OperationCanceledException"/> (its token). Any other failure means the frame may or may
    /// not have left.
    /// </summary>
    /// <param name="utf8Frame">The frame.</param>
    /// <param name="deadline">When to give up, on the connection's clock.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="isRequest">The frame is a request: the <see cref="Observer"/> is told so.</param>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, DateTimeOffset deadline, CancellationToken cancellationToken, bool isRequest = false)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _connection.Lifetime);
        var expiry = new SendBound(_connection, SendTimeout, bound);
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
            if (_connection.IsClosing || _socket.State != WebSocketState.Open)
            {
                throw new ConnectionNotOpenException();
            }

            // In wire order (under the send lock), and before the write: the answer may arrive before the write returns.
            Observer?.Sending(utf8Frame.Span, isRequest);
            expiry.Writing = true;
#if NET
            await _socket.SendAsync(utf8Frame, WebSocketMessageType.Text, endOfMessage: true, bound.Token).ConfigureAwait(false);
#else
            var segment = MemoryMarshal.TryGetArray(utf8Frame, out var array) ? array : new ArraySegment<byte>(utf8Frame.ToArray());
            await _socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: true, bound.Token).ConfigureAwait(false);
#endif
            expiry.Writing = false;
            _connection.Telemetry?.BytesSent(utf8Frame.Length);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException
            && (expiry.Expired || cancellationToken.IsCancellationRequested))
        {
            // Given up mid-write (deadline or caller): half a frame may be on the wire, so the socket is done for.
            // Decided by what gave up, never by the connection's state: the receive loop may already be
            // tearing the aborted socket down.
            if (expiry.Reason is { } timedOut && !cancellationToken.IsCancellationRequested)
            {
                _connection.Abort(timedOut);
                if (isRequest)
                {
                    // Unlike a send that could not start in time, this one may have reached the gateway: say so by type.
                    throw new GatewayConnectionException("The request was given up while it was being written (SendTimeout); it may or may not have reached the gateway.", innerException: timedOut) { OutcomeUnknown = true };
                }

                throw timedOut;
            }

            _connection.Abort(new GatewayConnectionException("A send was cancelled while it was being written; the connection was aborted and is being resumed."));
            throw new OperationCanceledException("The send was cancelled while it was being written; the frame may or may not have reached the gateway.", ex, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // A write that failed may have left part of a frame: nothing more may be written on this socket. Aborted
            // here, so a send waiting for the lock finds the connection closing (nothing written) and moves on to the
            // next connection, instead of writing on a broken one.
            var broken = isRequest
                ? new GatewayConnectionException("The request could not be written whole: the connection is closed or broken; it may or may not have reached the gateway.", _socket.CloseStatus, _socket.CloseStatusDescription, ex) { OutcomeUnknown = true }
                : new GatewayConnectionException("Sending failed: the connection is closed or broken.", _socket.CloseStatus, _socket.CloseStatusDescription, ex);
            _connection.Abort(broken);
            throw broken;
        }
        finally
        {
            _sendLock.Release();
        }
    }

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
            await SendAsync(pong, _connection.Lifetime).ConfigureAwait(false);
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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

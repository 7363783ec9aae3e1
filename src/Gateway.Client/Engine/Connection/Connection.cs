using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>
/// One WebSocket's lifetime: open, handshake transport, receive loop, send lock, close. It never
/// reconnects and never decides what a close means; the supervisor does.
/// </summary>
internal sealed partial class Connection : IFrameTransport, IAsyncDisposable
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

using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>
/// How every dialect's handshake reads: the next frame, no later than the handshake's deadline (on the
/// injected clock), with the gateway's pings answered on the way. A receive the deadline overtook is kept,
/// never cancelled (cancelling aborts the socket), so a later phase can await it again.
/// </summary>
internal sealed class HandshakeReader
{
    private readonly IFrameTransport _transport;
    private readonly TimeProvider _clock;
    private Task<byte[]>? _pending;

    /// <summary>Starts the handshake's clock now; <paramref name="pending"/> is a receive an earlier phase left in flight.</summary>
    public HandshakeReader(IFrameTransport transport, HandshakeRequest request, Task<byte[]>? pending = null)
    {
        _transport = transport;
        _clock = request.TimeProvider;
        Deadline = TimeProviderDelay.DeadlineAfter(_clock, request.Timeout);
        _pending = pending;
    }

    /// <summary>When the handshake must have finished.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>
    /// The next frame other than a ping, or null once the deadline passed (the receive then stays pending:
    /// see <see cref="TakePending"/>). A frame that is not a JSON object comes back with no document.
    /// </summary>
    public async Task<HandshakeFrame?> TryReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var receive = _pending ??= _transport.ReceiveAsync(cancellationToken);
            if (!await TimeProviderDelay.WaitUntilAsync(receive, _clock, Deadline, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            _pending = null;
            var raw = await receive.ConfigureAwait(false);
            var document = JsonFields.TryParseFrame(raw, out var type);
            if (type == "ping")
            {
                document!.Dispose();
                _transport.AnswerPing();
                continue;
            }

            return new HandshakeFrame(raw, document, type);
        }
    }

    /// <summary>The handshake had no use for this frame (not its answer): it is counted, never silently lost.</summary>
    public void Ignore() => _transport.FrameIgnored();

    /// <summary>The receive the deadline overtook, handed to whoever reads next; null when none is in flight.</summary>
    public Task<byte[]>? TakePending()
    {
        var pending = _pending;
        _pending = null;
        return pending;
    }
}

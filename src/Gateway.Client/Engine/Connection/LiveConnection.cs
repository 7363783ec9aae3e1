using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// One connection from its successful handshake to its end, and everything that lives exactly that long: the
/// requests written on it, what the server announced on it (drain, restart), where its replay ends, whether delivery
/// was given up on it, and the dialect's state for it (the Praxis answer ledger). It is the connection's sink:
/// every inbound message is classified and routed here; events go on to the client-lifetime
/// <see cref="InboundPipeline"/>. Its <see cref="End"/> settles all of it in one place; nothing client-lifetime
/// is reset at a connection's end.
/// </summary>
internal sealed class LiveConnection : IConnectionSink
{
    private readonly InboundPipeline _pipeline; // also where the client's counters, log and server-number checks are: not held per connection
    private readonly IDialectConnection _frames;
    private ConnectionRequests? _requests; // made on the first request (most connections only read events); Ended once the connection has
    private ServerNotices _notices;        // the receive loop's only, until the connection ends
    private long _replayThrough;           // the server's head the handshake promised to replay; 0 once reached (the receive loop's only)
    private bool _deliveryAbandoned;       // the receive loop's only

    public LiveConnection(Connection socket, GatewaySession session, IDialectConnection frames, InboundPipeline pipeline)
    {
        Socket = socket;
        Session = session;
        _frames = frames;
        _pipeline = pipeline;
        _replayThrough = pipeline.ReplayTarget(session.HeadSequence);
        socket.ObserveWrites(frames);
    }

    /// <summary>The socket.</summary>
    public Connection Socket { get; }

    /// <summary>What the server said in this connection's handshake.</summary>
    public GatewaySession Session { get; }

    /// <summary>The requests written on this connection and waiting for their answers (after its end: none, and none taken).</summary>
    public ConnectionRequests Requests => LazyInitializer.EnsureInitialized(ref _requests, static () => new ConnectionRequests())!;

    /// <summary>What the server announced on this connection; for the run loop once the receive loop has ended.</summary>
    public ServerNotices Notices => _notices;

    /// <summary>Completes once the run loop has moved on from this connection (its socket is disposed).</summary>
    public Task Retired => Socket.Retired;

    /// <inheritdoc />
    public ValueTask OnMessageAsync(ReceivedMessage message, CancellationToken delivery)
    {
        var frame = message.Type == WebSocketMessageType.Text ? _frames.Classify(message.Span) : InboundFrame.Malformed("binary frame");
        if (frame.ReconnectFloorMilliseconds is { } floor && _pipeline.Numbers.DelayMilliseconds("restartExpectedMs", floor) is { } restart)
        {
            _notices.Restart(restart);
        }

        switch (frame.Kind)
        {
            case FrameKind.Event:
                return DeliverAsync(frame, message, delivery);
            case FrameKind.Ping:
                Socket.AnswerPing();
                break;
            case FrameKind.Pong:
                break;
            case FrameKind.Response:
                OnResponse(message.Span);
                break;
            case FrameKind.ReconnectRequest:
                OnDrain(frame.RetryAfterMilliseconds);
                break;
            default:
                _pipeline.Skip(frame, message.Type);
                break;
        }

        return default;
    }

    /// <inheritdoc />
    public void Flush() => _pipeline.Flush();

    /// <summary>
    /// The connection ended (its receive loop is over): nothing more is written on it, and every request still
    /// waiting on it fails with <paramref name="outcomeUnknown"/>. A request whose frame was never written here is
    /// not among them: it goes to the next connection. Idempotent.
    /// </summary>
    public void End(GatewayConnectionException outcomeUnknown)
    {
        // First, so no write can start after the requests are settled: a sender that finds the socket closing
        // wrote nothing and moves on to the next connection.
        Socket.Abort();

        // A connection that never had a request gets the shared ended table, so none can be registered after this.
        (Interlocked.CompareExchange(ref _requests, ConnectionRequests.Ended, null) ?? ConnectionRequests.Ended).End(outcomeUnknown);
    }

    /// <summary>
    /// Hands an event on unless delivery was given up on this connection: once one hand-off was (the client is
    /// disconnecting and the consumer is behind), later ones must be too, or the stream would have a hole. None
    /// of those was accepted, so a later resume asks for them again.
    /// </summary>
    private ValueTask DeliverAsync(InboundFrame frame, ReceivedMessage message, CancellationToken delivery)
    {
        if (_deliveryAbandoned)
        {
            return default;
        }

        var write = _pipeline.OnEventAsync(frame, message, delivery);
        if (!write.IsCompletedSuccessfully)
        {
            return AwaitDeliveryAsync(write, delivery);
        }

        CheckReplay();
        return default;
    }

    /// <summary>The handshake's replay is complete once everything up to the head it promised is accounted for.</summary>
    private void CheckReplay()
    {
        if (_replayThrough != 0 && _pipeline.Last is { } last && last >= _replayThrough)
        {
            _replayThrough = 0;
            _pipeline.ReplayComplete(last);
        }
    }

#if NET
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask AwaitDeliveryAsync(ValueTask write, CancellationToken delivery)
    {
        try
        {
            await write.ConfigureAwait(false);
            CheckReplay();
        }
        catch (OperationCanceledException) when (delivery.IsCancellationRequested)
        {
            // Disconnecting (or the connection ended) while the consumer was behind: read on for the close.
            _deliveryAbandoned = true;
        }
    }

    /// <summary>Completes the request a response answers; an unreadable or unmatched one is logged and counted.</summary>
    private void OnResponse(ReadOnlySpan<byte> utf8Frame)
    {
        ResponseFrame response;
        try
        {
            response = _frames.ParseResponse(utf8Frame);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            // Classified as a response but unreadable as one: skipped and counted like any malformed frame.
            _pipeline.Counters.MalformedFrameSkipped();
            Log.MalformedFrameSkipped(_pipeline.Logger, "an unreadable response: " + ex.Message);
            return;
        }

        if (!Requests.TryComplete(response))
        {
            _pipeline.Counters.UnmatchedResponseSkipped();
            Log.UnmatchedResponseSkipped(_pipeline.Logger, response.Id);
            if (response.MatchedByOrder)
            {
                // Matched by order to a request nobody waits for any more (it timed out or was cancelled): this may be
                // its late answer or the next request's, so order no longer proves whose an answer is. The connection
                // goes, and the requests still waiting on it fail as outcome unknown instead of taking another's answer.
                Log.AnswersOutOfStep(_pipeline.Logger, response.Id);
                _ = PoliteClose.RetireAsync(Socket, "answers out of step");
            }
        }
    }

    /// <summary>The server asked for a reconnect (drain): this connection closes, and the run loop resumes after the delay it asked for.</summary>
    private void OnDrain(long? retryAfterMilliseconds)
    {
        Log.ReconnectRequested(_pipeline.Logger, retryAfterMilliseconds);
        _notices.Drain(_pipeline.Numbers.DelayMilliseconds("retry_after_ms", retryAfterMilliseconds));
        _ = PoliteClose.RetireAsync(Socket, "draining");
    }
}

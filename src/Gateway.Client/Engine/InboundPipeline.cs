using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// What happens to a frame after the connection classified it, routed by kind: numbered events go
/// through the sequence tracker (duplicates dropped, holes reported in place) and are copied out of
/// the receive buffer into the event buffer; pings are answered; responses complete their requests;
/// drain and restart notices reach the supervisor; the rest is logged and counted. Runs on the
/// receive loop only.
/// </summary>
internal sealed class InboundPipeline : IConnectionSink
{
    private readonly SequenceTracker _tracker;
    private readonly PendingRequests _requests;
    private readonly IDialect _dialect;
    private readonly ClientCounters _counters;
    private readonly ILogger _logger;
    private readonly EventBuffer _buffer;
    private readonly Action<long?> _onReconnectRequested;
    private readonly Action<long> _onReconnectFloor;
    private long _replayThrough;
    private bool _deliveryAbandoned;

    public InboundPipeline(SequenceTracker tracker, PendingRequests requests, IDialect dialect, ClientCounters counters, ILogger logger, EventBuffer buffer, Action<long?> onReconnectRequested, Action<long>? onReconnectFloor = null)
    {
        _tracker = tracker;
        _requests = requests;
        _dialect = dialect;
        _counters = counters;
        _logger = logger;
        _buffer = buffer;
        _onReconnectRequested = onReconnectRequested;
        _onReconnectFloor = onReconnectFloor ?? (_ => { });
    }

    /// <summary>Raised on the receive loop when the last number the server promised to replay has been accepted.</summary>
    public event Action<long>? ReplayCompleted;

    /// <summary>
    /// A connection starts: deliveries flow again, and the pipeline says when the handshake's replay,
    /// which ends at the server's head <paramref name="replayThrough"/>, has been accepted (zero or below
    /// the current position: nothing is awaited).
    /// </summary>
    public void BeginConnection(long replayThrough)
    {
        _deliveryAbandoned = false;
        _replayThrough = replayThrough > (_tracker.Last ?? 0) ? replayThrough : 0;
    }

    /// <inheritdoc />
    public ValueTask OnFrameAsync(IFrameTransport connection, InboundFrame frame, ReceivedMessage message, CancellationToken delivery)
    {
        if (frame.ReconnectFloorMilliseconds is { } floor)
        {
            _onReconnectFloor(floor);
        }

        switch (frame.Kind)
        {
            case FrameKind.Event:
                return DeliverAsync(frame, message, delivery);
            case FrameKind.Ping:
                connection.AnswerPing();
                break;
            case FrameKind.Pong:
                break;
            case FrameKind.Response:
                OnResponse(message.Span);
                break;
            case FrameKind.ReconnectRequest:
                Log.ReconnectRequested(_logger, frame.RetryAfterMilliseconds);
                _onReconnectRequested(frame.RetryAfterMilliseconds);
                break;
            default:
                OnSkipped(frame, message.Type);
                break;
        }

        return default;
    }

    /// <inheritdoc />
    public void Flush() => _buffer.Flush();

    /// <summary>
    /// Hands an event on unless delivery was given up on this connection: once one hand-off was (the
    /// client is disconnecting and the consumer is behind), later ones must be too, or the stream would
    /// have a hole. None of those was accepted, so a later resume asks for them again.
    /// </summary>
    private ValueTask DeliverAsync(InboundFrame frame, ReceivedMessage message, CancellationToken delivery)
    {
        if (_deliveryAbandoned)
        {
            return default;
        }

        var write = OnEventAsync(frame, message, delivery);
        return write.IsCompletedSuccessfully ? default : AwaitDeliveryAsync(write, delivery);
    }

#if NET
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    private async ValueTask AwaitDeliveryAsync(ValueTask write, CancellationToken delivery)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (delivery.IsCancellationRequested)
        {
            // Disconnecting (or the connection ended) while the consumer was behind: read on for the close.
            _deliveryAbandoned = true;
        }
    }

#if NET
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    public async ValueTask OnEventAsync(InboundFrame frame, ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (frame.Sequence is { } sequence)
        {
            switch (_tracker.Check(sequence))
            {
                case SequenceVerdict.Duplicate:
                    _counters.DuplicateDropped();
                    Log.DuplicateDropped(_logger, sequence, _tracker.Last ?? 0);
                    return;
                case SequenceVerdict.Gap:
                    ReportGap(_tracker.GapBefore(sequence, frame.IsReplay), sequence - 1);
                    break;
            }
        }

        // The event's bytes stay where they were received: it holds their slab until the consumer has taken them (the
        // buffer takes the hold over, and gives it back itself if the write is cancelled).
        message.Slab!.Hold();
        var item = StreamItem.ForEvent(message.Slab, message.Offset + frame.PayloadOffset, frame.PayloadLength, frame.Type!, frame.Sequence, frame.IsReplay, _dialect.EventBody);
        await _buffer.WriteEventAsync(item, cancellationToken).ConfigureAwait(false);

        // Accepted only once it is in the buffer: an event lost to a dying connection is asked for again.
        _counters.EventReceived(frame.IsReplay);
        if (frame.Sequence is { } accepted)
        {
            _tracker.Accept(accepted);
            if (_replayThrough != 0 && accepted >= _replayThrough)
            {
                _replayThrough = 0;
                ReplayCompleted?.Invoke(accepted);
            }
        }
    }

    /// <summary>
    /// Puts a gap notice into the stream at the current position. <paramref name="accountedThrough"/> is
    /// the number up to which the stream is accounted for once the consumer has handled the gap.
    /// </summary>
    public void ReportGap(GapInfo gap, long accountedThrough)
    {
        Log.GapDetected(_logger, gap.Reason, gap.Expected, gap.Received);
        _buffer.WriteGap(gap, accountedThrough);
        _counters.GapDetected(gap);
        _tracker.Accept(accountedThrough);
    }

    /// <summary>Completes the request a response answers; an unreadable or unmatched one is logged and counted.</summary>
    public void OnResponse(ReadOnlySpan<byte> frame)
    {
        ResponseFrame response;
        try
        {
            response = _dialect.ParseResponse(frame);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            // Classified as a response but unreadable as one: skipped and counted like any malformed frame.
            _counters.MalformedFrameSkipped();
            Log.MalformedFrameSkipped(_logger, "an unreadable response: " + ex.Message);
            return;
        }

        if (!_requests.TryComplete(response))
        {
            _counters.UnmatchedResponseSkipped();
            Log.UnmatchedResponseSkipped(_logger, response.Id);
        }
    }

    private void OnSkipped(InboundFrame frame, WebSocketMessageType messageType)
    {
        if (messageType != WebSocketMessageType.Text)
        {
            _counters.NonTextFrameSkipped();
            Log.NonTextFrameSkipped(_logger, messageType);
        }
        else if (frame.Kind == FrameKind.LateHandshake)
        {
            _counters.LateHandshakeFrameSkipped();
            Log.LateHandshakeFrameSkipped(_logger, frame.Type ?? "?");
        }
        else
        {
            _counters.MalformedFrameSkipped();
            Log.MalformedFrameSkipped(_logger, frame.Problem ?? "unknown problem");
        }
    }
}

using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// What happens to a frame after the connection classified it: numbered events go through the
/// sequence tracker (duplicates dropped, holes reported in place), events are copied out of the
/// receive buffer into the event buffer, responses complete their requests, the rest is counted.
/// Runs on the receive loop only.
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
    /// Sets the number the handshake's replay ends at (the server's head); the pipeline says when it is
    /// reached. Zero or below the current position means nothing is awaited.
    /// </summary>
    public void ExpectReplayThrough(long cursor)
    {
        _replayThrough = cursor > (_tracker.Last ?? 0) ? cursor : 0;
    }

#if NET
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
#endif
    public async ValueTask OnEventAsync(InboundFrame frame, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
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

        // The receive buffer is reused for the next frame: the event keeps its own copy.
        var gatewayEvent = new GatewayEvent(frame.Type!, frame.Sequence, frame.IsReplay, payload.ToArray());
        await _buffer.WriteEventAsync(gatewayEvent, cancellationToken).ConfigureAwait(false);

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

    public void OnReconnectFloor(long milliseconds) => _onReconnectFloor(milliseconds);

    public void OnReconnectRequested(long? retryAfterMilliseconds)
    {
        Log.ReconnectRequested(_logger, retryAfterMilliseconds);
        _onReconnectRequested(retryAfterMilliseconds);
    }

    public void OnSkipped(InboundFrame frame, WebSocketMessageType messageType)
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

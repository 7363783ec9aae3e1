using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// The client-lifetime half of the inbound path, behind each connection's <see cref="LiveConnection"/>: numbered
/// events go through the sequence tracker (duplicates dropped, holes reported in place) and into the event
/// buffer, holding their receive slab; frames nobody wants are logged and counted. It is the one writer of the
/// <see cref="SequenceTracker"/>: the receive loop through it, and the run loop between connections (when no
/// receive loop runs).
/// </summary>
internal sealed class InboundPipeline
{
    private readonly SequenceTracker _tracker;
    private readonly IDialect _dialect;
    private readonly ClientCounters _counters;
    private readonly ILogger _logger;
    private readonly EventBuffer _buffer;
    private readonly ClientJson _json;
    private EventContext _context; // the session's and epoch's, written where the tracker is

    public InboundPipeline(SequenceTracker tracker, IDialect dialect, ClientCounters counters, ILogger logger, EventBuffer buffer, ServerNumbers? numbers = null, ClientJson? json = null)
    {
        _json = json ?? ClientJson.BuiltIn;
        _context = EventContext.Unresumed(_json);
        _tracker = tracker;
        _dialect = dialect;
        _counters = counters;
        _logger = logger;
        _buffer = buffer;
        Numbers = numbers ?? new ServerNumbers(logger, counters);
    }

    /// <summary>Where numbers from the server are made safe; each connection's owner reaches it (and the counters and log) here rather than holding its own.</summary>
    public ServerNumbers Numbers { get; }

    /// <summary>The agent turns in flight, offered each accepted event before it is buffered for the app.</summary>
    public TurnRouter? Turns { get; set; }

    /// <summary>The client's counters.</summary>
    public ClientCounters Counters => _counters;

    /// <summary>The client's log.</summary>
    public ILogger Logger => _logger;

    /// <summary>Raised on the receive loop when the last number the server promised to replay has been accepted.</summary>
    public event Action<long>? ReplayCompleted;

    /// <summary>
    /// Where a connection's handshake replay ends, given the server's head <paramref name="replayThrough"/>: 0 when
    /// nothing is awaited (the head is not ahead of the current position).
    /// </summary>
    public long ReplayTarget(long replayThrough) => replayThrough > (_tracker.Last ?? 0) ? replayThrough : 0;

    /// <summary>A connection's replay has been accepted through <paramref name="through"/> (on the receive loop).</summary>
    public void ReplayComplete(long through) => ReplayCompleted?.Invoke(through);

    /// <summary>The last accepted number (null before the first).</summary>
    public long? Last => _tracker.Last;

    /// <summary>The epoch those numbers belong to.</summary>
    public string? Epoch => _tracker.Epoch;

    /// <summary>A persisted resume point, before the first connection.</summary>
    public void Restore(long cursor, string? epoch) => _tracker.Restore(cursor, epoch);

    /// <summary>What the events received from here on share: their session and epoch.</summary>
    public EventContext Context => _context;

    /// <summary>
    /// A handshake's continuity decision for <paramref name="sessionId"/>, applied between connections (no receive loop
    /// runs); the gap it implies, if any.
    /// </summary>
    public GapInfo? Continue(ContinuityDecision decision, string sessionId)
    {
        var gap = _tracker.Apply(decision);
        Adopt(sessionId);
        return gap;
    }

    /// <summary>A resync answer re-bases the numbering exactly where it arrived in the stream (on the receive loop).</summary>
    public void Rebase(long cursor, string? epoch)
    {
        _tracker.Rebase(cursor, epoch);
        if (_context.SessionId is { } sessionId)
        {
            Adopt(sessionId);
        }
    }

    /// <summary>The events from here on belong to <paramref name="sessionId"/> and the tracker's epoch: a new context when either changed.</summary>
    private void Adopt(string sessionId)
    {
        if (!_context.Is(sessionId, _tracker.Epoch, _dialect.ResumesStream))
        {
            _context = EventContext.ForSession(sessionId, _tracker.Epoch, _dialect.ResumesStream, _json);
        }
    }

    /// <summary>The receive loop is about to wait: what it handed over reaches the consumer now.</summary>
    public void Flush() => _buffer.Flush();

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
        var item = StreamItem.ForEvent(message.Slab, message.Offset + frame.PayloadOffset, frame.PayloadLength, frame.Type!, frame.Sequence, frame.IsReplay, _dialect.EventBody, _context, _tracker.Last ?? 0);
        if (Turns is { HasTurns: true } turns)
        {
            // Before the main buffer, which may wait for its reader: a turn never waits for the main stream's reader.
            turns.Offer(item.ToGatewayEvent());
        }

        await _buffer.WriteEventAsync(item, cancellationToken).ConfigureAwait(false);

        // Accepted only once it is in the buffer: an event lost to a dying connection is asked for again.
        _counters.EventReceived(frame.IsReplay);
        if (frame.Sequence is { } accepted)
        {
            _tracker.Accept(accepted);
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

    /// <summary>A frame that is no event and that nobody wants (binary, malformed, a late handshake frame): logged and counted.</summary>
    public void Skip(InboundFrame frame, WebSocketMessageType messageType)
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

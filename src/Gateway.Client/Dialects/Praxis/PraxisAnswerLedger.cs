using System.Text.Json;
using Gateway.Client.Praxis;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// Matches Praxis answers to the frames they answer. Praxis frames carry no request id back (the live
/// handler echoes nothing; the documented one puts the request's <c>id</c> in <c>correlation_id</c> on
/// <c>PONG</c> only), but a connection is served one frame at a time, in order. So the ledger keeps the
/// frames on its connection in wire order (it sees each one just before it is written; one ledger per
/// connection, so answers to frames sent on an earlier one can never match): an
/// inbound frame with a <c>correlation_id</c> answers the frame with that id, or nothing; one without answers the
/// oldest frame its type answers (<see cref="AnswerTo"/>; the welcome notice only the oldest frame), and is an event
/// or control if none.
/// </summary>
internal sealed class PraxisAnswerLedger
{
    /// <summary>The client's own frames (ping, subscriptions) carry ids with this prefix.</summary>
    public const string ClientIdPrefix = "gateway-client:";

    /// <summary>
    /// At most this many requests, and this many other frames, await an answer (a server that answers nothing must not
    /// grow the client). A request beyond it is refused before it is written; another frame beyond it makes the ledger
    /// forget the oldest frame that is not a request, and puts it out of step (<see cref="Sending"/>).
    /// </summary>
    internal const int MaxAwaiting = 1024;

    /// <summary>The <see cref="GatewayRequestException.Code"/> of a request refused because <see cref="MaxAwaiting"/> requests await their answers.</summary>
    public const string TooManyAwaitingCode = "TOO_MANY_AWAITING";

    /// <summary>The <see cref="GatewayRequestException.Code"/> of a request refused or failed because the ledger forgot a frame ahead of it.</summary>
    public const string OutOfStepCode = "ANSWERS_OUT_OF_STEP";

    private readonly object _gate = new();
    private readonly List<PraxisSentFrame> _awaiting = new();
    private int _requests; // how many of _awaiting are requests
    private bool _outOfStep; // a frame was forgotten: order can no longer prove whose an answer is

    /// <summary>How many frames await an answer.</summary>
    public int Awaiting
    {
        get
        {
            lock (_gate)
            {
                return _awaiting.Count;
            }
        }
    }

    /// <summary>
    /// A frame is about to be written on this connection; <paramref name="isRequest"/>: its answer completes a
    /// <c>RequestAsync</c>. The ledger never forgets a request (its answer would go to the next one): a request beyond
    /// <see cref="MaxAwaiting"/>, or one written once the ledger is out of step, is refused here, before it is written.
    /// Beyond <see cref="MaxAwaiting"/> other frames, the oldest of them is forgotten; its answer may still come and
    /// would then answer a frame behind it, so every request behind it fails at its next answer by order, and no new
    /// request is written on this connection.
    /// </summary>
    /// <exception cref="GatewayRequestException">The request is refused (<see cref="TooManyAwaitingCode"/>, <see cref="OutOfStepCode"/>); nothing was written.</exception>
    public void Sending(ReadOnlySpan<byte> utf8Frame, bool isRequest)
    {
        var (type, id) = ReadTypeAndId(utf8Frame);
        var sender = isRequest ? PraxisSender.Request
            : id is not null && id.StartsWith(ClientIdPrefix, StringComparison.Ordinal) ? PraxisSender.Client
            : PraxisSender.App;
        lock (_gate)
        {
            if (isRequest)
            {
                if (_outOfStep)
                {
                    throw GatewayRequestException.ClientRefusal(type ?? string.Empty, OutOfStepCode,
                        $"more than {MaxAwaiting} frames sent on this connection went unanswered and the client forgot the oldest, so answers can no longer be matched to requests by order; a new connection starts afresh.");
                }

                if (_requests >= MaxAwaiting)
                {
                    throw GatewayRequestException.ClientRefusal(type ?? string.Empty, TooManyAwaitingCode,
                        $"{MaxAwaiting} requests on this connection still await their answers (timed-out ones included: their answers may still come). Praxis answers carry no request id, so the client matches them by order and forgets none; send it again once some are answered.");
                }

                _requests++;
            }
            else if (_awaiting.Count - _requests >= MaxAwaiting)
            {
                ForgetOldestNonRequest();
            }

            _awaiting.Add(new PraxisSentFrame(type ?? string.Empty, id, sender));
        }
    }

    /// <summary>What a request that is <see cref="PraxisSentFrame.OutOfStep"/> fails with.</summary>
    public static string OutOfStepMessage =>
        $"its answer could not be told from that of a frame the client forgot (more than {MaxAwaiting} frames sent on this connection went unanswered); the command may or may not have run.";

    /// <summary>
    /// Forgets the oldest frame that is not a request (under the lock). Every frame older than it is a request, and
    /// answers go to the oldest frame they fit, so those get just what they would had nothing been forgotten; the
    /// requests behind it go out of step.
    /// </summary>
    private void ForgetOldestNonRequest()
    {
        var oldest = _awaiting.FindIndex(f => f.Sender != PraxisSender.Request);
        _awaiting.RemoveAt(oldest);
        if (_outOfStep)
        {
            return; // every request behind the first forgotten frame is marked already, and none is written after it
        }

        _outOfStep = true;
        for (var i = oldest; i < _awaiting.Count; i++)
        {
            if (_awaiting[i].Sender == PraxisSender.Request)
            {
                _awaiting[i] = _awaiting[i] with { OutOfStep = true };
            }
        }
    }

    /// <summary>
    /// The frame <paramref name="frameType"/> answers, and how; the frame leaves the ledger on its final
    /// answer. <paramref name="sender"/> is the inbound frame's <c>payload.sender</c>, when it has one;
    /// <paramref name="subscriptionAck"/> says its content acknowledges a subscription change.
    /// </summary>
    public (PraxisSentFrame Frame, PraxisAnswerKind Kind) Match(string frameType, string? correlationId, string? sender, bool subscriptionAck = false)
    {
        lock (_gate)
        {
            if (correlationId is not null)
            {
                // An id names its frame or none: a stale or unknown one answers nothing by order (it would take another's answer).
                var named = _awaiting.FindIndex(f => f.Id == correlationId);
                return named < 0 ? (default, PraxisAnswerKind.None) : Take(named, AnswerTo(_awaiting[named].Type, frameType, sender, subscriptionAck), byOrder: false);
            }

            // The oldest frame this type answers: one still waiting for an answer that never came (a command, an
            // unacknowledged subscription) does not hold up the frames behind it. The welcome notice answers the oldest
            // frame or nothing: the live handler answers in order, so a welcome that is an answer is the oldest frame's,
            // and the documented server's unsolicited one must not become the answer to a later frame.
            var welcome = frameType == PraxisEventTypes.ChatMessage && sender == "system" && !subscriptionAck;
            var candidates = welcome ? Math.Min(1, _awaiting.Count) : _awaiting.Count;
            for (var index = 0; index < candidates; index++)
            {
                var kind = AnswerTo(_awaiting[index].Type, frameType, sender, subscriptionAck);
                if (kind != PraxisAnswerKind.None)
                {
                    return Take(index, kind, byOrder: true);
                }
            }

            return (default, PraxisAnswerKind.None);
        }
    }

    /// <summary>
    /// The frame at <paramref name="index"/> takes an answer of <paramref name="kind"/>; it leaves the ledger on its final
    /// answer, or at once when it is out of step and the answer came <paramref name="byOrder"/>. Under the lock.
    /// </summary>
    private (PraxisSentFrame Frame, PraxisAnswerKind Kind) Take(int index, PraxisAnswerKind kind, bool byOrder)
    {
        var frame = _awaiting[index];
        if (byOrder && frame.OutOfStep && kind != PraxisAnswerKind.None)
        {
            kind = PraxisAnswerKind.OutOfStep;
        }

        if (kind is PraxisAnswerKind.Final or PraxisAnswerKind.Error or PraxisAnswerKind.OutOfStep)
        {
            _awaiting.RemoveAt(index);
            if (frame.Sender == PraxisSender.Request)
            {
                _requests--;
            }
        }

        return (frame, kind);
    }

    /// <summary>
    /// What an inbound <paramref name="frameType"/> is to a sent <paramref name="command"/>, from what the
    /// Praxis handlers send for each (docs/praxis.md, "Commands and their answers").
    /// </summary>
    public static PraxisAnswerKind AnswerTo(string command, string frameType, string? sender, bool subscriptionAck = false)
    {
        if (frameType == PraxisEventTypes.Error)
        {
            return PraxisAnswerKind.Error;
        }

        var system = sender == "system";
        return command switch
        {
            PraxisCommands.DslCommand => frameType switch
            {
                PraxisEventTypes.DslProgress => PraxisAnswerKind.Progress,
                PraxisEventTypes.DslResult => PraxisAnswerKind.Final,
                _ => PraxisAnswerKind.None,
            },

            // With an agent, a command-like chat turn is run as a DSL command: progress, then the result (or an error chat).
            PraxisCommands.ChatMessage => frameType switch
            {
                PraxisEventTypes.DslProgress => PraxisAnswerKind.Progress,
                PraxisEventTypes.DslResult => PraxisAnswerKind.Final,
                PraxisEventTypes.ChatMessage when !system => PraxisAnswerKind.Final,
                _ => PraxisAnswerKind.None,
            },
            PraxisCommands.ExecuteWorkflow => frameType == PraxisEventTypes.WorkflowStart ? PraxisAnswerKind.Final : PraxisAnswerKind.None,

            // The live handler answers every other type with its welcome notice. The documented one answers PING
            // with PONG and subscription changes with "Subscribed to N event types"; those answer nothing else
            // (its unsolicited welcome on connect may already have been taken for the first frame's answer).
            PraxisCommands.Ping => frameType == "PONG" || (frameType == PraxisEventTypes.ChatMessage && system && !subscriptionAck) ? PraxisAnswerKind.Final : PraxisAnswerKind.None,
            PraxisCommands.SubscribeEvents or PraxisCommands.UnsubscribeEvents => frameType == PraxisEventTypes.ChatMessage && system ? PraxisAnswerKind.Final : PraxisAnswerKind.None,
            _ => frameType == PraxisEventTypes.ChatMessage && system && !subscriptionAck ? PraxisAnswerKind.Final : PraxisAnswerKind.None,
        };
    }

    private static (string? Type, string? Id) ReadTypeAndId(ReadOnlySpan<byte> utf8Frame)
    {
        string? type = null;
        string? id = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Frame, FrameClassification.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = FrameClassification.NameIs(ref reader, "type"u8);
                var isId = !isType && FrameClassification.NameIs(ref reader, "id"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isType || isId))
                {
                    if (isType)
                    {
                        type = reader.GetString();
                    }
                    else
                    {
                        id = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // The app's own frame that is not JSON: it still awaits whatever answers it (an error, say).
        }

        return (type, id);
    }
}

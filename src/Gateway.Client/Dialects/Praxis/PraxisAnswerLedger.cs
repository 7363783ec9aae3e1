using System.Text.Json;

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

    /// <summary>Frames awaiting an answer beyond this are forgotten, oldest first (a server that answers nothing must not grow the client).</summary>
    internal const int MaxAwaiting = 1024;

    private readonly object _gate = new();
    private readonly List<PraxisSentFrame> _awaiting = new();

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
    /// <c>RequestAsync</c>.
    /// </summary>
    public void Sending(ReadOnlySpan<byte> utf8Frame, bool isRequest)
    {
        var (type, id) = ReadTypeAndId(utf8Frame);
        var sender = isRequest ? PraxisSender.Request
            : id is not null && id.StartsWith(ClientIdPrefix, StringComparison.Ordinal) ? PraxisSender.Client
            : PraxisSender.App;
        lock (_gate)
        {
            if (_awaiting.Count >= MaxAwaiting)
            {
                _awaiting.RemoveAt(0);
            }

            _awaiting.Add(new PraxisSentFrame(type ?? string.Empty, id, sender));
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
                return named < 0 ? (default, PraxisAnswerKind.None) : Take(named, AnswerTo(_awaiting[named].Type, frameType, sender, subscriptionAck));
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
                    return Take(index, kind);
                }
            }

            return (default, PraxisAnswerKind.None);
        }
    }

    /// <summary>The frame at <paramref name="index"/> takes an answer of <paramref name="kind"/>; it leaves the ledger on its final answer. Under the lock.</summary>
    private (PraxisSentFrame Frame, PraxisAnswerKind Kind) Take(int index, PraxisAnswerKind kind)
    {
        var frame = _awaiting[index];
        if (kind is PraxisAnswerKind.Final or PraxisAnswerKind.Error)
        {
            _awaiting.RemoveAt(index);
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

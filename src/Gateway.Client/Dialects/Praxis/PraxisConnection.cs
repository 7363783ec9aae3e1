using System.Text.Json;
using Gateway.Client.Praxis;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// One Praxis connection: the frames written on it, in wire order (<see cref="PraxisAnswerLedger"/>), and how its
/// inbound frames are read against them. Made once the connection's handshake succeeded (before the session's
/// restore frames go out, so they are in its ledger) and dropped with it, so an answer
/// can only ever match a frame sent on the same connection.
/// </summary>
internal sealed class PraxisConnection : IDialectConnection
{
    private readonly PraxisAnswerLedger _ledger = new();
    private readonly FrameClassification.Classifier _classify;
    private (PraxisSentFrame Frame, PraxisAnswerKind Kind) _answer; // the response Classify just found, for ParseResponse (both on the receive loop)
    private bool _answerByOrder; // it was matched by its order on the wire, not by a correlation_id

    public PraxisConnection()
    {
        _classify = ClassifyCore;
    }

    /// <summary>How many sent frames await their answer on this connection (for tests).</summary>
    internal int AwaitingAnswers => _ledger.Awaiting;

    public InboundFrame Classify(ReadOnlySpan<byte> utf8Frame) => FrameClassification.Safely(utf8Frame, _classify);

    public void Sending(ReadOnlySpan<byte> utf8Frame, bool isRequest) => _ledger.Sending(utf8Frame, isRequest);

    private InboundFrame ClassifyCore(ReadOnlySpan<byte> utf8Frame)
    {
        if (PraxisFrame.Read(utf8Frame) is not { } frame)
        {
            return InboundFrame.Malformed("the frame is not a JSON object");
        }

        if (frame.Type is not { } type)
        {
            return InboundFrame.Malformed("the frame has no string 'type'");
        }

        var answer = _ledger.Match(type, frame.CorrelationId, frame.Sender, frame.IsSubscriptionAck);
        if (answer.Kind != PraxisAnswerKind.None)
        {
            switch (answer.Frame.Sender)
            {
                case PraxisSender.Request:
                    _answer = answer;
                    _answerByOrder = frame.CorrelationId is null;
                    return InboundFrame.Control(FrameKind.Response, type);
                case PraxisSender.Client when answer.Kind != PraxisAnswerKind.Error:
                    return InboundFrame.Control(FrameKind.Pong, type);
            }

            // The answer to the app's own frame (SendAsync) is an event, as the app expects, unless it is a notice.
        }

        // The server's own notices (the welcome, subscription acknowledgements) and pongs are control, never events.
        if (type == "PONG" || (type == PraxisEventTypes.ChatMessage && frame.Sender == "system"))
        {
            return InboundFrame.Control(FrameKind.Pong, type);
        }

        // The whole frame, as every dialect's events are; its body is the payload (EventBodyShape.PayloadField).
        return InboundFrame.Event(type, sequence: null, isReplay: false, 0, utf8Frame.Length);
    }

    public ResponseFrame ParseResponse(ReadOnlySpan<byte> utf8Frame)
    {
        var (sent, kind) = _answer;
        var byOrder = _answerByOrder;
        _answer = default;
        if (kind == PraxisAnswerKind.OutOfStep)
        {
            // Nothing of the frame goes with the failure: it may be another request's answer.
            return new ResponseFrame(sent.Id, ok: false, result: null, PraxisAnswerLedger.OutOfStepCode, PraxisAnswerLedger.OutOfStepMessage, null) { MatchedByOrder = byOrder };
        }

        var reader = new Utf8JsonReader(utf8Frame);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        JsonElement? payload = root.TryGetProperty("payload", out var p) ? p.Clone() : null;
        if (kind == PraxisAnswerKind.Error)
        {
            var error = payload is { ValueKind: JsonValueKind.Object } e ? e : (JsonElement?)null;
            return new ResponseFrame(
                sent.Id,
                ok: false,
                result: null,
                (error is { } c ? JsonFields.String(c, "code") : null) ?? "error",
                (error is { } m ? JsonFields.String(m, "message") : null) ?? "The agent answered with an error.",
                payload) { MatchedByOrder = byOrder };
        }

        return new ResponseFrame(sent.Id, ok: true, payload, null, null, null, isProgress: kind == PraxisAnswerKind.Progress) { MatchedByOrder = byOrder };
    }
}

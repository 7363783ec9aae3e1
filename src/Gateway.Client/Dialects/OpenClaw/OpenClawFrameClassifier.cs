using System.Text.Json;

namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>
/// Classifies OpenClaw frames in one pass of a <see cref="Utf8JsonReader"/>: <c>event</c> frames are
/// events named by <c>event</c> and numbered by their per-connection <c>seq</c> (the whole frame is the
/// payload); <c>res</c> answers requests. Unknown fields are ignored; unknown frame types are
/// delivered unnumbered.
/// </summary>
internal static class OpenClawFrameClassifier
{
    public static InboundFrame Classify(ReadOnlySpan<byte> frame) => FrameClassification.Safely(frame, ClassifyCore);

    private static InboundFrame ClassifyCore(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame, FrameClassification.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return InboundFrame.Malformed("the frame is not a JSON object");
        }

        string? type = null;
        string? name = null;
        long? seq = null;
        var seqInvalid = false;
        long? restartExpectedMs = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (FrameClassification.NameIs(ref reader, "type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (FrameClassification.NameIs(ref reader, "event"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? KnownEventTypes.Read(ref reader) : null;
                reader.Skip();
            }
            else if (FrameClassification.NameIs(ref reader, "seq"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) && ServerNumbers.IsSequence(number))
                {
                    seq = number;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    seqInvalid = true;
                    reader.Skip();
                }
            }
            else if (FrameClassification.NameIs(ref reader, "payload"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    restartExpectedMs = ReadRestartExpected(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.Read())
        {
            return InboundFrame.Malformed("unexpected content after the JSON object");
        }

        switch (type)
        {
            case null:
                return InboundFrame.Malformed("the frame has no string 'type'");
            case "res":
                return InboundFrame.Control(FrameKind.Response, type);
            case "event" when name is null:
                return InboundFrame.Malformed("an event frame has no string 'event'");
            case "event" when seqInvalid:
                return InboundFrame.Malformed($"'{name}' has a 'seq' that is not a positive integer");
            case "event" when name == "connect.challenge":
                return InboundFrame.Control(FrameKind.LateHandshake, name);
            case "event":
                // A shutdown that expects a restart is a floor for the next reconnect.
                return InboundFrame.Event(name!, seq, isReplay: false, 0, frame.Length, name == "shutdown" ? restartExpectedMs : null);
            default:
                return InboundFrame.Event(type, null, isReplay: false, 0, frame.Length);
        }
    }

    /// <summary>Reads <c>payload.restartExpectedMs</c> (only shutdown events carry it) and skips the rest of the payload.</summary>
    private static long? ReadRestartExpected(ref Utf8JsonReader reader)
    {
        long? value = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && FrameClassification.NameIs(ref reader, "restartExpectedMs"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms) && ms >= 0)
                {
                    value = ms;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return value;
    }
}

using System.Text.Json;

namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// Classifies protocol 1/2 frames in one forward pass of a <see cref="Utf8JsonReader"/>, without
/// building a DOM: reads <c>type</c>, <c>seq</c> and, for a replay wrapper, <c>event.sequence</c> and
/// the byte range of <c>event.data</c>. Property order does not matter.
/// </summary>
internal static class PraisonAIFrameClassifier
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
        var typeInvalid = false;
        long? seq = null;
        var seqInvalid = false;
        long? retryAfterMs = null;
        var replay = default(ReplayEnvelope);
        var hasEventObject = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (FrameClassification.NameIs(ref reader, "type"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    type = KnownEventTypes.Read(ref reader);
                }
                else
                {
                    typeInvalid = true;
                    reader.Skip();
                }
            }
            else if (FrameClassification.NameIs(ref reader, "seq"u8))
            {
                reader.Read();
                if (!TryReadSequence(ref reader, out seq))
                {
                    seqInvalid = true;
                }
            }
            else if (FrameClassification.NameIs(ref reader, "retry_after_ms"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms) && ms >= 0)
                {
                    retryAfterMs = ms;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (FrameClassification.NameIs(ref reader, "event"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    hasEventObject = true;
                    replay = ReadReplayEnvelope(ref reader);
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

        // Anything after the closing brace (a second value, garbage) makes the reader throw here.
        if (reader.Read())
        {
            return InboundFrame.Malformed("unexpected content after the JSON object");
        }

        if (typeInvalid || type is null)
        {
            return InboundFrame.Malformed("the frame has no string 'type'");
        }

        switch (type)
        {
            case "replay":
                return ClassifyReplay(hasEventObject, replay, seq);
            case "ping":
                return InboundFrame.Control(FrameKind.Ping, type);
            case "pong":
                return InboundFrame.Control(FrameKind.Pong, type);
            case "res":
                return InboundFrame.Control(FrameKind.Response, type);
            case "reconnect":
                return InboundFrame.Control(FrameKind.ReconnectRequest, type, retryAfterMs);
            case "hello_ok":
            case "hello_error":
            case "joined":
                return InboundFrame.Control(FrameKind.LateHandshake, type);
        }

        if (seqInvalid)
        {
            return InboundFrame.Malformed($"'{type}' has a 'seq' that is not a positive integer");
        }

        return InboundFrame.Event(type, seq, isReplay: false, 0, frame.Length);
    }

    private static InboundFrame ClassifyReplay(bool hasEventObject, ReplayEnvelope replay, long? wrapperSeq)
    {
        if (!hasEventObject)
        {
            return InboundFrame.Malformed("a replay frame has no 'event' object");
        }

        if (replay.DataLength == 0)
        {
            return InboundFrame.Malformed("a replay frame's event has no 'data' object");
        }

        // event.sequence is the number; the original frame's own seq and the legacy wrapper's seq agree with it.
        var number = replay.Sequence ?? replay.DataSequence ?? wrapperSeq;
        if (number is null)
        {
            return InboundFrame.Malformed("a replay frame carries no positive integer sequence");
        }

        var type = replay.DataType ?? replay.EventType;
        if (type is null)
        {
            return InboundFrame.Malformed("a replayed event has no 'type'");
        }

        return InboundFrame.Event(type, number, isReplay: true, replay.DataOffset, replay.DataLength);
    }

    private static ReplayEnvelope ReadReplayEnvelope(ref Utf8JsonReader reader)
    {
        var envelope = default(ReplayEnvelope);
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (FrameClassification.NameIs(ref reader, "sequence"u8))
            {
                reader.Read();
                envelope.Sequence = TryReadSequence(ref reader, out var number) ? number : null;
            }
            else if (FrameClassification.NameIs(ref reader, "type"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    envelope.EventType = KnownEventTypes.Read(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (FrameClassification.NameIs(ref reader, "data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadOriginalFrame(ref reader, ref envelope);
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

        return envelope;
    }

    private static void ReadOriginalFrame(ref Utf8JsonReader reader, ref ReplayEnvelope envelope)
    {
        var start = (int)reader.TokenStartIndex;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (FrameClassification.NameIs(ref reader, "type"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    envelope.DataType = KnownEventTypes.Read(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (FrameClassification.NameIs(ref reader, "seq"u8))
            {
                reader.Read();
                envelope.DataSequence = TryReadSequence(ref reader, out var number) ? number : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        envelope.DataOffset = start;
        envelope.DataLength = (int)reader.TokenStartIndex + 1 - start;
    }

    /// <summary>
    /// Reads a sequence number: a positive JSON integer up to <see cref="ServerNumbers.MaxSequence"/>.
    /// <c>null</c> counts as absent; anything else (string, fraction, zero, negative, a number with no
    /// room for <c>+1</c>, container) is invalid.
    /// </summary>
    private static bool TryReadSequence(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.Number when reader.TryGetInt64(out var number) && ServerNumbers.IsSequence(number):
                value = number;
                return true;
            default:
                reader.Skip();
                return false;
        }
    }

    private struct ReplayEnvelope
    {
        public long? Sequence;
        public string? EventType;
        public string? DataType;
        public long? DataSequence;
        public int DataOffset;
        public int DataLength;
    }
}

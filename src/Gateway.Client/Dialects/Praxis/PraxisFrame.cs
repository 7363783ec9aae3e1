using System.Text.Json;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// What the Praxis classifier reads from a server frame <c>{"type", "payload", "correlation_id"?}</c> in one
/// pass of a <see cref="Utf8JsonReader"/>: the type, the correlation id, the payload's <c>sender</c>, whether
/// its <c>content</c> acknowledges a subscription change. An event is the whole frame, its body the payload
/// (<see cref="EventBodyShape.PayloadField"/>).
/// </summary>
internal readonly record struct PraxisFrame(string? Type, string? CorrelationId, string? Sender, bool IsSubscriptionAck)
{
    /// <summary>
    /// Reads a frame; null when it is not a JSON object. Throws <see cref="JsonException"/> on invalid JSON, including
    /// anything but whitespace after the object.
    /// </summary>
    public static PraxisFrame? Read(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame, FrameClassification.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? type = null;
        string? correlationId = null;
        string? sender = null;
        var ack = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (FrameClassification.NameIs(ref reader, "type"u8))
            {
                reader.Read();
                type = reader.TokenType == JsonTokenType.String ? KnownEventTypes.Read(ref reader) : null;
                reader.Skip();
            }
            else if (FrameClassification.NameIs(ref reader, "correlation_id"u8))
            {
                reader.Read();
                correlationId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (FrameClassification.NameIs(ref reader, "payload"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    (sender, ack) = ReadNotice(ref reader);
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

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("the frame ends inside its object");
        }

        // Only whitespace may follow the object: anything else (garbage, a second value) makes the reader throw here.
        if (reader.Read())
        {
            throw new JsonException("unexpected content after the JSON object");
        }

        return new PraxisFrame(type, correlationId, sender, ack && sender == "system");
    }

    /// <summary>
    /// Reads <c>sender</c> from the payload object the reader is at, and whether <c>content</c> acknowledges a
    /// subscription change ("Subscribed to N event types"); leaves the reader at the object's end.
    /// </summary>
    private static (string? Sender, bool IsSubscriptionAck) ReadNotice(ref Utf8JsonReader reader)
    {
        string? sender = null;
        var ack = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSender = FrameClassification.NameIs(ref reader, "sender"u8);
            var isContent = !isSender && FrameClassification.NameIs(ref reader, "content"u8);
            reader.Read();
            if (isSender && reader.TokenType == JsonTokenType.String)
            {
                sender = reader.GetString();
            }
            else if (isContent && reader.TokenType == JsonTokenType.String)
            {
                var content = reader.GetString()!;
                ack = content.StartsWith("Subscribed to ", StringComparison.Ordinal) || content.StartsWith("Unsubscribed from ", StringComparison.Ordinal);
            }
            else
            {
                reader.Skip();
            }
        }

        return (sender, ack);
    }
}

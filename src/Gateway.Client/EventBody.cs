using System.Globalization;
using System.Text.Json;
using Gateway.Client.Dialects;

namespace Gateway.Client;

/// <summary>
/// What <see cref="GatewayEvent"/> reads from its frame on first use of <see cref="GatewayEvent.Data"/>,
/// <see cref="GatewayEvent.EventId"/> or <see cref="GatewayEvent.Timestamp"/>: one reader pass, the body a
/// slice of the frame (a new buffer only for a flat frame, which must drop its envelope fields).
/// </summary>
internal sealed class EventBody
{
    private static readonly string[] EnvelopeFields = { "type", "seq", "cursor", "event_id", "timestamp", "source", "target" };

    private JsonElement? _data;

    private EventBody(ReadOnlyMemory<byte> utf8Data, string? eventId, DateTimeOffset? timestamp)
    {
        Utf8Data = utf8Data;
        EventId = eventId;
        Timestamp = timestamp;
    }

    public ReadOnlyMemory<byte> Utf8Data { get; }

    public string? EventId { get; }

    public DateTimeOffset? Timestamp { get; }

    /// <summary>The body as a JSON element, parsed on first use (a benign race: both parses are equal).</summary>
    public JsonElement Data
    {
        get
        {
            if (_data is { } cached)
            {
                return cached;
            }

            var reader = new Utf8JsonReader(Utf8Data.Span);
            var parsed = JsonElement.ParseValue(ref reader);
            _data = parsed;
            return parsed;
        }
    }

    public static EventBody Read(byte[] frame, EventBodyShape shape)
    {
        var body = Scan(frame, shape, out var eventId, out var timestamp);
        var data = body is { } range ? frame.AsMemory(range.Start, range.Length)
            : shape == EventBodyShape.Envelope ? WithoutEnvelope(frame)
            : frame;
        return new EventBody(data, eventId, timestamp);
    }

    /// <summary>
    /// Where the body lies in <paramref name="frame"/>; null when it is not one slice of it (a flat frame without its
    /// envelope: see <see cref="WithoutEnvelope"/>). Reads nothing else and allocates nothing.
    /// </summary>
    public static (int Start, int Length)? Locate(ReadOnlySpan<byte> frame, EventBodyShape shape) => Scan(frame, shape, out _, out _, readDetails: false);

    /// <summary>The frame's <c>event_id</c> and <c>timestamp</c> (see <see cref="GatewayEvent.EventId"/> and <see cref="GatewayEvent.Timestamp"/>), in one reader pass.</summary>
    public static (string? EventId, DateTimeOffset? Timestamp) Details(ReadOnlySpan<byte> frame, EventBodyShape shape)
    {
        Scan(frame, shape, out var eventId, out var timestamp);
        return (eventId, timestamp);
    }

    /// <summary>A flat frame's body: the frame without its envelope fields.</summary>
    public static byte[] WithoutEnvelope(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        using var document = JsonDocument.ParseValue(ref reader);
        using var output = new Wire.PooledBufferWriter(frame.Length);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (Array.IndexOf(EnvelopeFields, property.Name) < 0)
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        return output.WrittenMemory.ToArray();
    }

    /// <summary>
    /// One reader pass over the frame: the body's range (null when the body is the whole frame, or the frame without
    /// its envelope) and, when <paramref name="readDetails"/>, the <c>event_id</c> and <c>timestamp</c>.
    /// </summary>
    private static (int Start, int Length)? Scan(ReadOnlySpan<byte> frame, EventBodyShape shape, out string? eventId, out DateTimeOffset? timestamp, bool readDetails = true)
    {
        eventId = null;
        timestamp = null;
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (0, frame.Length);
        }

        (int Start, int Length)? body = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isBody = reader.ValueTextEquals(shape == EventBodyShape.Envelope ? "data"u8 : "payload"u8);
            var isId = readDetails && !isBody && reader.ValueTextEquals("event_id"u8);
            var isTime = readDetails && !isBody && !isId && reader.ValueTextEquals("timestamp"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                eventId = reader.GetString();
            }
            else if (isTime)
            {
                timestamp = ReadTimestamp(ref reader);
            }

            reader.Skip();
            if (isBody && (shape != EventBodyShape.Envelope || reader.TokenType == JsonTokenType.EndObject))
            {
                body = (start, (int)reader.BytesConsumed - start);
            }
        }

        return body ?? (shape == EventBodyShape.Envelope ? null : (0, frame.Length));
    }

    /// <summary>
    /// An ISO 8601 string, or a number of Unix seconds (PraisonAI's <c>time.time()</c>; milliseconds when it is that large),
    /// made a time by <see cref="ServerNumbers.UnixTime"/>; null when unreadable, never an exception.
    /// </summary>
    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed : null;
        }

        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) ? ServerNumbers.UnixTime(number) : null;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Dialects;
using Gateway.Client.PraisonAI;

namespace Gateway.Client;

/// <summary>
/// One event from the gateway, as the app receives it. Replayed events are unwrapped, so a replayed
/// event looks exactly like the live frame it stands for, with <see cref="IsReplay"/> set.
/// </summary>
public sealed class GatewayEvent
{
    // Kept small: one of these is allocated per event. Sequence 0 stands for "unnumbered" (numbers start at
    // 1); the parsed payload sits behind one reference, allocated only when asked for.
    private readonly byte[] _utf8Payload;
    private readonly long _sequence;
    private readonly bool _isReplay;
    private readonly EventBodyShape _shape;
    private StrongBox<JsonElement>? _payload;
    private EventBody? _body;

    /// <summary>Creates an event over the UTF-8 JSON bytes of its frame (the bytes are not copied).</summary>
    /// <param name="type">The frame's <c>type</c>.</param>
    /// <param name="sequence">The sequence number, or <see langword="null"/> for an unnumbered event.</param>
    /// <param name="isReplay">Whether the event came from the server's replay of missed events.</param>
    /// <param name="utf8Payload">The UTF-8 JSON object of the (unwrapped) frame.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is not positive.</exception>
    public GatewayEvent(string type, long? sequence, bool isReplay, ReadOnlyMemory<byte> utf8Payload)
        : this(type, sequence, isReplay, utf8Payload, EventBodyShape.Envelope)
    {
    }

    /// <summary>Creates an event whose body lies where its dialect keeps it (<paramref name="shape"/>).</summary>
    internal GatewayEvent(string type, long? sequence, bool isReplay, ReadOnlyMemory<byte> utf8Payload, EventBodyShape shape)
    {
        _shape = shape;
        if (sequence is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Sequence numbers start at 1.");
        }

        Type = Guard.NotNull(type);
        _sequence = sequence ?? 0;
        _isReplay = isReplay;
        _utf8Payload = MemoryMarshal.TryGetArray(utf8Payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : utf8Payload.ToArray();
    }

    /// <summary>The frame's <c>type</c>, for example <c>response</c> or <c>token_stream</c>.</summary>
    public string Type { get; }

    /// <summary>The per-session sequence number, or <see langword="null"/> when the event is unnumbered.</summary>
    public long? Sequence => _sequence == 0 ? null : _sequence;

    /// <summary>Whether the event was replayed by the server after a resume rather than sent live.</summary>
    public bool IsReplay => _isReplay;

    /// <summary>
    /// The unwrapped frame as UTF-8 JSON. Use it to deserialize with your own source-generated
    /// <c>JsonSerializerContext</c> without building a DOM.
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Payload => _utf8Payload;

    /// <summary>The unwrapped frame as a JSON object. Parsed on first access, then cached.</summary>
    public JsonElement Payload
    {
        get
        {
            // A benign race: two threads may both parse; both results are equal and immutable.
            if (_payload is { } cached)
            {
                return cached.Value;
            }

            var reader = new Utf8JsonReader(_utf8Payload);
            var parsed = JsonElement.ParseValue(ref reader);
            _payload = new StrongBox<JsonElement>(parsed);
            return parsed;
        }
    }

    /// <summary>
    /// The event's body as UTF-8 JSON, wherever its envelope keeps it: a protocol 1/2 stream event's
    /// <c>data</c>, a flat frame (<c>response</c>, <c>error</c>) without its envelope fields (<c>type</c>,
    /// <c>seq</c>, <c>cursor</c>, <c>event_id</c>, <c>timestamp</c>, <c>source</c>, <c>target</c>), an OpenClaw
    /// event's <c>payload</c>, a Praxis frame's <c>payload</c>. Ready for a source-generated deserializer
    /// (<see cref="GetData{T}"/>).
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Data => Body.Utf8Data;

    /// <summary>The event's body (<see cref="Utf8Data"/>) as a JSON element. Parsed on first access, then cached.</summary>
    public JsonElement Data => Body.Data;

    /// <summary>The frame's <c>event_id</c>, when it carries one (protocol 1/2 stream events).</summary>
    public string? EventId => Body.EventId;

    /// <summary>
    /// The frame's <c>timestamp</c>, when it carries one: an ISO 8601 string, or Unix seconds as PraisonAI sends
    /// them (milliseconds from 1e11 on). Null when absent or unreadable: a number that is negative or past the
    /// year 9999 (docs/protocol.md, "Numbers from the server") is unreadable, and never makes the event's other
    /// accessors throw.
    /// </summary>
    public DateTimeOffset? Timestamp => Body.Timestamp;

    private EventBody Body => _body ??= EventBody.Read(_utf8Payload, _shape);

    /// <summary>
    /// Deserializes the event's body (<see cref="Utf8Data"/>) with a source-generated <paramref name="typeInfo"/>,
    /// without building a DOM: trimming- and AOT-safe. For the PraisonAI events, see <see cref="PraisonAIJsonContext"/>.
    /// </summary>
    /// <exception cref="JsonException">The body does not match <typeparamref name="T"/>; the message names the event's type and sequence.</exception>
    public T GetData<T>(JsonTypeInfo<T> typeInfo)
    {
        Guard.NotNull(typeInfo);
        return DeserializeData(Utf8Data.Span, typeInfo, Type, Sequence, IsReplay);
    }

    /// <inheritdoc />
    public override string ToString() => Describe(Type, Sequence, IsReplay);

    /// <summary>How an event names itself (in <c>ToString()</c> and in errors), for <see cref="GatewayEvent"/> and <see cref="GatewayEventView"/> alike.</summary>
    internal static string Describe(string type, long? sequence, bool isReplay) => sequence is { } seq
        ? $"{type} #{seq}{(isReplay ? " (replay)" : string.Empty)}"
        : $"{type} (unnumbered)";

    /// <summary>Deserializes an event's body; a mismatch names the event (its type, sequence and origin) and the target type.</summary>
    internal static T DeserializeData<T>(ReadOnlySpan<byte> data, JsonTypeInfo<T> typeInfo, string type, long? sequence, bool isReplay)
    {
        try
        {
            return JsonSerializer.Deserialize(data, typeInfo)!;
        }
        catch (JsonException ex)
        {
            throw new JsonException($"The data of event {Describe(type, sequence, isReplay)} does not match {typeof(T).Name}: {ex.Message}", ex.Path, ex.LineNumber, ex.BytePositionInLine, ex);
        }
    }
}

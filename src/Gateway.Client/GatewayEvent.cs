using System.Text.Json;

namespace Gateway.Client;

/// <summary>
/// One event from the gateway, as the app receives it. Replayed events are unwrapped, so a replayed
/// event looks exactly like the live frame it stands for, with <see cref="IsReplay"/> set.
/// </summary>
public sealed class GatewayEvent
{
    private readonly ReadOnlyMemory<byte> _utf8Payload;
    private JsonElement? _payload;

    /// <summary>Creates an event over the UTF-8 JSON bytes of its frame (the bytes are not copied).</summary>
    /// <param name="type">The frame's <c>type</c>.</param>
    /// <param name="sequence">The sequence number, or <see langword="null"/> for an unnumbered event.</param>
    /// <param name="isReplay">Whether the event came from the server's replay of missed events.</param>
    /// <param name="utf8Payload">The UTF-8 JSON object of the (unwrapped) frame.</param>
    public GatewayEvent(string type, long? sequence, bool isReplay, ReadOnlyMemory<byte> utf8Payload)
    {
        Type = Guard.NotNull(type);
        Sequence = sequence;
        IsReplay = isReplay;
        _utf8Payload = utf8Payload;
    }

    /// <summary>The frame's <c>type</c>, for example <c>response</c> or <c>token_stream</c>.</summary>
    public string Type { get; }

    /// <summary>The per-session sequence number, or <see langword="null"/> when the event is unnumbered.</summary>
    public long? Sequence { get; }

    /// <summary>Whether the event was replayed by the server after a resume rather than sent live.</summary>
    public bool IsReplay { get; }

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
                return cached;
            }

            var reader = new Utf8JsonReader(_utf8Payload.Span);
            var parsed = JsonElement.ParseValue(ref reader);
            _payload = parsed;
            return parsed;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Sequence is { } seq
        ? $"{Type} #{seq}{(IsReplay ? " (replay)" : string.Empty)}"
        : $"{Type} (unnumbered)";
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Dialects;
using Gateway.Client.PraisonAI;

namespace Gateway.Client;

/// <summary>
/// One event from the gateway, as the app receives it. Replayed events are unwrapped, so a replayed
/// event looks exactly like the live frame it stands for, with <see cref="IsReplay"/> set. Every event has its
/// whole frame (<see cref="Frame"/>) and its body (<see cref="Data"/>), whatever the dialect; tests make
/// one with <see cref="GatewayModelFactory.GatewayEvent"/>.
/// </summary>
public sealed class GatewayEvent
{
    // Kept small: one of these is allocated per event. The sequence field holds the event's number, or for an unnumbered
    // event minus the number its resume point names (numbers start at 1); the session and epoch are one shared context's;
    // the parsed frame sits behind one reference, allocated only when asked for.
    private readonly byte[] _utf8Frame;
    private readonly long _sequence;
    private readonly bool _isReplay;
    private readonly EventBodyShape _shape;
    private readonly EventContext _context;
    private StrongBox<JsonElement>? _frame;
    private EventBody? _body;

    /// <summary>Creates an event over the UTF-8 JSON bytes of its frame (the array is not copied).</summary>
    /// <param name="type">The frame's <c>type</c>.</param>
    /// <param name="sequence">The sequence number, or <see langword="null"/> for an unnumbered event.</param>
    /// <param name="isReplay">Whether the event came from the server's replay of missed events.</param>
    /// <param name="utf8Frame">The UTF-8 JSON object of the (unwrapped) frame, now the event's own.</param>
    /// <param name="shape">Where its dialect keeps the body.</param>
    /// <param name="context">What it shares with the other events of its session and epoch; null for none.</param>
    /// <param name="resumeSequence">The sequence its resume point names: its own when numbered, else the last number before it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is not positive.</exception>
    internal GatewayEvent(string type, long? sequence, bool isReplay, byte[] utf8Frame, EventBodyShape shape, EventContext? context, long resumeSequence)
    {
        if (sequence is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Sequence numbers start at 1.");
        }

        Type = Guard.NotNull(type);
        _sequence = sequence ?? -resumeSequence;
        _isReplay = isReplay;
        _shape = shape;
        _context = context ?? EventContext.Unresumable;
        _utf8Frame = Guard.NotNull(utf8Frame);
    }

    /// <summary>The frame's <c>type</c>, for example <c>response</c> or <c>token_stream</c>.</summary>
    public string Type { get; }

    /// <summary>The per-session sequence number, or <see langword="null"/> when the event is unnumbered.</summary>
    public long? Sequence => _sequence > 0 ? _sequence : null;

    /// <summary>Whether the event was replayed by the server after a resume rather than sent live.</summary>
    public bool IsReplay => _isReplay;

    /// <summary>
    /// The whole frame as received, as UTF-8 JSON, for every dialect (a replayed event's unwrapped: the live frame it
    /// stands for). Use it to read envelope fields the client does not surface, with your own reader.
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Frame => _utf8Frame;

    /// <summary>The whole frame as received (<see cref="Utf8Frame"/>) as a JSON object. Parsed on first access, then cached.</summary>
    public JsonElement Frame
    {
        get
        {
            // A benign race: two threads may both parse; both results are equal and immutable.
            if (_frame is { } cached)
            {
                return cached.Value;
            }

            var reader = new Utf8JsonReader(_utf8Frame);
            var parsed = JsonElement.ParseValue(ref reader);
            _frame = new StrongBox<JsonElement>(parsed);
            return parsed;
        }
    }

    /// <summary>
    /// The event's body as UTF-8 JSON, for every dialect, wherever its envelope keeps it: a PraisonAI stream event's
    /// <c>data</c>, a flat PraisonAI frame (<c>response</c>, <c>error</c>) without its envelope fields (<c>type</c>,
    /// <c>seq</c>, <c>cursor</c>, <c>event_id</c>, <c>timestamp</c>, <c>source</c>, <c>target</c>), an OpenClaw
    /// event's <c>payload</c>, a Praxis frame's <c>payload</c> (the whole frame when it has none). Ready for a
    /// source-generated deserializer (<see cref="GetData{T}(JsonTypeInfo{T})"/>).
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Data => Body.Utf8Data;

    /// <summary>The event's body (<see cref="Utf8Data"/>) as a JSON element. Parsed on first access, then cached.</summary>
    public JsonElement Data => Body.Data;

    /// <summary>The frame's <c>event_id</c>, when it carries one (PraisonAI stream events).</summary>
    public string? EventId => Body.EventId;

    /// <summary>
    /// The frame's <c>timestamp</c>, when it carries one: an ISO 8601 string, or Unix seconds as PraisonAI sends
    /// them (milliseconds from 1e11 on). Null when absent or unreadable: a number that is negative or past the
    /// year 9999 (docs/protocol.md, "Numbers from the server") is unreadable, and never makes the event's other
    /// accessors throw.
    /// </summary>
    public DateTimeOffset? Timestamp => Body.Timestamp;

    /// <summary>
    /// The point that resumes the stream right after this event: store it once the app has handled the event, and give
    /// it back as <see cref="GatewayClientOptions.ResumeFrom"/> on the next start. It names the session and epoch the
    /// event was received in and its <see cref="Sequence"/> (for an unnumbered event, the last number before it). Null
    /// where the dialect cannot resume a stream (OpenClaw numbers events per connection, Praxis does not number them).
    /// </summary>
    public GatewayResumePoint? ResumePoint => _context.ResumePointAt(_sequence > 0 ? _sequence : -_sequence);

    /// <summary>What the event shares with the other events of its session and epoch.</summary>
    internal EventContext Context => _context;

    private EventBody Body => _body ??= EventBody.Read(_utf8Frame, _shape);

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

    /// <summary>
    /// Deserializes the event's body (<see cref="Utf8Data"/>) through the client's serializers: the app's
    /// <see cref="GatewayClientOptions.TypeInfoResolver"/>, then the built-in PraisonAI bodies (<see cref="PraisonAIJsonContext"/>).
    /// Source-generated metadata only: trimming- and AOT-safe.
    /// </summary>
    /// <exception cref="InvalidOperationException">No serializer knows <typeparamref name="T"/>; the message says how to add one.</exception>
    /// <exception cref="JsonException">The body does not match <typeparamref name="T"/>; the message names the event's type and sequence.</exception>
    public T GetData<T>() => GetData(_context.Json.TypeInfo<T>());

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

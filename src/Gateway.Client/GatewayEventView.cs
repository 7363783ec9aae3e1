using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Engine;
using Gateway.Client.PraisonAI;

namespace Gateway.Client;

/// <summary>
/// One event of a <see cref="GatewayEventBatch"/>, read where it was received: no copy. It has the members of a
/// <see cref="GatewayEvent"/>, with the same types and meaning. Its <see cref="Type"/>, <see cref="Sequence"/>,
/// <see cref="IsReplay"/> and <see cref="ResumePoint"/> are its own; its bytes are the batch's and valid only while the
/// batch is current (until the enumeration moves on). After that, reading them throws <see cref="InvalidOperationException"/>;
/// <see cref="ToEvent"/> makes a <see cref="GatewayEvent"/> to keep.
/// <para><b>Other threads.</b> A view may be read on any thread while its batch is current. A batch released meanwhile
/// (the consumer moved on) makes <see cref="ToEvent"/>, <see cref="GetData{T}(JsonTypeInfo{T})"/>, <see cref="Frame"/>,
/// <see cref="Data"/>, <see cref="EventId"/> and <see cref="Timestamp"/> throw <see cref="InvalidOperationException"/>,
/// even when the release comes in the middle of the read: they never return another event's bytes, nor throw anything else
/// for it. The memory <see cref="Utf8Frame"/> and <see cref="Utf8Data"/> return is the batch's buffer itself (except a flat
/// PraisonAI frame's body, built anew), so it can be vouched for only while it is taken: read it before the consumer moves
/// on, or take <see cref="ToEvent"/> to keep the bytes.</para>
/// </summary>
public readonly struct GatewayEventView
{
    private readonly LentBatch? _batch;
    private readonly long _version;
    private readonly StreamItem _item;

    internal GatewayEventView(LentBatch batch, long version, StreamItem item)
    {
        _batch = batch;
        _version = version;
        _item = item;
    }

    /// <summary>Reads an event's bytes for <see cref="Read{TState, TResult}"/>.</summary>
    internal delegate TResult BytesReader<in TState, out TResult>(ReadOnlySpan<byte> frame, TState state);

    /// <summary>The frame's <c>type</c> (see <see cref="GatewayEvent.Type"/>).</summary>
    public string Type => _item.IsEvent ? _item.Type : string.Empty;

    /// <summary>The per-session sequence number, or <see langword="null"/> when the event is unnumbered.</summary>
    public long? Sequence => _item.Sequence;

    /// <summary>Whether the event was replayed by the server after a resume rather than sent live.</summary>
    public bool IsReplay => _item.IsReplay;

    /// <summary>Whether the event's bytes can still be read: its batch has not been released.</summary>
    public bool IsAvailable => _batch is not null && _batch.IsCurrent(_version);

    /// <summary>
    /// The whole frame as received, as UTF-8 JSON (see <see cref="GatewayEvent.Utf8Frame"/>), in the batch's buffer: valid
    /// while the batch is current (see "Other threads" above).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public ReadOnlyMemory<byte> Utf8Frame
    {
        get
        {
            // The buffer first, then the check, as in Bytes.
            var array = _item.Slab?.Array;
            return IsAvailable ? _item.FrameMemoryIn(array!) : throw Released();
        }
    }

    /// <summary>The whole frame as received (see <see cref="GatewayEvent.Frame"/>), parsed into a JSON element of its own, safe to keep.</summary>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the read).</exception>
    public JsonElement Frame => Read(0, static (bytes, _) => Parse(bytes));

    /// <summary>
    /// The event's body as UTF-8 JSON, for every dialect (see <see cref="GatewayEvent.Utf8Data"/>): a slice of
    /// <see cref="Utf8Frame"/>, except for a flat PraisonAI frame (<c>response</c>, <c>error</c>), whose body is the frame
    /// without its envelope fields and so is built anew.
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public ReadOnlyMemory<byte> Utf8Data
    {
        get
        {
            var frame = Utf8Frame;
            return Read(_item.Shape, static (bytes, shape) => EventBody.Locate(bytes, shape)) is { } body
                ? frame.Slice(body.Start, body.Length)
                : Read(0, static (bytes, _) => EventBody.WithoutEnvelope(bytes));
        }
    }

    /// <summary>The event's body (see <see cref="GatewayEvent.Data"/>), parsed into a JSON element of its own, safe to keep.</summary>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the read).</exception>
    public JsonElement Data => Read(_item.Shape, static (bytes, shape) => Parse(BodyOf(bytes, shape)));

    /// <summary>The frame's <c>event_id</c>, when it carries one (see <see cref="GatewayEvent.EventId"/>).</summary>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the read).</exception>
    public string? EventId => Read(_item.Shape, static (bytes, shape) => EventBody.Details(bytes, shape).EventId);

    /// <summary>The frame's <c>timestamp</c>, when it carries a readable one (see <see cref="GatewayEvent.Timestamp"/>).</summary>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the read).</exception>
    public DateTimeOffset? Timestamp => Read(_item.Shape, static (bytes, shape) => EventBody.Details(bytes, shape).Timestamp);

    /// <summary>
    /// The point that resumes the stream right after this event (see <see cref="GatewayEvent.ResumePoint"/>); null where the
    /// dialect cannot resume a stream. Its own, like <see cref="Sequence"/>: readable after the batch is released.
    /// </summary>
    public GatewayResumePoint? ResumePoint => _item.IsEvent ? _item.Context?.ResumePointAt(_item.ResumeSequence) : null;

    /// <summary>What the event shares with the other events of its session and epoch (null only for a default view).</summary>
    internal EventContext? Context => _item.Context;

    /// <summary>
    /// Deserializes the event's body (<see cref="Utf8Data"/>) with a source-generated <paramref name="typeInfo"/>, straight
    /// from the batch's buffer: trimming- and AOT-safe. For the PraisonAI events, see <see cref="PraisonAIJsonContext"/>.
    /// </summary>
    /// <exception cref="JsonException">The body does not match <typeparamref name="T"/>; the message names the event's type and sequence.</exception>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the read).</exception>
    public T GetData<T>(JsonTypeInfo<T> typeInfo)
    {
        Guard.NotNull(typeInfo);
        return Read(
            (TypeInfo: typeInfo, Item: _item),
            static (bytes, state) =>
            {
                var item = state.Item;
                return GatewayEvent.DeserializeData(BodyOf(bytes, item.Shape), state.TypeInfo, item.Type, item.Sequence, item.IsReplay);
            });
    }

    /// <summary>
    /// Deserializes the event's body (<see cref="Utf8Data"/>) through the client's serializers (its
    /// <see cref="GatewayClientOptions.TypeInfoResolver"/>, then the built-in PraisonAI bodies), straight from the batch's buffer.
    /// </summary>
    /// <exception cref="InvalidOperationException">No serializer knows <typeparamref name="T"/>, or the batch was released.</exception>
    /// <exception cref="JsonException">The body does not match <typeparamref name="T"/>; the message names the event's type and sequence.</exception>
    public T GetData<T>() => GetData((_item.Context ?? EventContext.Unresumable).Json.TypeInfo<T>());

    /// <summary>A <see cref="GatewayEvent"/> with its own copy of the bytes, safe to keep after the batch is released.</summary>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the copy).</exception>
    public GatewayEvent ToEvent() => Read(_item, static (bytes, item) => item.ToGatewayEvent(bytes));

    /// <inheritdoc />
    public override string ToString() => GatewayEvent.Describe(Type, Sequence, IsReplay);

    /// <summary>
    /// Reads the event's bytes with <paramref name="read"/> and vouches for what it read: when the batch is released before
    /// or during the read (on another thread), it throws <see cref="InvalidOperationException"/> instead, whatever the read
    /// returned or threw, because the buffer may hold another event's bytes by then. Every accessor that returns more than
    /// the buffer itself goes through here.
    /// </summary>
    internal TResult Read<TState, TResult>(TState state, BytesReader<TState, TResult> read)
    {
        var bytes = Bytes();
        TResult result;
        try
        {
            result = read(bytes, state);
        }
        catch (Exception) when (ReleasedSinceRead())
        {
            // What it met (another event's bytes, or none) says nothing about this event.
            throw Released();
        }

        if (ReleasedSinceRead())
        {
            throw Released();
        }

        return result;
    }

    /// <summary>The body in a frame's bytes: a slice of them, or for a flat PraisonAI frame the frame without its envelope.</summary>
    private static ReadOnlySpan<byte> BodyOf(ReadOnlySpan<byte> frame, Dialects.EventBodyShape shape) =>
        EventBody.Locate(frame, shape) is { } body ? frame.Slice(body.Start, body.Length) : EventBody.WithoutEnvelope(frame);

    /// <summary>A JSON element with its own copy of <paramref name="json"/>.</summary>
    private static JsonElement Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>The event's bytes in the batch's buffer, while the batch is current.</summary>
    private ReadOnlySpan<byte> Bytes()
    {
        // The buffer first, then the check: a release moves the batch on before it lets go of any buffer (see
        // LentBatch.Release), so a batch still current after the buffer was read means it was still this event's.
        // The other way round, a release between the two leaves an empty or reused array, never the event's.
        var array = _item.Slab?.Array;
        if (!IsAvailable)
        {
            throw Released();
        }

        return _item.FrameIn(array!);
    }

    /// <summary>Whether the batch was released since the bytes were read: the barrier keeps every read of them before the check.</summary>
    private bool ReleasedSinceRead()
    {
        Interlocked.MemoryBarrier();
        return !IsAvailable;
    }

    private InvalidOperationException Released() => new(
        $"The bytes of event {this} are gone: its batch was released when the enumeration moved on. Call ToEvent() while the batch is current to keep an event.");
}

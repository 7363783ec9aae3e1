using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Engine;
using Gateway.Client.PraisonAI;

namespace Gateway.Client;

/// <summary>
/// One event of a <see cref="GatewayEventBatch"/>, read where it was received: no copy, no allocation. Its
/// <see cref="Type"/>, <see cref="Sequence"/> and <see cref="IsReplay"/> are its own; its bytes are the batch's and
/// valid only until the batch is released (when the enumeration moves on). After that, reading them throws
/// <see cref="InvalidOperationException"/>; <see cref="ToEvent"/> makes a <see cref="GatewayEvent"/> to keep.
/// <para><b>Other threads.</b> A view may be read on any thread while its batch is current. A batch released meanwhile
/// (the consumer moved on) makes <see cref="ToEvent"/>, <see cref="GetData{T}"/> and <see cref="Utf8Data"/> throw
/// <see cref="InvalidOperationException"/>, even when the release comes in the middle of the read: they never return
/// another event's bytes, nor throw anything else for it. The spans <see cref="Utf8Payload"/> and <see cref="Utf8Data"/>
/// return are the batch's buffer itself, so they can be vouched for only while they are taken: read them before the
/// consumer moves on, or take <see cref="ToEvent"/> to keep the bytes.</para>
/// </summary>
public readonly struct GatewayEventView
{
    private readonly GatewayEventBatch? _batch;
    private readonly int _version;
    private readonly StreamItem _item;

    internal GatewayEventView(GatewayEventBatch batch, int version, StreamItem item)
    {
        _batch = batch;
        _version = version;
        _item = item;
    }

    /// <summary>Reads an event's bytes for <see cref="Read{TState, TResult}"/>.</summary>
    internal delegate TResult BytesReader<in TState, out TResult>(ReadOnlySpan<byte> payload, TState state);

    /// <summary>The frame's <c>type</c> (see <see cref="GatewayEvent.Type"/>).</summary>
    public string Type => _item.IsEvent ? _item.Type : string.Empty;

    /// <summary>The per-session sequence number, or <see langword="null"/> when the event is unnumbered.</summary>
    public long? Sequence => _item.Sequence;

    /// <summary>Whether the event was replayed by the server after a resume rather than sent live.</summary>
    public bool IsReplay => _item.IsReplay;

    /// <summary>Whether the event's bytes can still be read: its batch has not been released.</summary>
    public bool IsAvailable => _batch is not null && _batch.IsCurrent(_version);

    /// <summary>
    /// The unwrapped frame as UTF-8 JSON (see <see cref="GatewayEvent.Utf8Payload"/>), in the batch's buffer: valid while
    /// the batch is current (see "Other threads" above).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public ReadOnlySpan<byte> Utf8Payload => Bytes();

    /// <summary>
    /// The event's body as UTF-8 JSON, wherever its envelope keeps it (see <see cref="GatewayEvent.Utf8Data"/>). A slice of
    /// <see cref="Utf8Payload"/>, except for a flat protocol 1/2 frame (<c>response</c>, <c>error</c>), whose body is the
    /// frame without its envelope fields and so is built anew.
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public ReadOnlySpan<byte> Utf8Data
    {
        get
        {
            var payload = Bytes();
            return Read(_item.Shape, static (bytes, shape) => EventBody.Locate(bytes, shape)) is { } body
                ? payload.Slice(body.Start, body.Length)
                : Read(0, static (bytes, _) => EventBody.WithoutEnvelope(bytes));
        }
    }

    /// <summary>
    /// Deserializes the event's body (<see cref="Utf8Data"/>) with a source-generated <paramref name="typeInfo"/>, straight
    /// from the batch's buffer: trimming- and AOT-safe. For the PraisonAI events, see <see cref="PraisonAIJsonContext"/>.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">The body does not match <typeparamref name="T"/>; the message names the event's type and sequence.</exception>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the read).</exception>
    public T GetData<T>(JsonTypeInfo<T> typeInfo)
    {
        Guard.NotNull(typeInfo);
        return Read(
            (TypeInfo: typeInfo, Item: _item),
            static (bytes, state) =>
            {
                var item = state.Item;
                var data = EventBody.Locate(bytes, item.Shape) is { } body ? bytes.Slice(body.Start, body.Length) : EventBody.WithoutEnvelope(bytes);
                return GatewayEvent.DeserializeData(data, state.TypeInfo, item.Type, item.Sequence, item.IsReplay);
            });
    }

    /// <summary>A <see cref="GatewayEvent"/> with its own copy of the bytes, safe to keep after the batch is released.</summary>
    /// <exception cref="InvalidOperationException">The batch was released (before or during the copy).</exception>
    public GatewayEvent ToEvent() => Read(_item, static (bytes, item) => new GatewayEvent(item.Type, item.Sequence, item.IsReplay, bytes.ToArray(), item.Shape));

    /// <inheritdoc />
    public override string ToString() => GatewayEvent.Describe(Type, Sequence, IsReplay);

    /// <summary>
    /// Reads the event's bytes with <paramref name="read"/> and vouches for what it read: when the batch is released before
    /// or during the read (on another thread), it throws <see cref="InvalidOperationException"/> instead, whatever the read
    /// returned or threw, because the buffer may hold another event's bytes by then. Every accessor that returns more than
    /// a span goes through here.
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

    /// <summary>The event's bytes in the batch's buffer, while the batch is current.</summary>
    private ReadOnlySpan<byte> Bytes()
    {
        // The buffer first, then the check: a release moves the batch on before it lets go of any buffer (see
        // GatewayEventBatch.Release), so a batch still current after the buffer was read means it was still this event's.
        // The other way round, a release between the two leaves an empty or reused array, never the event's.
        var array = _item.Slab?.Array;
        if (!IsAvailable)
        {
            throw Released();
        }

        return _item.PayloadIn(array!);
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

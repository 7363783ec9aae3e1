using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Engine;

namespace Gateway.Client;

/// <summary>
/// One event of a <see cref="GatewayEventBatch"/>, read where it was received: no copy, no allocation. Its
/// <see cref="Type"/>, <see cref="Sequence"/> and <see cref="IsReplay"/> are its own; its bytes are the batch's and
/// valid only until the batch is released (when the enumeration moves on). After that, reading them throws
/// <see cref="InvalidOperationException"/>; <see cref="ToEvent"/> makes a <see cref="GatewayEvent"/> to keep.
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

    /// <summary>The frame's <c>type</c> (see <see cref="GatewayEvent.Type"/>).</summary>
    public string Type => _item.IsEvent ? _item.Type : string.Empty;

    /// <summary>The per-session sequence number, or <see langword="null"/> when the event is unnumbered.</summary>
    public long? Sequence => _item.Sequence;

    /// <summary>Whether the event was replayed by the server after a resume rather than sent live.</summary>
    public bool IsReplay => _item.IsReplay;

    /// <summary>Whether the event's bytes can still be read: its batch has not been released.</summary>
    public bool IsAvailable => _batch is not null && _batch.IsCurrent(_version);

    /// <summary>The unwrapped frame as UTF-8 JSON (see <see cref="GatewayEvent.Utf8Payload"/>), in the batch's buffer.</summary>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public ReadOnlySpan<byte> Utf8Payload
    {
        get
        {
            ThrowIfReleased();
            return _item.Payload;
        }
    }

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
            var payload = Utf8Payload;
            return EventBody.Locate(payload, _item.Shape) is { } body
                ? payload.Slice(body.Start, body.Length)
                : EventBody.WithoutEnvelope(payload);
        }
    }

    /// <summary>
    /// Deserializes the event's body (<see cref="Utf8Data"/>) with a source-generated <paramref name="typeInfo"/>, straight
    /// from the batch's buffer: trimming- and AOT-safe. For the PraisonAI events, see <see cref="GatewayJsonContext"/>.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">The body does not match <typeparamref name="T"/>; the message names the event's type and sequence.</exception>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public T GetData<T>(JsonTypeInfo<T> typeInfo)
    {
        Guard.NotNull(typeInfo);
        return GatewayEvent.DeserializeData(Utf8Data, typeInfo, Type, Sequence, IsReplay);
    }

    /// <summary>A <see cref="GatewayEvent"/> with its own copy of the bytes, safe to keep after the batch is released.</summary>
    /// <exception cref="InvalidOperationException">The batch was released.</exception>
    public GatewayEvent ToEvent()
    {
        ThrowIfReleased();
        return _item.ToGatewayEvent();
    }

    /// <inheritdoc />
    public override string ToString() => GatewayEvent.Describe(Type, Sequence, IsReplay);

    private void ThrowIfReleased()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException(
                $"The bytes of event {this} are gone: its batch was released when the enumeration moved on. Call ToEvent() while the batch is current to keep an event.");
        }
    }
}

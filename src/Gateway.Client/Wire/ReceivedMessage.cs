using System.Net.WebSockets;

namespace Gateway.Client.Wire;

/// <summary>The outcome of reading one whole WebSocket message: where its bytes lie, or the close frame.</summary>
internal readonly struct ReceivedMessage
{
    private ReceivedMessage(WebSocketMessageType type, PayloadSlab? slab, int offset, int count, WebSocketCloseStatus? closeStatus, string? closeDescription)
    {
        Type = type;
        Slab = slab;
        Offset = offset;
        Count = count;
        CloseStatus = closeStatus;
        CloseDescription = closeDescription;
    }

    public WebSocketMessageType Type { get; }

    /// <summary>The slab holding the message (null for a close).</summary>
    public PayloadSlab? Slab { get; }

    /// <summary>Where the message starts in <see cref="Slab"/>.</summary>
    public int Offset { get; }

    /// <summary>Bytes of the message.</summary>
    public int Count { get; }

    public WebSocketCloseStatus? CloseStatus { get; }

    public string? CloseDescription { get; }

    public bool IsClose => Type == WebSocketMessageType.Close;

    /// <summary>The message's bytes (empty for a close).</summary>
    public ReadOnlySpan<byte> Span => Slab is null ? default : Slab.Array.AsSpan(Offset, Count);

    public static ReceivedMessage Data(WebSocketMessageType type, PayloadSlab slab, int offset, int count) => new(type, slab, offset, count, null, null);

    public static ReceivedMessage Close(WebSocketCloseStatus? status, string? description) =>
        new(WebSocketMessageType.Close, null, 0, 0, status, description);
}

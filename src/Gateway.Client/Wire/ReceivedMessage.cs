using System.Net.WebSockets;

namespace Gateway.Client.Wire;

/// <summary>The outcome of reading one whole WebSocket message.</summary>
internal readonly struct ReceivedMessage
{
    private ReceivedMessage(WebSocketMessageType type, int count, WebSocketCloseStatus? closeStatus, string? closeDescription)
    {
        Type = type;
        Count = count;
        CloseStatus = closeStatus;
        CloseDescription = closeDescription;
    }

    public WebSocketMessageType Type { get; }

    /// <summary>Bytes of the message now at the start of the buffer.</summary>
    public int Count { get; }

    public WebSocketCloseStatus? CloseStatus { get; }

    public string? CloseDescription { get; }

    public bool IsClose => Type == WebSocketMessageType.Close;

    public static ReceivedMessage Data(WebSocketMessageType type, int count) => new(type, count, null, null);

    public static ReceivedMessage Close(WebSocketCloseStatus? status, string? description) =>
        new(WebSocketMessageType.Close, 0, status, description);
}

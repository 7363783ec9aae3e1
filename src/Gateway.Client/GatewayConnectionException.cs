using System.Net.WebSockets;

namespace Gateway.Client;

/// <summary>The connection could not be opened, or it was closed or lost.</summary>
public sealed class GatewayConnectionException : GatewayException
{
    /// <summary>Creates a connection error.</summary>
    /// <param name="message">A message for people; it never contains the token.</param>
    /// <param name="closeStatus">The WebSocket close code, when the server closed the connection.</param>
    /// <param name="closeDescription">The close reason the server gave, if any.</param>
    /// <param name="innerException">The transport error, if any.</param>
    public GatewayConnectionException(
        string message,
        WebSocketCloseStatus? closeStatus = null,
        string? closeDescription = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        CloseStatus = closeStatus;
        CloseDescription = closeDescription;
    }

    /// <summary>The close code the server sent (for example 4002 for a liveness timeout), if it closed the connection.</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>The close reason the server sent, if any.</summary>
    public string? CloseDescription { get; }
}

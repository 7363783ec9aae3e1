using System.Net.WebSockets;

namespace Gateway.Client.Engine;

/// <summary>Why a connection ended, as the supervisor needs it to decide what comes next.</summary>
internal sealed class ConnectionEnd
{
    public ConnectionEnd(ConnectionEndKind kind, WebSocketCloseStatus? closeStatus = null, string? closeDescription = null, Exception? error = null)
    {
        Kind = kind;
        CloseStatus = closeStatus;
        CloseDescription = closeDescription;
        Error = error;
    }

    public ConnectionEndKind Kind { get; }

    public WebSocketCloseStatus? CloseStatus { get; }

    public string? CloseDescription { get; }

    public Exception? Error { get; }

    public override string ToString() => Kind switch
    {
        ConnectionEndKind.ClosedByServer => $"closed by the server with {(int?)CloseStatus} {CloseDescription}".TrimEnd(),
        ConnectionEndKind.ClosedByClient => "closed by the client",
        ConnectionEndKind.MessageTooLarge => "an inbound message exceeded the receive limit (closed with 1009)",
        _ => $"connection lost ({Error?.GetType().Name}: {Error?.Message})",
    };

    public GatewayConnectionException ToException() => new(
        "The gateway connection ended: " + this,
        CloseStatus,
        CloseDescription,
        Error);
}

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

    /// <summary>How long the connection was up (from the handshake to its end), on the client's clock: only a healthy one resets the backoff.</summary>
    public TimeSpan ConnectedFor { get; set; }

    /// <summary>A resync asked for a fresh handshake of the session (and closed this connection for it): the next attempt follows at once.</summary>
    public bool FreshHandshakeNext { get; set; }

    /// <summary>Why the client is leaving its session for a new one, when it is (<see cref="SessionSwitch"/>): the next handshake asks for none, at once.</summary>
    public GatewayConnectionException? SessionSwitchNext { get; set; }

    /// <summary>What the server announced on the connection before it ended (a drain, a restart); none when it never ran.</summary>
    public ServerNotices Notices { get; set; }

    public override string ToString() => Kind switch
    {
        ConnectionEndKind.ClosedByServer => $"closed by the server with {(int?)CloseStatus} {CloseDescription}".TrimEnd(),
        ConnectionEndKind.ClosedByClient => "closed by the client",
        ConnectionEndKind.MessageTooLarge => "an inbound message exceeded the receive limit (closed with 1009)",
        ConnectionEndKind.UnreadableFrame => "the gateway sent a frame the WebSocket could not read (invalid UTF-8 or a framing violation; closed with 1007)",
        _ => $"connection lost ({Error?.GetType().Name}: {Error?.Message})",
    };

    public GatewayConnectionException ToException() => new(
        "The gateway connection ended: " + this,
        Kind == ConnectionEndKind.UnreadableFrame ? WebSocketCloseStatus.InvalidPayloadData : CloseStatus,
        CloseDescription,
        Error);
}

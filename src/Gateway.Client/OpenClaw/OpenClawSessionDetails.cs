namespace Gateway.Client.OpenClaw;

/// <summary>
/// What an OpenClaw <c>hello-ok</c> said about the server (<see cref="GatewaySession.Details"/>). Tests make one with
/// <see cref="GatewayModelFactory.OpenClawSessionDetails"/>.
/// </summary>
public sealed class OpenClawSessionDetails : DialectSessionDetails
{
    /// <summary>Creates the details.</summary>
    /// <param name="serverBootId">The server process's boot id (<c>server.bootId</c>), when it sent one.</param>
    /// <param name="connectionId">The connection's id (<c>server.connId</c>), when it sent one.</param>
    /// <param name="serverVersion">The server's version (<c>server.version</c>), when it sent one.</param>
    internal OpenClawSessionDetails(string? serverBootId, string? connectionId, string? serverVersion)
    {
        ServerBootId = serverBootId;
        ConnectionId = connectionId;
        ServerVersion = serverVersion;
    }

    /// <summary>The server process's boot id; it changes when the server restarts.</summary>
    public string? ServerBootId { get; }

    /// <summary>The connection's id; OpenClaw has no sessions, so it is also <see cref="GatewaySession.SessionId"/>.</summary>
    public string? ConnectionId { get; }

    /// <summary>The server's version.</summary>
    public string? ServerVersion { get; }
}

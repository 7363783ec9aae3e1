namespace Gateway.Client.Dialects;

/// <summary>How a dialect finds out that a connection is dead (docs/protocol.md, "Liveness").</summary>
internal enum LivenessStyle
{
    /// <summary>
    /// The client pings every heartbeat interval (<see cref="IDialect.WritePing"/>) and the server answers;
    /// a connection silent for two intervals is dead.
    /// </summary>
    ClientPing,

    /// <summary>The server's own periodic events are the heartbeat (OpenClaw's <c>tick</c>); a connection silent for two intervals is dead.</summary>
    ServerHeartbeat,

    /// <summary>
    /// The protocol has no heartbeat of its own and may be silent for long: the WebSocket's keep-alive
    /// pings, with a timeout, find a dead peer (<c>ClientWebSocketOptions.KeepAliveTimeout</c>, .NET 9 and later: a dialect
    /// chooses this style only in builds that have it).
    /// </summary>
    SocketKeepAlive,
}

namespace Gateway.Client.Engine;

/// <summary>How a connection's receive loop ended.</summary>
internal enum ConnectionEndKind
{
    /// <summary>The server sent a close frame.</summary>
    ClosedByServer,

    /// <summary>The client closed or aborted it (disconnect, dispose).</summary>
    ClosedByClient,

    /// <summary>The transport failed without a close frame (reset, abrupt drop, truncated frame).</summary>
    Lost,

    /// <summary>An inbound message exceeded the client's receive limit; the client closed with 1009.</summary>
    MessageTooLarge,
}

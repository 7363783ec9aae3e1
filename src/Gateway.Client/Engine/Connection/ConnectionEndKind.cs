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

    /// <summary>
    /// The client's WebSocket rejected a frame it could not read (a text frame that is not UTF-8, or a
    /// framing violation) and closed with 1007 before the SDK saw the frame.
    /// </summary>
    UnreadableFrame,
}

namespace Gateway.Client;

/// <summary>Why a range of numbered events can no longer be delivered.</summary>
public enum GapReason
{
    /// <summary>An event arrived with a number higher than the next expected one.</summary>
    SequenceJump,

    /// <summary>The server's replay window no longer holds the events the client missed.</summary>
    ReplayWindowExceeded,

    /// <summary>The server no longer knew the session and started a new, empty one.</summary>
    SessionLost,

    /// <summary>The server's numbering went back or its history changed (a new epoch).</summary>
    ServerReset,

    /// <summary>The client dropped events because the consumer fell behind (drop-oldest backpressure).</summary>
    ConsumerOverflow,

    /// <summary>
    /// A new connection to a server whose protocol cannot replay what was missed (OpenClaw numbers events
    /// per connection): the app must re-read its state. Reported on every reconnect.
    /// </summary>
    ReplayUnsupported,

    /// <summary>
    /// The event with this number could not be read, again and again (for example its frame is not valid
    /// UTF-8, which the WebSocket rejects with 1007 before the SDK sees it): after
    /// <see cref="ReconnectOptions.MaxResumesWithoutProgress"/> resumes that ended on it, the client skipped
    /// it and resumed after it. The event is lost; the stream goes on.
    /// </summary>
    Undeliverable,

    /// <summary>
    /// The client left a session that could no longer run agent turns (a turn lost to a drop on a dialect that cannot
    /// resume it, or a queue that never moved) and went on in a new one (<see cref="GatewayTurnOptions.NewSessionWhenStuck"/>):
    /// what the old session sends from here on is never received.
    /// </summary>
    SessionAbandoned,
}

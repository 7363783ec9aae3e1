namespace Gateway.Client;

/// <summary>
/// A point-in-time snapshot of what the client has received, delivered and skipped. Every frame the
/// client does not deliver is counted here and logged.
/// </summary>
/// <param name="Connections">Successful handshakes.</param>
/// <param name="EventsReceived">Events accepted into the buffer (live and replayed, duplicates excluded).</param>
/// <param name="EventsReplayed">Of those, events that came from the server's replay.</param>
/// <param name="EventsDelivered">Events handed to the consumer.</param>
/// <param name="DuplicatesDropped">Numbered events dropped because their number was already accepted.</param>
/// <param name="Gaps">Gaps detected.</param>
/// <param name="MalformedFramesSkipped">Frames that broke the contract (not JSON, no type, a bad seq, …).</param>
/// <param name="NonTextFramesSkipped">Binary frames (the protocol uses text frames only).</param>
/// <param name="LateHandshakeFramesSkipped">Handshake answers that arrived after the handshake.</param>
/// <param name="UnmatchedResponsesSkipped">Responses to no pending request.</param>
/// <param name="EventsDropped">Events dropped because the consumer fell behind (<see cref="BackpressureMode.DropOldest"/>); numbered ones are reported as gaps.</param>
/// <param name="Reconnects">Successful handshakes after the first one of a run (failed attempts are in <see cref="FailedAttempts"/>).</param>
public readonly record struct GatewayClientStatistics(
    long Connections,
    long EventsReceived,
    long EventsReplayed,
    long EventsDelivered,
    long DuplicatesDropped,
    long Gaps,
    long MalformedFramesSkipped,
    long NonTextFramesSkipped,
    long LateHandshakeFramesSkipped,
    long UnmatchedResponsesSkipped,
    long EventsDropped,
    long Reconnects)
{
    /// <summary>Connection attempts (socket plus handshake), successful or not.</summary>
    public long ConnectAttempts { get; init; }

    /// <summary>Connection attempts that failed (the socket did not open, the upgrade was refused, the handshake failed or timed out).</summary>
    public long FailedAttempts { get; init; }

    /// <summary>Numbers from the server outside the bounds the client accepts (a heartbeat, a retry-after), clamped before use.</summary>
    public long ServerValuesClamped { get; init; }

    /// <summary>Inbound messages over <see cref="GatewayClientOptions.MaxReceiveMessageBytes"/>, during a handshake or after it (each closes its connection with 1009 and stops the client).</summary>
    public long OversizedMessages { get; init; }

    /// <summary>Frames that arrived before the handshake's answer (an event before the session exists, say), skipped and logged.</summary>
    public long EarlyFramesSkipped { get; init; }

    /// <summary>Frames the dialect re-sent on a new connection to restore per-connection state (subscriptions, say) before the app's frames.</summary>
    public long SessionRestoreFramesSent { get; init; }

    /// <summary>
    /// Numbered events not delivered because a resync snapshot the app already has covers them (they were neither
    /// lost nor duplicates: the snapshot holds their effect). Not counted in <see cref="DuplicatesDropped"/>.
    /// </summary>
    public long CoveredByResync { get; init; }
}

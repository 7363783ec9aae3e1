namespace Gateway.Client;

/// <summary>
/// A point-in-time snapshot of what the client has received, delivered and skipped (<see cref="GatewayClient.Statistics"/>).
/// Every frame the client does not deliver is counted here and logged. Tests make one with
/// <see cref="GatewayModelFactory.GatewayClientStatistics"/>.
/// </summary>
public sealed class GatewayClientStatistics
{
    internal GatewayClientStatistics()
    {
    }

    /// <summary>Successful handshakes.</summary>
    public long Connections { get; internal init; }

    /// <summary>Events accepted into the buffer (live and replayed, duplicates excluded).</summary>
    public long EventsReceived { get; internal init; }

    /// <summary>Of those, events that came from the server's replay.</summary>
    public long EventsReplayed { get; internal init; }

    /// <summary>Events handed to the consumer.</summary>
    public long EventsDelivered { get; internal init; }

    /// <summary>Numbered events dropped because their number was already accepted.</summary>
    public long DuplicatesDropped { get; internal init; }

    /// <summary>Gaps detected.</summary>
    public long Gaps { get; internal init; }

    /// <summary>Frames that broke the contract (not JSON, no type, a bad seq, …).</summary>
    public long MalformedFramesSkipped { get; internal init; }

    /// <summary>Binary frames (the protocol uses text frames only).</summary>
    public long NonTextFramesSkipped { get; internal init; }

    /// <summary>Handshake answers that arrived after the handshake.</summary>
    public long LateHandshakeFramesSkipped { get; internal init; }

    /// <summary>Responses to no pending request.</summary>
    public long UnmatchedResponsesSkipped { get; internal init; }

    /// <summary>Events dropped because the consumer fell behind (<see cref="BackpressureMode.DropOldest"/>); numbered ones are reported as gaps.</summary>
    public long EventsDropped { get; internal init; }

    /// <summary>Successful handshakes after the first one of a run (failed attempts are in <see cref="FailedAttempts"/>).</summary>
    public long Reconnects { get; internal init; }

    /// <summary>Connection attempts (socket plus handshake), successful or not.</summary>
    public long ConnectAttempts { get; internal init; }

    /// <summary>Connection attempts that failed (the socket did not open, the upgrade was refused, the handshake failed or timed out).</summary>
    public long FailedAttempts { get; internal init; }

    /// <summary>Numbers from the server outside the bounds the client accepts (a heartbeat, a retry-after), clamped before use.</summary>
    public long ServerValuesClamped { get; internal init; }

    /// <summary>Inbound messages over <see cref="GatewayClientOptions.MaxReceiveMessageBytes"/>, during a handshake or after it (each closes its connection with 1009 and stops the client).</summary>
    public long OversizedMessages { get; internal init; }

    /// <summary>Frames that arrived before the handshake's answer (an event before the session exists, say), skipped and logged.</summary>
    public long EarlyFramesSkipped { get; internal init; }

    /// <summary>Frames the dialect re-sent on a new connection to restore per-connection state (subscriptions, say) before the app's frames.</summary>
    public long SessionRestoreFramesSent { get; internal init; }

    /// <summary>
    /// Numbered events not delivered because a resync snapshot the app already has covers them (they were neither
    /// lost nor duplicates: the snapshot holds their effect). Not counted in <see cref="DuplicatesDropped"/>.
    /// </summary>
    public long CoveredByResync { get; internal init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Connections} connections ({Reconnects} reconnects, {FailedAttempts} of {ConnectAttempts} attempts failed), {EventsReceived} events received " +
        $"({EventsReplayed} replayed), {EventsDelivered} delivered, {DuplicatesDropped} duplicates, {Gaps} gaps, {EventsDropped} dropped, " +
        $"{CoveredByResync} covered by resync, {MalformedFramesSkipped + NonTextFramesSkipped + LateHandshakeFramesSkipped + UnmatchedResponsesSkipped + EarlyFramesSkipped} frames skipped";
}

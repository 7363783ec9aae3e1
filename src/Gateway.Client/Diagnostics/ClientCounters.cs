namespace Gateway.Client.Diagnostics;

/// <summary>
/// Counters behind <see cref="GatewayClientStatistics"/>. The per-event ones have a single writer each
/// (the receive loop, or the consumer), so they are bumped with a volatile write rather than an
/// interlocked one, which would cost a bus lock per event; readers see a value at most one event old.
/// </summary>
internal sealed class ClientCounters
{
    public ClientCounters(ClientTelemetry telemetry)
    {
        Telemetry = telemetry;
    }

    /// <summary>The same counts (and more) as metrics, for OpenTelemetry.</summary>
    public ClientTelemetry Telemetry { get; }

    private long _eventsDelivered;
    private long _eventsReceived;
    private long _eventsReplayed;
    private long _duplicatesDropped;
    private long _malformedFramesSkipped;
    private long _nonTextFramesSkipped;
    private long _lateHandshakeFramesSkipped;
    private long _unmatchedResponsesSkipped;
    private long _gaps;
    private long _connections;
    private long _eventsDropped;
    private long _reconnects;
    private long _connectAttempts;
    private long _failedAttempts;
    private long _serverValuesClamped;
    private long _oversizedMessages;
    private long _earlyFramesSkipped;
    private long _sessionRestoreFramesSent;
    private long _coveredByResync;

    /// <summary>Receive loop only.</summary>
    public void EventReceived(bool replay)
    {
        Volatile.Write(ref _eventsReceived, _eventsReceived + 1);
        if (replay)
        {
            Volatile.Write(ref _eventsReplayed, _eventsReplayed + 1);
        }

        Telemetry.EventReceived(replay);
    }

    /// <summary>The consumer only.</summary>
    public void EventsDelivered(int count)
    {
        Volatile.Write(ref _eventsDelivered, _eventsDelivered + count);
        Telemetry.EventsDelivered(count);
    }

    public void DuplicateDropped()
    {
        Interlocked.Increment(ref _duplicatesDropped);
        Telemetry.DuplicateDropped();
    }

    public void MalformedFrameSkipped()
    {
        Interlocked.Increment(ref _malformedFramesSkipped);
        Telemetry.FrameSkipped("malformed");
    }

    public void NonTextFrameSkipped() => NonTextFramesSkipped(1);

    public void NonTextFramesSkipped(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _nonTextFramesSkipped, count);
            Telemetry.FrameSkipped("non_text", count);
        }
    }

    public void LateHandshakeFrameSkipped()
    {
        Interlocked.Increment(ref _lateHandshakeFramesSkipped);
        Telemetry.FrameSkipped("late_handshake");
    }

    public void UnmatchedResponseSkipped()
    {
        Interlocked.Increment(ref _unmatchedResponsesSkipped);
        Telemetry.FrameSkipped("unmatched_response");
    }

    /// <summary>A new hole reported to the consumer.</summary>
    public void GapDetected(GapInfo gap)
    {
        Interlocked.Increment(ref _gaps);
        Telemetry.Gap(gap.Reason, gap.MissingCount);
    }

    /// <summary>One more event inside an overflow hole already reported (its notice was widened).</summary>
    public void OverflowGapWidened() => Telemetry.GapGrew(GapReason.ConsumerOverflow);

    public void Connected() => Interlocked.Increment(ref _connections);

    public void EventDropped()
    {
        Interlocked.Increment(ref _eventsDropped);
        Telemetry.EventDropped();
    }

    public void Reconnected()
    {
        Interlocked.Increment(ref _reconnects);
        Telemetry.Reconnected();
    }

    /// <summary>One connect attempt ended; also the <c>gateway.client.connect.attempts</c> metric.</summary>
    public void ConnectAttempted(bool reconnect, bool succeeded)
    {
        Telemetry.ConnectAttempt(reconnect, succeeded);
        Interlocked.Increment(ref _connectAttempts);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failedAttempts);
        }
    }

    public void ServerValueClamped() => Interlocked.Increment(ref _serverValuesClamped);

    public void OversizedMessage() => Interlocked.Increment(ref _oversizedMessages);

    public void EarlyFramesSkipped(int count) => Interlocked.Add(ref _earlyFramesSkipped, count);

    public void CoveredByResync() => Interlocked.Increment(ref _coveredByResync);

    public void SessionRestored(int frames) => Interlocked.Add(ref _sessionRestoreFramesSent, frames);

    public GatewayClientStatistics Snapshot() => new()
    {
        Connections = Interlocked.Read(ref _connections),
        EventsReceived = Interlocked.Read(ref _eventsReceived),
        EventsReplayed = Interlocked.Read(ref _eventsReplayed),
        EventsDelivered = Interlocked.Read(ref _eventsDelivered),
        DuplicatesDropped = Interlocked.Read(ref _duplicatesDropped),
        Gaps = Interlocked.Read(ref _gaps),
        MalformedFramesSkipped = Interlocked.Read(ref _malformedFramesSkipped),
        NonTextFramesSkipped = Interlocked.Read(ref _nonTextFramesSkipped),
        LateHandshakeFramesSkipped = Interlocked.Read(ref _lateHandshakeFramesSkipped),
        UnmatchedResponsesSkipped = Interlocked.Read(ref _unmatchedResponsesSkipped),
        EventsDropped = Interlocked.Read(ref _eventsDropped),
        Reconnects = Interlocked.Read(ref _reconnects),
        ConnectAttempts = Interlocked.Read(ref _connectAttempts),
        FailedAttempts = Interlocked.Read(ref _failedAttempts),
        ServerValuesClamped = Interlocked.Read(ref _serverValuesClamped),
        OversizedMessages = Interlocked.Read(ref _oversizedMessages),
        EarlyFramesSkipped = Interlocked.Read(ref _earlyFramesSkipped),
        SessionRestoreFramesSent = Interlocked.Read(ref _sessionRestoreFramesSent),
        CoveredByResync = Interlocked.Read(ref _coveredByResync),
    };
}

namespace Gateway.Client;

/// <summary>
/// How a successful handshake continued the event stream: fresh, resumed with replay, resumed with a gap, or lost.
/// Tests make one with <see cref="GatewayModelFactory.ContinuityReport"/>.
/// </summary>
public sealed class ContinuityReport
{
    /// <summary>Creates a report.</summary>
    internal ContinuityReport(ContinuityOutcome outcome, long? replayFrom, long? replayTo, GapInfo? gap)
    {
        Outcome = outcome;
        ReplayFrom = replayFrom;
        ReplayTo = replayTo;
        Gap = gap;
    }

    /// <summary>What the handshake meant for the stream.</summary>
    public ContinuityOutcome Outcome { get; }

    /// <summary>The first number the server replays, when it replays anything.</summary>
    public long? ReplayFrom { get; }

    /// <summary>The last number the server replays (its head at handshake time); the replay is complete once it is delivered.</summary>
    public long? ReplayTo { get; }

    /// <summary>How many events the server replays.</summary>
    public long ReplayCount => ReplayFrom is { } from && ReplayTo is { } to && to >= from ? to - from + 1 : 0;

    /// <summary>The hole the handshake revealed, if any; it is also reported through <see cref="GatewayClient.OnGap"/>.</summary>
    public GapInfo? Gap { get; }

    /// <inheritdoc />
    public override string ToString() => Outcome switch
    {
        ContinuityOutcome.Fresh => "fresh session",
        ContinuityOutcome.Resumed => ReplayCount > 0 ? $"resumed; the server replays {ReplayFrom}..{ReplayTo} ({ReplayCount} events)" : "resumed, nothing missed",
        ContinuityOutcome.ResumedWithGap => $"resumed with a gap ({Gap}); the server replays {ReplayCount} events after it (skipped as covered if OnGap resyncs)",
        ContinuityOutcome.NotResumable => $"reconnected; the server cannot replay: re-read state ({Gap})",
        _ => $"session lost ({Gap})",
    };
}

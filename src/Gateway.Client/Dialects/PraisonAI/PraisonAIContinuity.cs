namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// Continuity for protocols 1 and 2 (docs/protocol.md, "Numbering, duplicates and gaps"): a resume replays what came after <c>since</c>;
/// a lost session, a server reset, a new epoch, an evicted window and a legacy <c>resync_required</c>
/// are each one gap with its exact range, after which numbering is re-based so the same hole is never
/// reported twice.
/// </summary>
internal static class PraisonAIContinuity
{
    public static ContinuityDecision Decide(ContinuityInput input)
    {
        var session = input.Result.Session;
        var epoch = session.Epoch ?? input.Epoch;

        // A fresh connection asked for no history: the server's head is where the stream starts.
        if (input.SentSince is not { } since)
        {
            var same = input.RequestedSessionId is null || string.Equals(input.RequestedSessionId, session.SessionId, StringComparison.Ordinal);
            return new ContinuityDecision(null, session.HeadSequence, epoch, new ContinuityReport(session.Resumed && same ? ContinuityOutcome.Resumed : ContinuityOutcome.Fresh, null, null, null));
        }

        // Another session answered the resume (even one claiming resumed): its numbers are not ours to continue.
        if (!session.Resumed || (input.RequestedSessionId is { } asked && !string.Equals(asked, session.SessionId, StringComparison.Ordinal)))
        {
            var lost = new GapInfo(since + 1, null, GapReason.SessionLost);
            return new ContinuityDecision(lost, session.HeadSequence, epoch, new ContinuityReport(ContinuityOutcome.SessionLost, null, null, lost));
        }

        if (session.HeadSequence < since)
        {
            return WithGap(new GapInfo(since + 1, null, GapReason.ServerReset), session.HeadSequence, epoch, session);
        }

        if (input.Epoch is not null && session.Epoch is not null && session.Epoch != input.Epoch)
        {
            // The numbers after 'since' now belong to another history; what the server replays from
            // here on is new to the client, what the old history held after 'since' is gone. The
            // replay starts at the new window's oldest number: this one report covers the hole
            // before it too, so it must not come back as a jump.
            var last = session.OldestSequence is { } newOldest && newOldest - 1 > since ? Math.Min(newOldest - 1, session.HeadSequence) : since;
            return WithGap(new GapInfo(since + 1, null, GapReason.ServerReset), last, epoch, session);
        }

        if (input.Result.ResyncRequired && session.HeadSequence > since)
        {
            // Legacy servers say only that they cannot replay; the stream continues after their head.
            return WithGap(new GapInfo(since + 1, session.HeadSequence + 1, GapReason.ReplayWindowExceeded), session.HeadSequence, epoch, session);
        }

        if (session.OldestSequence is { } oldest && oldest > since + 1)
        {
            return WithGap(new GapInfo(since + 1, oldest, GapReason.ReplayWindowExceeded), oldest - 1, epoch, session);
        }

        var replay = session.HeadSequence > since ? new ContinuityReport(ContinuityOutcome.Resumed, since + 1, session.HeadSequence, null) : new ContinuityReport(ContinuityOutcome.Resumed, null, null, null);
        return new ContinuityDecision(null, since, epoch, replay);
    }

    private static ContinuityDecision WithGap(GapInfo gap, long last, string? epoch, GatewaySession session)
    {
        var to = session.HeadSequence;
        var report = to > last
            ? new ContinuityReport(ContinuityOutcome.ResumedWithGap, last + 1, to, gap)
            : new ContinuityReport(ContinuityOutcome.ResumedWithGap, null, null, gap);
        return new ContinuityDecision(gap, last, epoch, report);
    }
}

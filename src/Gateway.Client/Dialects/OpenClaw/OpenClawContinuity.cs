namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>
/// OpenClaw numbers events per connection (from 1 on every socket) and cannot replay: the first
/// connection is a fresh start, and every later one is a continuity break the app must hear about, in
/// stream order, before the new connection's first event.
/// </summary>
internal static class OpenClawContinuity
{
    public static ContinuityDecision Decide(ContinuityInput input)
    {
        if (input.Last is not { } last)
        {
            return new ContinuityDecision(null, 0, null, new ContinuityReport(ContinuityOutcome.Fresh, null, null, null));
        }

        var gap = new GapInfo(last + 1, null, GapReason.ReplayUnsupported);
        return new ContinuityDecision(gap, 0, null, new ContinuityReport(ContinuityOutcome.NotResumable, null, null, gap));
    }
}

namespace Dashboard;

/// <summary>One gap as OnGap reported it, in stream order.</summary>
public sealed record GapRow(GapReason Reason, long Expected, long? Received, string Text)
{
    /// <summary>The row for <paramref name="gap"/>.</summary>
    public static GapRow From(GapInfo gap) => new(gap.Reason, gap.Expected, gap.Received, gap.ToString());
}

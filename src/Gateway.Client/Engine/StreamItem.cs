namespace Gateway.Client.Engine;

/// <summary>
/// One entry of the event stream: an event; a gap notice placed exactly where the hole is, so the
/// consumer meets it in stream order; or the end of a run (disconnect, terminal failure).
/// </summary>
internal readonly struct StreamItem
{
    private StreamItem(GatewayEvent? gatewayEvent, GapInfo? gap, long cursorAfterGap, int endOfRun, Exception? runError)
    {
        Event = gatewayEvent;
        Gap = gap;
        CursorAfterGap = cursorAfterGap;
        EndOfRun = endOfRun;
        RunError = runError;
    }

    public GatewayEvent? Event { get; }

    public GapInfo? Gap { get; }

    /// <summary>For a gap: the cursor once the consumer has handled it (the numbering may have been re-based).</summary>
    public long CursorAfterGap { get; }

    /// <summary>For an end marker: the run that ended (positive); 0 otherwise.</summary>
    public int EndOfRun { get; }

    /// <summary>For an end marker: why the run ended, when it failed.</summary>
    public Exception? RunError { get; }

    public static StreamItem ForEvent(GatewayEvent gatewayEvent) => new(gatewayEvent, null, 0, 0, null);

    public static StreamItem ForGap(GapInfo gap, long cursorAfterGap) => new(null, gap, cursorAfterGap, 0, null);

    public static StreamItem ForEndOfRun(int run, Exception? error) => new(null, null, 0, run, error);
}

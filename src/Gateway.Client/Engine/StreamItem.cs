namespace Gateway.Client.Engine;

/// <summary>
/// One entry of the event buffer: an event, or a gap notice placed exactly where the hole is, so the
/// consumer meets it in stream order.
/// </summary>
internal readonly struct StreamItem
{
    private StreamItem(GatewayEvent? gatewayEvent, GapInfo? gap, long cursorAfterGap)
    {
        Event = gatewayEvent;
        Gap = gap;
        CursorAfterGap = cursorAfterGap;
    }

    public GatewayEvent? Event { get; }

    public GapInfo? Gap { get; }

    /// <summary>For a gap: the cursor once the consumer has handled it (the numbering may have been re-based).</summary>
    public long CursorAfterGap { get; }

    public static StreamItem ForEvent(GatewayEvent gatewayEvent) => new(gatewayEvent, null, 0);

    public static StreamItem ForGap(GapInfo gap, long cursorAfterGap) => new(null, gap, cursorAfterGap);
}

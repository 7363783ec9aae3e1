using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>
/// One entry of the event stream: an event; a gap notice placed exactly where the hole is, so the
/// consumer meets it in stream order; or the end of a run (disconnect, terminal failure).
/// <para>An event's bytes stay where the receive loop read them: the item holds their slab (one
/// <see cref="PayloadSlab.Hold"/>) until the consumer has taken them or the event is dropped, and whoever
/// takes the item out of the stream for good releases it (<see cref="ReleasePayload"/>).</para>
/// </summary>
internal readonly struct StreamItem
{
    // Kept small: the buffer holds up to its capacity of these. One field serves each role per kind.
    private readonly PayloadSlab? _slab;
    private readonly string? _type;
    private readonly object? _notice; // an event's EventContext, a gap's GapInfo, or an end's Exception
    private readonly long _number; // an event's sequence, or for an unnumbered one minus the last number before it (see ResumeSequence); a gap's sequence after it
    private readonly int _offset; // an event's payload offset; an end's run
    private readonly int _length;
    private readonly bool _isReplay;
    private readonly EventBodyShape _shape;

    private StreamItem(PayloadSlab? slab, string? type, object? notice, long number, int offset, int length, bool isReplay, EventBodyShape shape)
    {
        _slab = slab;
        _type = type;
        _notice = notice;
        _number = number;
        _offset = offset;
        _length = length;
        _isReplay = isReplay;
        _shape = shape;
    }

    public bool IsEvent => _slab is not null;

    /// <summary>For an event: its type.</summary>
    public string Type => _type!;

    /// <summary>For an event: its sequence number, or null when unnumbered.</summary>
    public long? Sequence => IsEvent && _number > 0 ? _number : null;

    /// <summary>
    /// For an event: the sequence its resume point names: its own, or for an unnumbered event the last number accounted
    /// for before it. Stored negated in the sequence's place (numbers start at 1), so an item grows by no field for it.
    /// </summary>
    public long ResumeSequence => _number > 0 ? _number : -_number;

    /// <summary>For an event: what it shares with every event of its session and epoch (null only in tests that made it bare).</summary>
    public EventContext? Context => _notice as EventContext;

    public bool IsReplay => _isReplay;

    /// <summary>For an event: where its dialect keeps its body.</summary>
    public EventBodyShape Shape => _shape;

    /// <summary>For an event: the unwrapped frame's bytes, valid until <see cref="ReleasePayload"/>.</summary>
    public ReadOnlySpan<byte> Frame => FrameIn(_slab!.Array);

    /// <summary>For an event: its bytes in <paramref name="array"/>, the array of its slab read once by the caller (see <see cref="GatewayEventView"/>).</summary>
    public ReadOnlySpan<byte> FrameIn(byte[] array) => array.AsSpan(_offset, _length);

    /// <summary>For an event: its bytes in <paramref name="array"/> as memory (see <see cref="FrameIn"/>).</summary>
    public ReadOnlyMemory<byte> FrameMemoryIn(byte[] array) => array.AsMemory(_offset, _length);

    /// <summary>For an event: the slab holding its bytes.</summary>
    internal PayloadSlab? Slab => _slab;

    public GapInfo? Gap => _notice as GapInfo;

    /// <summary>For a gap: the delivered sequence once the consumer has handled it (the numbering may have been re-based).</summary>
    public long CursorAfterGap => Gap is null ? 0 : _number;

    /// <summary>For an end marker: the run that ended (positive); 0 otherwise.</summary>
    public int EndOfRun => !IsEvent && Gap is null ? _offset : 0;

    /// <summary>For an end marker: why the run ended, when it failed.</summary>
    public Exception? RunError => _notice as Exception;

    /// <summary>
    /// An event whose bytes lie at <paramref name="offset"/> in <paramref name="slab"/>: the item takes over one hold
    /// of the slab, which the caller has added for it. <paramref name="lastSequence"/> is the last number accounted for
    /// before it (what an unnumbered event resumes after).
    /// </summary>
    public static StreamItem ForEvent(PayloadSlab slab, int offset, int length, string type, long? sequence, bool isReplay, EventBodyShape shape, EventContext? context = null, long lastSequence = 0) =>
        new(slab, type, context, sequence ?? -lastSequence, offset, length, isReplay, shape);

    public static StreamItem ForGap(GapInfo gap, long cursorAfterGap) => new(null, null, gap, cursorAfterGap, 0, 0, false, default);

    public static StreamItem ForEndOfRun(int run, Exception? error) => new(null, null, error, 0, run, 0, false, default);

    /// <summary>For an event: a <see cref="GatewayEvent"/> with its own copy of the bytes, safe to keep for ever.</summary>
    public GatewayEvent ToGatewayEvent() => ToGatewayEvent(Frame);

    /// <summary>For an event: a <see cref="GatewayEvent"/> with its own copy of <paramref name="frame"/>, its bytes read by the caller.</summary>
    public GatewayEvent ToGatewayEvent(ReadOnlySpan<byte> frame) => new(Type, Sequence, _isReplay, frame.ToArray(), _shape, Context, ResumeSequence);

    /// <summary>For an event: gives up its hold on the slab (once; the bytes may be reused after).</summary>
    public void ReleasePayload() => _slab?.Release();
}

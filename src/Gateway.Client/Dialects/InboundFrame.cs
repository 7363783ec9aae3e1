namespace Gateway.Client.Dialects;

/// <summary>
/// The classification of one inbound frame. For events, the payload is a slice of the frame: the
/// whole frame for a live event, the wrapped original for a replayed one.
/// </summary>
internal readonly struct InboundFrame
{
    private InboundFrame(FrameKind kind, string? type, long? sequence, bool isReplay, int payloadOffset, int payloadLength, string? problem, long? retryAfterMilliseconds, long? reconnectFloorMilliseconds = null)
    {
        ReconnectFloorMilliseconds = reconnectFloorMilliseconds;
        Kind = kind;
        Type = type;
        Sequence = sequence;
        IsReplay = isReplay;
        PayloadOffset = payloadOffset;
        PayloadLength = payloadLength;
        Problem = problem;
        RetryAfterMilliseconds = retryAfterMilliseconds;
    }

    public FrameKind Kind { get; }

    /// <summary>The event type (the unwrapped one for a replay).</summary>
    public string? Type { get; }

    public long? Sequence { get; }

    public bool IsReplay { get; }

    public int PayloadOffset { get; }

    public int PayloadLength { get; }

    /// <summary>What is wrong with a <see cref="FrameKind.Malformed"/> frame.</summary>
    public string? Problem { get; }

    /// <summary>For an event announcing a server restart: the least time before reconnecting is worth it.</summary>
    public long? ReconnectFloorMilliseconds { get; }

    /// <summary>For a reconnect request: how long the server wants the client to wait.</summary>
    public long? RetryAfterMilliseconds { get; }

    public static InboundFrame Event(string type, long? sequence, bool isReplay, int payloadOffset, int payloadLength, long? reconnectFloorMilliseconds = null) =>
        new(FrameKind.Event, type, sequence, isReplay, payloadOffset, payloadLength, null, null, reconnectFloorMilliseconds);

    public static InboundFrame Control(FrameKind kind, string type, long? retryAfterMilliseconds = null) =>
        new(kind, type, null, false, 0, 0, null, retryAfterMilliseconds);

    public static InboundFrame Malformed(string problem) =>
        new(FrameKind.Malformed, null, null, false, 0, 0, problem, null);
}

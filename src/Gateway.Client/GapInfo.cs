namespace Gateway.Client;

/// <summary>
/// A hole in the numbered event stream that cannot be filled by replay. It is reported once,
/// in stream order: after every event before the hole and before any event after it. Tests make one with
/// <see cref="GatewayModelFactory.GapInfo"/>.
/// </summary>
public sealed class GapInfo
{
    /// <summary>Creates a gap description.</summary>
    /// <param name="expected">The first missing sequence number.</param>
    /// <param name="received">The first number delivered after the hole, or <see langword="null"/> when unknown.</param>
    /// <param name="reason">Why the events are missing.</param>
    internal GapInfo(long expected, long? received, GapReason reason)
    {
        Expected = expected;
        Received = received;
        Reason = reason;
    }

    /// <summary>The first sequence number that is missing (the client's last accepted number + 1).</summary>
    public long Expected { get; }

    /// <summary>
    /// The number that arrived instead, i.e. the first number after the hole; <see langword="null"/> when
    /// the server lost or renumbered the session and the size of the hole cannot be known.
    /// </summary>
    public long? Received { get; }

    /// <summary>Why the events are missing.</summary>
    public GapReason Reason { get; }

    /// <summary>How many events are missing, when known.</summary>
    public long? MissingCount => Received - Expected;

    /// <inheritdoc />
    public override string ToString() => Received is { } received
        ? $"Gap {Reason}: expected {Expected}, received {received} ({received - Expected} missing)"
        : $"Gap {Reason}: expected {Expected}, continuity lost";
}

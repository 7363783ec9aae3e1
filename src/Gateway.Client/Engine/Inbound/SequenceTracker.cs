namespace Gateway.Client.Engine;

/// <summary>
/// Keeps the highest accepted sequence number and decides, per numbered event and per handshake,
/// whether it is in order, a duplicate, or behind a gap (docs/protocol.md, "Numbering, duplicates and gaps"). Pure logic: one writer
/// (the receive loop), no I/O.
/// </summary>
internal sealed class SequenceTracker
{
    /// <summary>The highest number accepted, or null before the first handshake set a baseline.</summary>
    public long? Last { get; private set; }

    /// <summary>The epoch the current numbering belongs to (protocol 2).</summary>
    public string? Epoch { get; private set; }

    /// <summary>Starts from a persisted position (resume after a process restart).</summary>
    public void Restore(long last, string? epoch)
    {
        Last = last;
        Epoch = epoch;
    }

    /// <summary>Takes over where a handshake left the numbering (see the dialect's continuity rules).</summary>
    public GapInfo? Apply(Dialects.ContinuityDecision decision)
    {
        Last = decision.Last;
        Epoch = decision.Epoch;
        return decision.Gap;
    }

    /// <summary>Re-bases on a resync: the snapshot covers everything up to <paramref name="cursor"/>.</summary>
    public void Rebase(long cursor, string? epoch)
    {
        Last = cursor;
        Epoch = epoch ?? Epoch;
    }

    /// <summary>Classifies a numbered event against the last accepted number (does not accept it).</summary>
    public SequenceVerdict Check(long sequence)
    {
        if (Last is not { } last)
        {
            return SequenceVerdict.InOrder;
        }

        if (sequence <= last)
        {
            return SequenceVerdict.Duplicate;
        }

        return sequence == last + 1 ? SequenceVerdict.InOrder : SequenceVerdict.Gap;
    }

    /// <summary>
    /// The gap in front of <paramref name="sequence"/>, when <see cref="Check"/> said <see cref="SequenceVerdict.Gap"/>.
    /// A hole in a replay means the server's replay window no longer holds it (protocol 1 servers, which
    /// announce no oldest retained number, say so only this way); a hole in the live stream is a jump.
    /// </summary>
    public GapInfo GapBefore(long sequence, bool inReplay) =>
        new((Last ?? 0) + 1, sequence, inReplay ? GapReason.ReplayWindowExceeded : GapReason.SequenceJump);

    /// <summary>Records that everything up to <paramref name="sequence"/> is accounted for (delivered to the buffer or reported missing).</summary>
    public void Accept(long sequence)
    {
        if (Last is not { } last || sequence > last)
        {
            Last = sequence;
        }
    }
}

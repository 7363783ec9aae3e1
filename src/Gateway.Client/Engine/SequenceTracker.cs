namespace Gateway.Client.Engine;

/// <summary>
/// Keeps the highest accepted sequence number and decides, per numbered event and per handshake,
/// whether it is in order, a duplicate, or behind a gap (PROTOCOL.md §3–§4). Pure logic: one writer
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

    /// <summary>
    /// Applies a successful handshake. <paramref name="sentSince"/> is the <c>since</c> the client sent,
    /// or null when it did not resume. Returns the gap the handshake reveals, if any; the tracker is then
    /// re-based so the same hole is never reported twice.
    /// </summary>
    public GapInfo? OnHandshake(GatewaySession session, long? sentSince, bool resyncRequired)
    {
        var previousEpoch = Epoch;
        Epoch = session.Epoch ?? Epoch;

        // A fresh connection asked for no history: the server's head is where the stream starts.
        if (sentSince is not { } since)
        {
            Last = session.ServerCursor;
            return null;
        }

        Last = since;
        if (!session.Resumed)
        {
            Last = session.ServerCursor;
            return new GapInfo(since + 1, null, GapReason.SessionLost);
        }

        if (session.ServerCursor < since)
        {
            Last = session.ServerCursor;
            return new GapInfo(since + 1, null, GapReason.ServerReset);
        }

        if (previousEpoch is not null && session.Epoch is not null && session.Epoch != previousEpoch)
        {
            // The numbers after 'since' now belong to another history; what the server replays from
            // here on is new to the client, what the old history held after 'since' is gone. The
            // replay starts at the new window's oldest number: this one report covers the hole
            // before it too, so it must not come back as a jump.
            if (session.OldestCursor is { } newOldest && newOldest - 1 > since)
            {
                Last = Math.Min(newOldest - 1, session.ServerCursor);
            }

            return new GapInfo(since + 1, null, GapReason.ServerReset);
        }

        if (resyncRequired && session.ServerCursor > since)
        {
            // Legacy servers say only that they cannot replay; the stream continues after their head.
            Last = session.ServerCursor;
            return new GapInfo(since + 1, session.ServerCursor + 1, GapReason.ReplayWindowExceeded);
        }

        if (session.OldestCursor is { } oldest && oldest > since + 1)
        {
            Last = oldest - 1;
            return new GapInfo(since + 1, oldest, GapReason.ReplayWindowExceeded);
        }

        return null;
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

    /// <summary>The gap in front of <paramref name="sequence"/>, when <see cref="Check"/> said <see cref="SequenceVerdict.Gap"/>.</summary>
    public GapInfo GapBefore(long sequence) => new((Last ?? 0) + 1, sequence, GapReason.SequenceJump);

    /// <summary>Records that everything up to <paramref name="sequence"/> is accounted for (delivered to the buffer or reported missing).</summary>
    public void Accept(long sequence)
    {
        if (Last is not { } last || sequence > last)
        {
            Last = sequence;
        }
    }
}

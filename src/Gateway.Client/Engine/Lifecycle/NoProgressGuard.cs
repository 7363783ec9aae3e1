namespace Gateway.Client.Engine;

/// <summary>
/// The defence against a poison frame: a numbered event the client's WebSocket cannot read (it closes
/// with 1007 before the SDK sees the frame), which the server replays on every resume. Counts the
/// resumed connections in a row that ended that way with no event accepted, at the same cursor, while
/// the server's head was past it; at <see cref="ReconnectOptions.MaxResumesWithoutProgress"/> it names
/// the number to skip (the one after the cursor), so the stream moves on with a reported gap instead of
/// reconnecting forever. Any progress, any other end, or a head at the cursor starts the count over.
/// Used by the run loop only.
/// </summary>
internal sealed class NoProgressGuard
{
    private readonly int _maxResumes;
    private long? _cursor;
    private int _count;

    public NoProgressGuard(int maxResumes) => _maxResumes = maxResumes;

    /// <summary>
    /// A connection ended. Returns the number to skip, or null. <paramref name="unreadable"/>: it ended on a
    /// frame the WebSocket could not read; <paramref name="cursorAtStart"/> and <paramref name="cursorAtEnd"/>:
    /// the last accepted number when it began and ended; <paramref name="serverHead"/>: the server's head at
    /// its handshake; <paramref name="resumed"/>: whether the server resumed the session (it replays).
    /// </summary>
    public long? OnEnd(bool unreadable, bool resumed, long? cursorAtStart, long? cursorAtEnd, long serverHead)
    {
        var cursor = cursorAtEnd ?? 0;
        if (!unreadable || !resumed || cursorAtStart != cursorAtEnd || serverHead <= cursor || cursor >= Dialects.ServerNumbers.MaxSequence)
        {
            Reset();
            return null;
        }

        if (_cursor != cursor)
        {
            _cursor = cursor;
            _count = 0;
        }

        if (++_count < _maxResumes)
        {
            return null;
        }

        Reset();
        return cursor + 1;
    }

    private void Reset()
    {
        _cursor = null;
        _count = 0;
    }
}

namespace Gateway.Client.Engine;

/// <summary>
/// What the server announced on one connection about the next one: a drain (reconnect, after its delay) or a
/// restart (wait at least this long). Kept by that connection's <see cref="LiveConnection"/>, written by its receive
/// loop only, and handed to the run loop as a copy inside the connection's <see cref="ConnectionEnd"/> once that loop
/// has ended: a message from the connection to the loop, never a note left in a shared object. A value, so an idle
/// connection pays nothing for it.
/// </summary>
internal struct ServerNotices
{
    // Ticks + 1, so the default value means "nothing announced" (kept small: every connection holds one).
    private long _drainDelay;
    private long _restartFloor;

    /// <summary>The server asked for a reconnect (a drain notice).</summary>
    public bool DrainRequested { get; private set; }

    /// <summary>How long the drain notice asked the client to wait (clamped); null: at once.</summary>
    public readonly TimeSpan? DrainDelay => Read(_drainDelay);

    /// <summary>How long the server said its restart takes (clamped): the next connect waits at least this long.</summary>
    public readonly TimeSpan? RestartFloor => Read(_restartFloor);

    public void Drain(TimeSpan? delay)
    {
        DrainRequested = true;
        _drainDelay = Write(delay);
    }

    public void Restart(TimeSpan floor) => _restartFloor = Write(floor);

    private static long Write(TimeSpan? value) => value is { } v ? Math.Max(v.Ticks, 0) + 1 : 0;

    private static TimeSpan? Read(long stored) => stored == 0 ? null : TimeSpan.FromTicks(stored - 1);
}

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
    /// <summary>The server asked for a reconnect (a drain notice).</summary>
    public bool DrainRequested { get; private set; }

    /// <summary>How long the drain notice asked the client to wait (clamped); null: at once.</summary>
    public TimeSpan? DrainDelay { get; private set; }

    /// <summary>How long the server said its restart takes (clamped): the next connect waits at least this long.</summary>
    public TimeSpan? RestartFloor { get; private set; }

    public void Drain(TimeSpan? delay)
    {
        DrainRequested = true;
        DrainDelay = delay;
    }

    public void Restart(TimeSpan floor) => RestartFloor = floor;
}

namespace Gateway.Client.Engine;

/// <summary>
/// Leaving a session that can no longer run turns for a new one (<see cref="GatewayTurnOptions.NewSessionWhenStuck"/>):
/// the next handshake asks for no session, the join reports a <see cref="GapReason.SessionAbandoned"/> gap, and the
/// callers waiting here learn the new session. Concurrent callers share one switch.
/// </summary>
internal sealed class SessionSwitch
{
    private Pending? _pending;

    /// <summary>Whether a switch waits for the next handshake.</summary>
    public bool IsPending => Volatile.Read(ref _pending) is not null;

    /// <summary>Why the session is being left (the cause of the state change it makes), while a switch is pending.</summary>
    public GatewayConnectionException? Cause => Volatile.Read(ref _pending)?.Cause;

    /// <summary>The session being left, while a switch is pending.</summary>
    public string? Leaving => Volatile.Read(ref _pending)?.Leaving;

    /// <summary>Joins the pending switch away from <paramref name="leaving"/>, or starts one (<paramref name="started"/>).</summary>
    public Task<GatewaySession> Join(string leaving, string reason, out bool started)
    {
        var mine = new Pending(leaving, new GatewayConnectionException($"Left session {leaving} for a new one: {reason}"));
        var running = Interlocked.CompareExchange(ref _pending, mine, null);
        started = running is null;
        return (running ?? mine).Completion.Task;
    }

    /// <summary>The new session was adopted.</summary>
    public void Complete(GatewaySession session) => Interlocked.Exchange(ref _pending, null)?.Completion.TrySetResult(session);

    /// <summary>The run ended before a new session was adopted.</summary>
    public void Fail(Exception reason) => Interlocked.Exchange(ref _pending, null)?.Completion.TrySetObservedException(reason);

    private sealed class Pending
    {
        public Pending(string leaving, GatewayConnectionException cause)
        {
            Leaving = leaving;
            Cause = cause;
        }

        public string Leaving { get; }

        public GatewayConnectionException Cause { get; }

        public TaskCompletionSource<GatewaySession> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

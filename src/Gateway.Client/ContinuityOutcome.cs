namespace Gateway.Client;

/// <summary>What a (re)connect meant for the event stream.</summary>
public enum ContinuityOutcome
{
    /// <summary>A new session: the stream starts at the server's head.</summary>
    Fresh,

    /// <summary>The session was resumed and everything missed is being replayed (possibly nothing).</summary>
    Resumed,

    /// <summary>The session was resumed, but part of what was missed can no longer be replayed (see the gap).</summary>
    ResumedWithGap,

    /// <summary>The server no longer knew the session and started a new, empty one.</summary>
    SessionLost,

    /// <summary>A new connection to a server that cannot resume (OpenClaw): everything since the last connection must be re-read.</summary>
    NotResumable,
}

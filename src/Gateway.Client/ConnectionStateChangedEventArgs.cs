namespace Gateway.Client;

/// <summary>
/// Describes one transition of <see cref="GatewayClient.State"/>, as <see cref="GatewayClient.OnStateChanged"/> handlers
/// hear of it. <see cref="Previous"/> and <see cref="Current"/> always differ: a failed attempt followed by another is
/// no transition (the logs and the <c>gateway.client.connect.attempts</c> metric count attempts), so the transition into
/// <see cref="ConnectionState.Reconnecting"/> carries the first attempt of the outage, its delay and its cause.
/// </summary>
public sealed class ConnectionStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event arguments.</summary>
    /// <param name="previous">The state that was left.</param>
    /// <param name="current">The state that was entered.</param>
    /// <param name="cause">Why the transition happened, when it was caused by an error or a close.</param>
    /// <param name="attempt">For Connecting/Reconnecting: the number of the attempt about to be made (1 = first after a drop).</param>
    /// <param name="retryDelay">For Reconnecting: the delay before that attempt.</param>
    /// <param name="continuity">For Connected: how the handshake continued the event stream.</param>
    internal ConnectionStateChangedEventArgs(
        ConnectionState previous,
        ConnectionState current,
        Exception? cause = null,
        int attempt = 0,
        TimeSpan? retryDelay = null,
        ContinuityReport? continuity = null)
    {
        Previous = previous;
        Current = current;
        Cause = cause;
        Attempt = attempt;
        RetryDelay = retryDelay;
        Continuity = continuity;
    }

    /// <summary>The state that was left.</summary>
    public ConnectionState Previous { get; }

    /// <summary>The state that was entered.</summary>
    public ConnectionState Current { get; }

    /// <summary>The error or close that caused the transition; null for a requested one or a drain notice.</summary>
    public Exception? Cause { get; }

    /// <summary>For Connecting and Reconnecting: the attempt about to be made, the first of the run or of the outage (1); 0 otherwise.</summary>
    public int Attempt { get; }

    /// <summary>For Reconnecting: the delay before that attempt.</summary>
    public TimeSpan? RetryDelay { get; }

    /// <summary>For Connected: fresh, resumed with replay, resumed with a gap, or session lost.</summary>
    public ContinuityReport? Continuity { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"{Previous} -> {Current}";
        if (Attempt > 0)
        {
            text += $" (attempt {Attempt}{(RetryDelay is { } delay ? $" in {delay.TotalMilliseconds:0} ms" : string.Empty)})";
        }

        if (Continuity is not null)
        {
            text += $" ({Continuity})";
        }

        return Cause is null ? text : $"{text}: {Cause.GetType().Name}: {Cause.Message}";
    }
}

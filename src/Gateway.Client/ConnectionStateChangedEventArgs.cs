namespace Gateway.Client;

/// <summary>Describes one transition of <see cref="GatewayClient.State"/>.</summary>
public sealed class ConnectionStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event arguments.</summary>
    /// <param name="previous">The state that was left.</param>
    /// <param name="current">The state that was entered.</param>
    /// <param name="cause">Why the transition happened, when it was caused by an error or a close.</param>
    public ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, Exception? cause)
    {
        Previous = previous;
        Current = current;
        Cause = cause;
    }

    /// <summary>The state that was left.</summary>
    public ConnectionState Previous { get; }

    /// <summary>The state that was entered.</summary>
    public ConnectionState Current { get; }

    /// <summary>The error or close that caused the transition, or <see langword="null"/> for a requested one.</summary>
    public Exception? Cause { get; }

    /// <inheritdoc />
    public override string ToString() => Cause is null
        ? $"{Previous} -> {Current}"
        : $"{Previous} -> {Current} ({Cause.GetType().Name}: {Cause.Message})";
}

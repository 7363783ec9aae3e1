namespace Gateway.Client.Sessions;

/// <summary>
/// Passed to <see cref="GatewaySessionProcessor.ClosingHandler"/> once for each session an instance stops running. The
/// lease is released (on <see cref="SessionCloseReason.Shutdown"/> and <see cref="SessionCloseReason.Failed"/>) only
/// after the handler has finished, or after <see cref="GatewaySessionProcessorOptions.ClosingTimeout"/>.
/// </summary>
public sealed class GatewaySessionClosingEventArgs
{
    internal GatewaySessionClosingEventArgs(string sessionKey, SessionCloseReason reason, CancellationToken cancellationToken)
    {
        SessionKey = sessionKey;
        Reason = reason;
        CancellationToken = cancellationToken;
    }

    /// <summary>The session's key.</summary>
    public string SessionKey { get; }

    /// <summary>Why the session closes.</summary>
    public SessionCloseReason Reason { get; }

    /// <summary>
    /// Fires when the session is no longer this instance's: at once for <see cref="SessionCloseReason.OwnershipLost"/>,
    /// otherwise when the closing timeout passed and the lease is released anyway.
    /// </summary>
    public CancellationToken CancellationToken { get; }
}

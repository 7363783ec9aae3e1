namespace Gateway.Client.Sessions;

/// <summary>Why the session processor closes a session it ran.</summary>
public enum SessionCloseReason
{
    /// <summary>The processor is stopping: the last checkpoint was flushed, and the lease is released after the closing handler.</summary>
    Shutdown,

    /// <summary>The lease can no longer be renewed (another owner took the session, it lapsed, or a checkpoint was refused); nothing is released.</summary>
    OwnershipLost,

    /// <summary>
    /// The session failed on this instance (it could not start, or its client stopped for good): the last checkpoint was
    /// flushed, and the lease is released after the closing handler, so an instance tries it again after a back-off.
    /// </summary>
    Failed,
}

namespace Gateway.Client.Sessions;

/// <summary>
/// Where a fleet of workers keeps who owns which gateway session (leases) and how far each got (checkpoints), fenced:
/// every new ownership of a session gets a larger <see cref="SessionLease.Token"/>, and the store refuses a checkpoint
/// (or a renewal) carrying a token older than the session's newest, so a worker that lost a session (paused past its
/// lease, cut off, slow) can never overwrite the new owner's progress. Implementations: the file store in this package,
/// and the SQLite, Redis and PostgreSQL packages. Every method is bounded by its token and the store's own timeouts, and
/// throws <see cref="SessionStoreException"/> (typed) for a store that cannot be reached or answers wrongly.
/// </summary>
public interface ISessionStore
{
    /// <summary>
    /// Claims <paramref name="sessionKey"/> for <paramref name="ownerId"/> for <paramref name="duration"/>: when no live lease
    /// holds it (none, expired, or released), or, to take it over (steal), when its current lease is still
    /// <paramref name="observed"/> (a conditional write: the lease seen in <see cref="ListLeasesAsync"/>). A successful claim
    /// starts a new ownership with a token larger than any the session has had.
    /// </summary>
    /// <returns>The new lease; null when another owner holds the session (or changed since <paramref name="observed"/>).</returns>
    Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken);

    /// <summary>Extends <paramref name="lease"/> by <paramref name="duration"/> from now, keeping its token.</summary>
    /// <returns>The renewed lease; null when the session is no longer this lease's (expired and claimed, stolen, released).</returns>
    Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives <paramref name="lease"/> up at once, so another worker can claim the session without waiting for it to expire.</summary>
    /// <returns>False when it was no longer this lease's.</returns>
    Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken);

    /// <summary>Every session's current lease, live or not (<see cref="SessionLease.IsLive"/>), as the balancing cycle reads them.</summary>
    Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken);

    /// <summary>The last checkpoint of <paramref name="sessionKey"/>; null when none was written.</summary>
    Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="position"/> as <paramref name="lease"/>'s session's checkpoint, fenced: refused with
    /// <see cref="SessionOwnershipLostException"/> when the session has had a newer ownership than <paramref name="lease"/>'s
    /// (its token is older than the session's newest). A write with the current token is accepted even after its lease
    /// expired, as long as nobody claimed the session since: nothing newer can be lost by it.
    /// </summary>
    Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken);
}

using Gateway.Client.Sessions;

namespace Gateway.Client.Extensions.Tests;

/// <summary>A store over another that can go down (every call fails as an unreachable store does) or lose every claim race.</summary>
internal sealed class StoreWithOutage(ISessionStore inner) : ISessionStore
{
    private volatile bool _down;
    private volatile bool _claimsLost;

    /// <summary>Every call throws <see cref="SessionStoreException"/>.</summary>
    public bool Down { get => _down; set => _down = value; }

    /// <summary>Every claim returns null, as when another owner wins the race.</summary>
    public bool ClaimsLost { get => _claimsLost; set => _claimsLost = value; }

    public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken) =>
        Down ? Unreachable<SessionLease?>() : ClaimsLost ? Task.FromResult<SessionLease?>(null) : inner.TryClaimAsync(sessionKey, ownerId, duration, observed, cancellationToken);

    public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        Down ? Unreachable<SessionLease?>() : inner.RenewAsync(lease, duration, cancellationToken);

    public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken) =>
        Down ? Unreachable<bool>() : inner.ReleaseAsync(lease, cancellationToken);

    public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken) =>
        Down ? Unreachable<IReadOnlyList<SessionLease>>() : inner.ListLeasesAsync(cancellationToken);

    public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken) =>
        Down ? Unreachable<SessionCheckpoint?>() : inner.ReadCheckpointAsync(sessionKey, cancellationToken);

    public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken) =>
        Down ? Unreachable<bool>() : inner.WriteCheckpointAsync(lease, position, cancellationToken);

    private static Task<T> Unreachable<T>() => Task.FromException<T>(new SessionStoreException("The store cannot be reached (test outage)."));
}

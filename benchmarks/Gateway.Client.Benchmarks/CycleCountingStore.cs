using Gateway.Client.Sessions;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// A store that passes every call through and counts the listings: each balancing cycle lists the leases once (after
/// renewing what it owns), so the count is the number of cycles that got that far.
/// </summary>
internal sealed class CycleCountingStore(ISessionStore inner) : ISessionStore
{
    private long _listings;

    public long Listings => Interlocked.Read(ref _listings);

    public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken) =>
        inner.TryClaimAsync(sessionKey, ownerId, duration, observed, cancellationToken);

    public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        inner.RenewAsync(lease, duration, cancellationToken);

    public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken) => inner.ReleaseAsync(lease, cancellationToken);

    public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listings);
        return inner.ListLeasesAsync(cancellationToken);
    }

    public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken) =>
        inner.ReadCheckpointAsync(sessionKey, cancellationToken);

    public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken) =>
        inner.WriteCheckpointAsync(lease, position, cancellationToken);
}

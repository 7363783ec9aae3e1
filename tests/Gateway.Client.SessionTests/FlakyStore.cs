using Gateway.Client.Sessions;

namespace Gateway.Client.SessionTests;

/// <summary>A store over another that can be made to fail (a store that cannot be reached), and counts the calls.</summary>
internal sealed class FlakyStore(ISessionStore inner) : ISessionStore
{
    public bool FailRenewals { get; set; }

    public bool FailReleases { get; set; }

    private readonly List<(string Call, TaskCompletionSource Signal)> _waiters = [];

    public List<string> Calls { get; } = [];

    public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken)
    {
        Record($"claim {sessionKey} {ownerId}");
        return inner.TryClaimAsync(sessionKey, ownerId, duration, observed, cancellationToken);
    }

    public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        Record($"renew {lease.SessionKey} {lease.OwnerId}");
        return FailRenewals ? Task.FromException<SessionLease?>(new SessionStoreException("unreachable")) : inner.RenewAsync(lease, duration, cancellationToken);
    }

    public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        Record($"release {lease.SessionKey} {lease.OwnerId}");
        return FailReleases ? Task.FromException<bool>(new SessionStoreException("unreachable")) : inner.ReleaseAsync(lease, cancellationToken);
    }

    public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken) => inner.ListLeasesAsync(cancellationToken);

    public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken) => inner.ReadCheckpointAsync(sessionKey, cancellationToken);

    public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken) => inner.WriteCheckpointAsync(lease, position, cancellationToken);

    /// <summary>Completes once <paramref name="call"/> was made (at once when it was made before).</summary>
    public Task WaitForCallAsync(string call)
    {
        lock (Calls)
        {
            if (Calls.Contains(call))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((call, signal));
            return signal.Task;
        }
    }

    private void Record(string call)
    {
        lock (Calls)
        {
            Calls.Add(call);
            foreach (var waiter in _waiters.Where(w => w.Call == call).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Signal.TrySetResult();
            }
        }
    }
}

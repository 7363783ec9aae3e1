using Gateway.Client.Sessions;

namespace Gateway.Client.SessionTests;

/// <summary>
/// The contract in its plainest form, under one lock: the reference the suite itself is checked against
/// (<see cref="InMemorySessionStoreTests"/>), so a failing real store points at the store, not at the suite.
/// </summary>
internal sealed class InMemorySessionStore : ISessionStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Record> _records = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public InMemorySessionStore(TimeProvider? time) => _time = time ?? TimeProvider.System;

    public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken)
    {
        Key(sessionKey);
        Key(ownerId);
        Positive(duration);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _records.TryGetValue(sessionKey, out var record);
            if (record is not null && record.Lease.IsLive(now) && (observed is null || observed.Token != record.Lease.Token || observed.Version != record.Lease.Version))
            {
                return Task.FromResult<SessionLease?>(null);
            }

            record ??= _records[sessionKey] = new Record();
            record.Version++;
            record.Lease = new SessionLease(sessionKey, ownerId, (record.Lease?.Token ?? 0) + 1, now + duration, record.Version.ToString());
            return Task.FromResult<SessionLease?>(record.Lease);
        }
    }

    public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Positive(duration);
        lock (_gate)
        {
            if (!_records.TryGetValue(lease.SessionKey, out var record) || record.Lease.Token != lease.Token || record.Lease.OwnerId.Length == 0)
            {
                return Task.FromResult<SessionLease?>(null);
            }

            record.Version++;
            record.Lease = new SessionLease(lease.SessionKey, record.Lease.OwnerId, lease.Token, _time.GetUtcNow() + duration, record.Version.ToString());
            return Task.FromResult<SessionLease?>(record.Lease);
        }
    }

    public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (!_records.TryGetValue(lease.SessionKey, out var record) || record.Lease.Token != lease.Token || record.Lease.OwnerId.Length == 0)
            {
                return Task.FromResult(false);
            }

            record.Version++;
            record.Lease = new SessionLease(lease.SessionKey, string.Empty, lease.Token, _time.GetUtcNow(), record.Version.ToString());
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<SessionLease>>(_records.Values.Select(r => r.Lease).ToList());
        }
    }

    public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken)
    {
        Key(sessionKey);
        lock (_gate)
        {
            return Task.FromResult(_records.TryGetValue(sessionKey, out var record) ? record.Checkpoint : null);
        }
    }

    public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(position);
        lock (_gate)
        {
            if (!_records.TryGetValue(lease.SessionKey, out var record) || record.Lease.Token != lease.Token)
            {
                throw new SessionOwnershipLostException(lease.SessionKey, lease.Token, record?.Lease.Token);
            }

            record.Checkpoint = new SessionCheckpoint(lease.SessionKey, position, lease.Token, _time.GetUtcNow());
            return Task.CompletedTask;
        }
    }

    private static void Key(string value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null) =>
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);

    private static void Positive(TimeSpan duration) =>
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);

    private sealed class Record
    {
        public SessionLease Lease { get; set; } = null!;

        public SessionCheckpoint? Checkpoint { get; set; }

        public long Version { get; set; }
    }
}

/// <summary>The suite on the reference store with the injected (fake) clock.</summary>
public sealed class InMemorySessionStoreTests : SessionStoreContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync(TimeProvider? time) => Task.FromResult<ISessionStore>(new InMemorySessionStore(time));
}

/// <summary>The suite on the reference store keeping its own (real) clock: proves the suite's real-time path that the
/// Redis and PostgreSQL stores take.</summary>
public sealed class InMemorySessionStoreOwnClockTests : SessionStoreContractTests
{
    protected override bool UsesInjectedClock => false;

    protected override Task<ISessionStore> CreateStoreAsync(TimeProvider? time)
    {
        Assert.Null(time);
        return Task.FromResult<ISessionStore>(new InMemorySessionStore(null));
    }
}

using Gateway.Client.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.SessionTests;

public class CheckpointBatcherTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemorySessionStore _inner;
    private readonly FailingWrites _store;

    public CheckpointBatcherTests()
    {
        _inner = new InMemorySessionStore(_time);
        _store = new FailingWrites(_inner);
    }

    private static GatewayResumePoint At(long sequence) => new("sess", "e1", sequence);

    private async Task<LeaseKeeper> ClaimAsync()
    {
        var lease = await _store.TryClaimAsync("s1", "a", Duration, null, CancellationToken.None);
        return new LeaseKeeper(_store, lease!, _time.GetUtcNow(), Duration, _time);
    }

    private async Task<long?> StoredAsync() => (await _store.ReadCheckpointAsync("s1", CancellationToken.None))?.Position.Sequence;

    [Fact]
    public async Task Every_one_writes_each_marked_event()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 1, null, _time);

        await batcher.MarkAsync(At(1), CancellationToken.None);
        Assert.Equal(1, await StoredAsync());
        await batcher.MarkAsync(At(2), CancellationToken.None);
        Assert.Equal(2, await StoredAsync());
        Assert.Equal(2, _store.Writes);
    }

    [Fact]
    public async Task Every_n_writes_the_newest_position_once_n_events_were_marked()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 3, null, _time);

        await batcher.MarkAsync(At(1), CancellationToken.None);
        await batcher.MarkAsync(At(2), CancellationToken.None);
        Assert.Null(await StoredAsync());
        Assert.Equal(2, batcher.Pending!.Sequence);

        await batcher.MarkAsync(At(3), CancellationToken.None);

        Assert.Equal(3, await StoredAsync());
        Assert.Null(batcher.Pending);
        Assert.Equal(1, _store.Writes);
    }

    [Fact]
    public async Task The_interval_writes_a_partial_batch_when_it_elapses_after_the_first_unwritten_mark()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 100, TimeSpan.FromSeconds(5), _time);

        await batcher.MarkAsync(At(1), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(3));
        await batcher.MarkAsync(At(2), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.Null(await StoredAsync());

        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(2, await StoredAsync());
        Assert.Equal(0, batcher.PendingCount);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, _store.Writes); // nothing pending, nothing written
    }

    [Fact]
    public async Task Flush_writes_what_is_pending_and_nothing_when_nothing_is()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 10, null, _time);
        await batcher.MarkAsync(At(7), CancellationToken.None);

        await batcher.FlushAsync(CancellationToken.None);
        await batcher.FlushAsync(CancellationToken.None);

        Assert.Equal(7, await StoredAsync());
        Assert.Equal(1, _store.Writes);
    }

    [Fact]
    public async Task A_late_checkpoint_is_refused_by_the_store_and_fires_the_lost_token()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 10, null, _time);
        await batcher.CheckpointAsync(At(4), CancellationToken.None);
        var thief = await _store.TryClaimAsync("s1", "b", Duration, keeper.Lease, CancellationToken.None);
        await _store.WriteCheckpointAsync(thief!, At(6), CancellationToken.None);
        await batcher.MarkAsync(At(5), CancellationToken.None);

        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => batcher.FlushAsync(CancellationToken.None));

        Assert.True(keeper.Lost.IsCancellationRequested);
        Assert.Equal(6, await StoredAsync()); // the new owner's checkpoint stands
    }

    [Fact]
    public async Task A_store_failure_keeps_the_position_pending_for_the_next_write()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 1, null, _time);
        _store.Fail = true;

        await Assert.ThrowsAsync<SessionStoreException>(() => batcher.MarkAsync(At(1), CancellationToken.None));
        Assert.Equal(1, batcher.Pending!.Sequence);
        Assert.False(keeper.IsLost);

        _store.Fail = false;
        await batcher.FlushAsync(CancellationToken.None);
        Assert.Equal(1, await StoredAsync());
    }

    [Fact]
    public async Task A_failed_write_started_by_the_interval_is_reported()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 10, TimeSpan.FromSeconds(1), _time);
        var errors = new List<Exception>();
        batcher.OnError = errors.Add;
        _store.Fail = true;
        await batcher.MarkAsync(At(1), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.IsType<SessionStoreException>(Assert.Single(errors));
        Assert.Equal(1, batcher.Pending!.Sequence);
    }

    // After an interval write fails the position is pending again, and the interval writes it again, without waiting
    // for another mark or the stop (a crash would replay it).
    [Fact]
    public async Task A_failed_interval_write_is_retried_by_the_interval_not_only_by_the_next_mark()
    {
        using var keeper = await ClaimAsync();
        using var batcher = new CheckpointBatcher(keeper, 10, TimeSpan.FromSeconds(1), _time);
        batcher.OnError = _ => { };
        _store.Fail = true;
        await batcher.MarkAsync(At(1), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1)); // fails: pending again

        _store.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(10)); // no more events

        Assert.Equal(1, await StoredAsync());
    }

    private sealed class FailingWrites(ISessionStore inner) : ISessionStore
    {
        public bool Fail { get; set; }

        public int Writes { get; private set; }

        public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken) => inner.TryClaimAsync(sessionKey, ownerId, duration, observed, cancellationToken);

        public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken) => inner.RenewAsync(lease, duration, cancellationToken);

        public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken) => inner.ReleaseAsync(lease, cancellationToken);

        public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken) => inner.ListLeasesAsync(cancellationToken);

        public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken) => inner.ReadCheckpointAsync(sessionKey, cancellationToken);

        public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                return Task.FromException(new SessionStoreException("unreachable"));
            }

            if (lease.OwnerId == "a")
            {
                Writes++;
            }

            return inner.WriteCheckpointAsync(lease, position, cancellationToken);
        }
    }
}

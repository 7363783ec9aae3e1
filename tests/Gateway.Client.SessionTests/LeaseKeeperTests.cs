using Gateway.Client.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.SessionTests;

public class LeaseKeeperTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FlakyStore _store;

    public LeaseKeeperTests() => _store = new FlakyStore(new InMemorySessionStore(_time));

    private async Task<LeaseKeeper> ClaimAsync(string key = "s1", string owner = "a")
    {
        var sentAt = _time.GetUtcNow();
        var lease = await _store.TryClaimAsync(key, owner, Duration, null, CancellationToken.None);
        return new LeaseKeeper(_store, lease!, sentAt, Duration, _time);
    }

    [Fact]
    public async Task Lost_fires_when_a_renewal_is_refused_because_the_session_was_stolen()
    {
        using var keeper = await ClaimAsync();
        var stolen = await _store.TryClaimAsync("s1", "b", Duration, keeper.Lease, CancellationToken.None);
        Assert.NotNull(stolen);
        Assert.False(keeper.IsLost);

        Assert.False(await keeper.RenewAsync(CancellationToken.None));

        Assert.True(keeper.Lost.IsCancellationRequested);
        Assert.Equal(LeaseLossReason.RenewalRefused, keeper.LostReason);
    }

    [Fact]
    public async Task Lost_fires_when_the_deadline_passes_without_a_renewal()
    {
        using var keeper = await ClaimAsync();

        _time.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.False(keeper.IsLost);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.True(keeper.Lost.IsCancellationRequested);
        Assert.Equal(LeaseLossReason.Expired, keeper.LostReason);
    }

    [Fact]
    public async Task A_successful_renewal_moves_the_deadline_to_when_it_was_sent_plus_the_duration()
    {
        using var keeper = await ClaimAsync();
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await keeper.RenewAsync(CancellationToken.None));
        Assert.Equal(_time.GetUtcNow() + Duration, keeper.Deadline);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(keeper.IsLost);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LeaseLossReason.Expired, keeper.LostReason);
    }

    [Fact]
    public async Task A_failing_store_does_not_cancel_before_the_deadline_but_the_deadline_still_does()
    {
        using var keeper = await ClaimAsync();
        _store.FailRenewals = true;
        _time.Advance(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<SessionStoreException>(() => keeper.RenewAsync(CancellationToken.None));
        Assert.False(keeper.IsLost);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(LeaseLossReason.Expired, keeper.LostReason);
        _store.FailRenewals = false;
        Assert.False(await keeper.RenewAsync(CancellationToken.None)); // lost stays lost, even though the store would renew
    }

    [Fact]
    public async Task The_deadline_is_on_the_local_clock_whatever_expiry_the_store_reports()
    {
        // a store on a clock an hour ahead reports an expiry far away; the keeper still gives up after the duration.
        var sentAt = _time.GetUtcNow();
        var lease = new SessionLease("s1", "a", 1, sentAt.AddHours(1), "v");
        using var keeper = new LeaseKeeper(_store, lease, sentAt, Duration, _time);

        _time.Advance(Duration);

        Assert.Equal(LeaseLossReason.Expired, keeper.LostReason);
    }

    [Fact]
    public async Task A_refused_checkpoint_marks_the_lease_lost_and_is_rethrown()
    {
        using var keeper = await ClaimAsync();
        await keeper.WriteCheckpointAsync(new GatewayResumePoint("sess", "e1", 5), CancellationToken.None);
        await _store.TryClaimAsync("s1", "b", Duration, keeper.Lease, CancellationToken.None);

        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => keeper.WriteCheckpointAsync(new GatewayResumePoint("sess", "e1", 9), CancellationToken.None));

        Assert.Equal(LeaseLossReason.CheckpointRefused, keeper.LostReason);
        Assert.Equal(5, (await _store.ReadCheckpointAsync("s1", CancellationToken.None))!.Position.Sequence);
    }
}

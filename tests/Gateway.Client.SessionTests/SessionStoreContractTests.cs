using Gateway.Client.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.SessionTests;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> owes (its XML docs), one test per behaviour. A store's test class
/// derives from this and provides <see cref="CreateStoreAsync"/>: a fresh, empty store on each call.
/// <para>Time. A store that takes its clock from the <see cref="TimeProvider"/> it is given (file, SQLite) keeps
/// <see cref="UsesInjectedClock"/> true: it gets <see cref="Clock"/> (a <see cref="FakeTimeProvider"/>) and the tests
/// that need a lease to lapse move that clock, with no waiting. A store that keeps time itself (Redis, PostgreSQL:
/// the server's clock) overrides <see cref="UsesInjectedClock"/> to false: it gets null, and those tests use short real
/// leases (<see cref="ShortLease"/>) and poll, bounded by <see cref="ExpiryDeadline"/>, until the lease lapsed.</para>
/// <para>Every store the suite creates is disposed at the end of its test when it is <see cref="IAsyncDisposable"/> or
/// <see cref="IDisposable"/>; a derived class with its own clean-up overrides <see cref="DisposeAsync"/> and calls the base.</para>
/// </summary>
public abstract class SessionStoreContractTests : IAsyncLifetime
{
    private readonly List<ISessionStore> _created = new();

    /// <summary>The clock handed to stores that use an injected clock; starts at a fixed instant and moves only on <c>Advance</c>.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>True (default): the store reads time from the <see cref="TimeProvider"/> given to <see cref="CreateStoreAsync"/>.
    /// False: the store keeps its own clock; it is given null and lapses are awaited in real time.</summary>
    protected virtual bool UsesInjectedClock => true;

    /// <summary>A lease meant to lapse during a test: with the injected clock any length works (the clock is moved); with
    /// the store's own clock it is short, so the wait is short.</summary>
    protected virtual TimeSpan ShortLease => UsesInjectedClock ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(1);

    /// <summary>A lease that must not lapse during a test.</summary>
    protected virtual TimeSpan LongLease => TimeSpan.FromMinutes(5);

    /// <summary>How long a real-time wait for a lapse may take beyond the lease itself before the test fails.</summary>
    protected virtual TimeSpan ExpiryDeadline => TimeSpan.FromSeconds(15);

    /// <summary>How far a lease's <see cref="SessionLease.ExpiresAt"/> may be from "now + duration" (clock resolution and,
    /// for a store with its own clock, the distance between its clock and this machine's).</summary>
    protected virtual TimeSpan ClockTolerance => UsesInjectedClock ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(5);

    /// <summary>Creates a fresh, empty store. <paramref name="time"/> is <see cref="Clock"/> when <see cref="UsesInjectedClock"/>, else null.</summary>
    protected abstract Task<ISessionStore> CreateStoreAsync(TimeProvider? time);

    /// <inheritdoc/>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        foreach (var store in _created)
        {
            switch (store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        _created.Clear();
    }

    /// <summary>The current time as the store sees it (the fake clock, or this machine's).</summary>
    protected DateTimeOffset Now => UsesInjectedClock ? Clock.GetUtcNow() : DateTimeOffset.UtcNow;

    /// <summary>A fresh store, disposed at the end of the test.</summary>
    protected async Task<ISessionStore> NewStoreAsync()
    {
        var store = await CreateStoreAsync(UsesInjectedClock ? Clock : null);
        _created.Add(store);
        return store;
    }

    /// <summary>A unique session key (stores shared between tests, such as a server, never see one twice).</summary>
    protected static string NewKey(string name = "session") => $"{name}-{Guid.NewGuid():N}";

    /// <summary>A bound for one store call, so a hung store fails the test instead of hanging it.</summary>
    protected static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    /// <summary>Lets <paramref name="lease"/> lapse: moves the fake clock past it, or waits (polling, bounded) until this
    /// machine's clock is past it. A store whose clock can run ahead of or behind this machine's overrides this.</summary>
    protected virtual async Task LetLapseAsync(SessionLease lease)
    {
        if (UsesInjectedClock)
        {
            var left = lease.ExpiresAt - Clock.GetUtcNow();
            Clock.Advance((left > TimeSpan.Zero ? left : TimeSpan.Zero) + TimeSpan.FromMilliseconds(1));
            return;
        }

        var deadline = DateTimeOffset.UtcNow + (lease.ExpiresAt - DateTimeOffset.UtcNow) + ExpiryDeadline;
        while (DateTimeOffset.UtcNow <= lease.ExpiresAt + TimeSpan.FromMilliseconds(20))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"lease {lease} did not lapse by {deadline:O}");
            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }
    }

    /// <summary>Claims <paramref name="sessionKey"/> for <paramref name="ownerId"/> once the lease that holds it lapsed:
    /// with the injected clock after <see cref="LetLapseAsync"/>, in one try; with the store's own clock by trying again
    /// (polling, bounded) until the store agrees the lease lapsed.</summary>
    protected async Task<SessionLease> ClaimAfterLapseAsync(ISessionStore store, SessionLease lapsing, string ownerId, TimeSpan duration)
    {
        await LetLapseAsync(lapsing);
        var deadline = DateTimeOffset.UtcNow + ExpiryDeadline;
        while (true)
        {
            var claimed = await store.TryClaimAsync(lapsing.SessionKey, ownerId, duration, null, Bounded());
            if (claimed is not null)
            {
                return claimed;
            }

            Assert.False(UsesInjectedClock, $"the store refused a claim after {lapsing} lapsed on the injected clock");
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the store still held {lapsing} at {deadline:O}");
            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }
    }

    private static GatewayResumePoint Point(long sequence, string? epoch = "epoch-1") => new("gateway-session-1", epoch, sequence);

    [Fact]
    public async Task Claim_of_a_free_session_starts_an_ownership_with_a_positive_token()
    {
        var store = await NewStoreAsync();
        var key = NewKey();

        var lease = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());

        Assert.NotNull(lease);
        Assert.Equal(key, lease.SessionKey);
        Assert.Equal("worker-a", lease.OwnerId);
        Assert.True(lease.Token >= 1, $"token {lease.Token}");
        Assert.InRange(lease.ExpiresAt, Now + LongLease - ClockTolerance, Now + LongLease + ClockTolerance);
        Assert.True(lease.IsLive(Now));
    }

    [Fact]
    public async Task A_second_owner_cannot_claim_a_live_lease()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(first);

        var second = await store.TryClaimAsync(key, "worker-b", LongLease, null, Bounded());

        Assert.Null(second);
        var held = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.Equal("worker-a", held.OwnerId);
        Assert.Equal(first.Token, held.Token);
    }

    [Fact]
    public async Task A_claim_after_the_lease_lapsed_gets_a_larger_token()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", ShortLease, null, Bounded());
        Assert.NotNull(first);

        var second = await ClaimAfterLapseAsync(store, first, "worker-b", LongLease);

        Assert.Equal("worker-b", second.OwnerId);
        Assert.True(second.Token > first.Token, $"{second.Token} after {first.Token}");
    }

    [Fact]
    public async Task Renew_keeps_the_token_and_extends_the_lease()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var lease = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        if (UsesInjectedClock)
        {
            Clock.Advance(TimeSpan.FromSeconds(10));
        }

        var renewed = await store.RenewAsync(lease, LongLease + LongLease, Bounded());

        Assert.NotNull(renewed);
        Assert.Equal(lease.Token, renewed.Token);
        Assert.Equal("worker-a", renewed.OwnerId);
        Assert.True(renewed.ExpiresAt > lease.ExpiresAt, $"{renewed.ExpiresAt:O} after {lease.ExpiresAt:O}");
        Assert.InRange(renewed.ExpiresAt, Now + LongLease + LongLease - ClockTolerance, Now + LongLease + LongLease + ClockTolerance);
        var held = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.Equal(lease.Token, held.Token);
        Assert.Equal(renewed.ExpiresAt, held.ExpiresAt);
    }

    [Fact]
    public async Task Renew_after_another_owner_claimed_returns_null()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", ShortLease, null, Bounded());
        Assert.NotNull(first);
        var second = await ClaimAfterLapseAsync(store, first, "worker-b", LongLease);

        var renewed = await store.RenewAsync(first, LongLease, Bounded());

        Assert.Null(renewed);
        var held = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.Equal("worker-b", held.OwnerId);
        Assert.Equal(second.Token, held.Token);
    }

    [Fact]
    public async Task Release_after_another_owner_claimed_returns_false()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", ShortLease, null, Bounded());
        Assert.NotNull(first);
        var second = await ClaimAfterLapseAsync(store, first, "worker-b", LongLease);

        Assert.False(await store.ReleaseAsync(first, Bounded()));

        var held = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.Equal("worker-b", held.OwnerId);
        Assert.Equal(second.Token, held.Token);
    }

    [Fact]
    public async Task Release_lets_another_owner_claim_at_once_with_a_larger_token()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(first);

        Assert.True(await store.ReleaseAsync(first, Bounded()));
        var second = await store.TryClaimAsync(key, "worker-b", LongLease, null, Bounded());

        Assert.NotNull(second);
        Assert.Equal("worker-b", second.OwnerId);
        Assert.True(second.Token > first.Token, $"{second.Token} after {first.Token}");
    }

    [Fact]
    public async Task Steal_with_the_observed_lease_takes_the_session_with_a_larger_token()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(first);
        var observed = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);

        var stolen = await store.TryClaimAsync(key, "worker-b", LongLease, observed, Bounded());

        Assert.NotNull(stolen);
        Assert.Equal("worker-b", stolen.OwnerId);
        Assert.True(stolen.Token > first.Token, $"{stolen.Token} after {first.Token}");
        Assert.Null(await store.RenewAsync(first, LongLease, Bounded()));
    }

    [Fact]
    public async Task Steal_with_a_stale_observed_lease_fails()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var first = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(first);
        var observed = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.True(await store.ReleaseAsync(first, Bounded()));
        var current = await store.TryClaimAsync(key, "worker-c", LongLease, null, Bounded());
        Assert.NotNull(current);

        var stolen = await store.TryClaimAsync(key, "worker-b", LongLease, observed, Bounded());

        Assert.Null(stolen);
        var held = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.Equal("worker-c", held.OwnerId);
        Assert.Equal(current.Token, held.Token);
    }

    [Fact]
    public async Task List_shows_every_sessions_lease()
    {
        var store = await NewStoreAsync();
        var claims = new List<SessionLease>();
        foreach (var (name, owner) in new[] { ("a", "worker-a"), ("b", "worker-b"), ("c", "worker-a") })
        {
            var lease = await store.TryClaimAsync(NewKey(name), owner, LongLease, null, Bounded());
            Assert.NotNull(lease);
            claims.Add(lease);
        }

        var leases = await store.ListLeasesAsync(Bounded());

        Assert.Equal(claims.Count, leases.Count);
        foreach (var claim in claims)
        {
            var listed = Assert.Single(leases, l => l.SessionKey == claim.SessionKey);
            Assert.Equal(claim.OwnerId, listed.OwnerId);
            Assert.Equal(claim.Token, listed.Token);
            Assert.Equal(claim.ExpiresAt, listed.ExpiresAt);
            Assert.True(listed.IsLive(Now));
        }
    }

    [Fact]
    public async Task List_of_an_empty_store_is_empty()
    {
        var store = await NewStoreAsync();

        Assert.Empty(await store.ListLeasesAsync(Bounded()));
    }

    [Fact]
    public async Task Read_without_a_checkpoint_returns_null()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        Assert.Null(await store.ReadCheckpointAsync(key, Bounded()));
        Assert.NotNull(await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded()));

        Assert.Null(await store.ReadCheckpointAsync(key, Bounded()));
    }

    [Fact]
    public async Task A_written_checkpoint_reads_back_as_the_same_resume_point()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var lease = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        var parsed = GatewayResumePoint.Parse(new GatewayResumePoint("sess/ü \"quoted\"", "ep.och", 41).ToString());

        await store.WriteCheckpointAsync(lease, Point(7), Bounded());
        await store.WriteCheckpointAsync(lease, parsed, Bounded());
        var checkpoint = await store.ReadCheckpointAsync(key, Bounded());

        Assert.NotNull(checkpoint);
        Assert.IsType<GatewayResumePoint>(checkpoint.Position);
        Assert.Equal(parsed, checkpoint.Position);
        Assert.Equal("sess/ü \"quoted\"", checkpoint.Position.SessionId);
        Assert.Equal("ep.och", checkpoint.Position.Epoch);
        Assert.Equal(41, checkpoint.Position.Sequence);
        Assert.Equal(key, checkpoint.SessionKey);
        Assert.Equal(lease.Token, checkpoint.Token);
        Assert.InRange(checkpoint.WrittenAt, Now - ClockTolerance, Now + ClockTolerance);
    }

    [Fact]
    public async Task A_checkpoint_without_an_epoch_reads_back_without_one()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var lease = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);

        await store.WriteCheckpointAsync(lease, Point(0, epoch: null), Bounded());
        var checkpoint = await store.ReadCheckpointAsync(key, Bounded());

        Assert.NotNull(checkpoint);
        Assert.Null(checkpoint.Position.Epoch);
        Assert.Equal(Point(0, epoch: null), checkpoint.Position);
    }

    [Fact]
    public async Task A_write_with_an_older_token_after_a_newer_claim_is_refused_and_the_newer_checkpoint_stays()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var old = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(old);
        await store.WriteCheckpointAsync(old, Point(10), Bounded());
        Assert.True(await store.ReleaseAsync(old, Bounded()));
        var newer = await store.TryClaimAsync(key, "worker-b", LongLease, null, Bounded());
        Assert.NotNull(newer);
        await store.WriteCheckpointAsync(newer, Point(20), Bounded());

        var refused = await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(old, Point(15), Bounded()));

        Assert.Equal(key, refused.SessionKey);
        Assert.Equal(old.Token, refused.Token);
        Assert.True(refused.NewestToken is null || refused.NewestToken == newer.Token, $"newest {refused.NewestToken}");
        var checkpoint = await store.ReadCheckpointAsync(key, Bounded());
        Assert.NotNull(checkpoint);
        Assert.Equal(Point(20), checkpoint.Position);
        Assert.Equal(newer.Token, checkpoint.Token);
    }

    [Fact]
    public async Task A_write_with_an_older_token_after_a_newer_claim_is_refused_even_before_the_new_owner_wrote()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var old = await store.TryClaimAsync(key, "worker-a", ShortLease, null, Bounded());
        Assert.NotNull(old);
        await store.WriteCheckpointAsync(old, Point(10), Bounded());
        await ClaimAfterLapseAsync(store, old, "worker-b", LongLease);

        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(old, Point(15), Bounded()));

        var checkpoint = await store.ReadCheckpointAsync(key, Bounded());
        Assert.NotNull(checkpoint);
        Assert.Equal(Point(10), checkpoint.Position);
        Assert.Equal(old.Token, checkpoint.Token);
    }

    [Fact]
    public async Task A_write_with_the_current_token_after_expiry_but_before_any_claim_is_accepted()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var lease = await store.TryClaimAsync(key, "worker-a", ShortLease, null, Bounded());
        Assert.NotNull(lease);
        await LetLapseAsync(lease);

        await store.WriteCheckpointAsync(lease, Point(30), Bounded());

        var checkpoint = await store.ReadCheckpointAsync(key, Bounded());
        Assert.NotNull(checkpoint);
        Assert.Equal(Point(30), checkpoint.Position);
        Assert.Equal(lease.Token, checkpoint.Token);
        // The lease had lapsed: another owner claims it, and from then on the late writer is refused.
        var next = await ClaimAfterLapseAsync(store, lease, "worker-b", LongLease);
        Assert.True(next.Token > lease.Token);
        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(lease, Point(31), Bounded()));
    }

    [Fact]
    public async Task A_write_for_a_session_never_claimed_is_refused()
    {
        var store = await NewStoreAsync();
        var forged = new SessionLease(NewKey(), "worker-a", 1, Now + LongLease);

        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(forged, Point(1), Bounded()));

        Assert.Null(await store.ReadCheckpointAsync(forged.SessionKey, Bounded()));
    }

    [Fact]
    public async Task Tokens_never_repeat_across_claim_release_cycles()
    {
        var store = await NewStoreAsync();
        var key = NewKey();
        var tokens = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var lease = await store.TryClaimAsync(key, i % 2 == 0 ? "worker-a" : "worker-b", LongLease, null, Bounded());
            Assert.NotNull(lease);
            tokens.Add(lease.Token);
            Assert.True(await store.ReleaseAsync(lease, Bounded()));
        }

        for (var i = 1; i < tokens.Count; i++)
        {
            Assert.True(tokens[i] > tokens[i - 1], $"tokens {string.Join(", ", tokens)}");
        }
    }

    [Fact]
    public async Task Concurrent_claims_of_one_free_session_have_exactly_one_winner()
    {
        const int Claimants = 8;
        var store = await NewStoreAsync();
        var key = NewKey();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Enumerable.Range(0, Claimants).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await store.TryClaimAsync(key, $"worker-{i}", LongLease, null, Bounded());
        })).ToArray();

        start.SetResult();
        var results = await Task.WhenAll(claims);

        var winner = Assert.Single(results, r => r is not null);
        Assert.NotNull(winner);
        var held = Assert.Single(await store.ListLeasesAsync(Bounded()), l => l.SessionKey == key);
        Assert.Equal(winner.OwnerId, held.OwnerId);
        Assert.Equal(winner.Token, held.Token);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Claim_with_a_missing_session_key_or_owner_throws_ArgumentException(string? missing)
    {
        var store = await NewStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryClaimAsync(missing!, "worker-a", LongLease, null, Bounded()));
        if (missing is not "   ")
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryClaimAsync(NewKey(), missing!, LongLease, null, Bounded()));
        }

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReadCheckpointAsync(missing!, Bounded()));
    }

    [Fact]
    public async Task Claim_or_renew_for_a_duration_that_is_not_positive_throws_ArgumentException()
    {
        var store = await NewStoreAsync();
        var lease = await store.TryClaimAsync(NewKey(), "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryClaimAsync(NewKey(), "worker-a", TimeSpan.Zero, null, Bounded()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryClaimAsync(NewKey(), "worker-a", TimeSpan.FromSeconds(-1), null, Bounded()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RenewAsync(lease, TimeSpan.Zero, Bounded()));
    }

    [Fact]
    public async Task Null_lease_or_position_throws_ArgumentException()
    {
        var store = await NewStoreAsync();
        var lease = await store.TryClaimAsync(NewKey(), "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RenewAsync(null!, LongLease, Bounded()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ReleaseAsync(null!, Bounded()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.WriteCheckpointAsync(null!, Point(1), Bounded()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.WriteCheckpointAsync(lease, null!, Bounded()));
    }
}

using Gateway.Client.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.SessionTests;

public sealed class OwnershipCycleTests : IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly string[] Keys = ["s0", "s1", "s2", "s3"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private ISessionStore Store(string kind)
    {
        if (kind == "memory")
        {
            return new InMemorySessionStore(_time);
        }

        var directory = Path.Combine(Path.GetTempPath(), "gateway-processor-" + Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return new FileSessionStore(directory, new FileSessionStoreOptions { TimeProvider = _time });
    }

    private OwnershipCycle Cycle(ISessionStore store, string owner, RecordingRunner runner) => new(store, Keys, owner, Duration, _time, runner, new Random(3));

    private static async Task<IReadOnlyList<SessionLease>> Live(ISessionStore store, DateTimeOffset now) =>
        (await store.ListLeasesAsync(CancellationToken.None)).Where(l => l.IsLive(now)).ToList();

    [Theory]
    [InlineData("memory")]
    [InlineData("file")]
    public async Task A_lone_owner_claims_one_session_per_cycle_and_starts_it(string kind)
    {
        var store = Store(kind);
        var runner = new RecordingRunner();
        var cycle = Cycle(store, "a", runner);

        for (var i = 1; i <= Keys.Length; i++)
        {
            var decision = await cycle.RunCycleAsync(CancellationToken.None);
            Assert.Equal(BalanceAction.Claim, decision.Action);
            Assert.Equal(i, cycle.Owned.Count);
            Assert.Equal(i, runner.Started.Count);
        }

        Assert.Equal(BalanceAction.None, (await cycle.RunCycleAsync(CancellationToken.None)).Action);
        Assert.Equal(Keys.Length, (await Live(store, _time.GetUtcNow())).Count(l => l.OwnerId == "a"));
    }

    [Fact]
    public async Task A_joining_owner_steals_its_share_and_the_old_owner_closes_what_it_lost()
    {
        var store = Store("memory");
        var runnerA = new RecordingRunner();
        var runnerB = new RecordingRunner();
        var a = Cycle(store, "a", runnerA);
        var b = Cycle(store, "b", runnerB);
        for (var i = 0; i < Keys.Length; i++)
        {
            await a.RunCycleAsync(CancellationToken.None);
        }

        Assert.Equal(BalanceAction.Steal, (await b.RunCycleAsync(CancellationToken.None)).Action);
        Assert.Equal(BalanceAction.Steal, (await b.RunCycleAsync(CancellationToken.None)).Action);
        Assert.Equal(BalanceAction.None, (await b.RunCycleAsync(CancellationToken.None)).Action);
        await a.RunCycleAsync(CancellationToken.None);

        Assert.Equal(2, a.Owned.Count);
        Assert.Equal(2, b.Owned.Count);
        Assert.Empty(a.Owned.Intersect(b.Owned));
        Assert.Equal(b.Owned.OrderBy(k => k), runnerA.Closed.Select(c => c.Key).OrderBy(k => k));
        Assert.All(runnerA.Closed, c => Assert.Equal(SessionCloseReason.OwnershipLost, c.Reason));
        Assert.All(runnerA.Closed, c => Assert.True(runnerA.Tokens[c.Key].IsCancellationRequested));
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("file")]
    public async Task A_graceful_stop_releases_every_lease_so_another_owner_claims_without_waiting_for_expiry(string kind)
    {
        var store = Store(kind);
        var runnerA = new RecordingRunner();
        var a = Cycle(store, "a", runnerA);
        for (var i = 0; i < Keys.Length; i++)
        {
            await a.RunCycleAsync(CancellationToken.None);
        }

        await a.StopAsync(CancellationToken.None);

        Assert.Empty(a.Owned);
        Assert.Empty(await Live(store, _time.GetUtcNow()));
        Assert.Equal(Keys.Length, runnerA.Closed.Count);
        Assert.All(runnerA.Closed, c => Assert.Equal(SessionCloseReason.Shutdown, c.Reason));
        Assert.Equal(BalanceAction.None, (await a.RunCycleAsync(CancellationToken.None)).Action); // stopped stays stopped

        var b = Cycle(store, "b", new RecordingRunner());
        Assert.Equal(BalanceAction.Claim, (await b.RunCycleAsync(CancellationToken.None)).Action); // no time has passed
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("file")]
    public async Task After_a_graceful_stop_the_remaining_owner_takes_every_released_session_in_one_cycle(string kind)
    {
        var store = Store(kind);
        var a = Cycle(store, "a", new RecordingRunner());
        var runnerB = new RecordingRunner();
        var b = Cycle(store, "b", runnerB);
        for (var i = 0; i < Keys.Length; i++)
        {
            await a.RunCycleAsync(CancellationToken.None);
        }

        await b.RunCycleAsync(CancellationToken.None); // b steals one: steals stay one per cycle
        await b.RunCycleAsync(CancellationToken.None);
        Assert.Equal(2, b.Owned.Count);
        await a.RenewAsync(CancellationToken.None);
        Assert.Equal(2, a.Owned.Count);

        await a.StopAsync(CancellationToken.None);
        Assert.Equal(BalanceAction.Claim, (await b.RunCycleAsync(CancellationToken.None)).Action);

        Assert.Equal(Keys.Length, b.Owned.Count); // both released sessions in one cycle
        Assert.Equal(Keys.Length, runnerB.Started.Count);
        Assert.All(await Live(store, _time.GetUtcNow()), l => Assert.Equal("b", l.OwnerId));
    }

    [Fact]
    public async Task After_a_crash_the_remaining_owner_takes_every_lapsed_session_in_one_cycle_once_the_leases_lapse()
    {
        var store = Store("memory");
        var a = Cycle(store, "a", new RecordingRunner()); // a crashes: it never renews or releases again
        var b = Cycle(store, "b", new RecordingRunner());
        await a.RunCycleAsync(CancellationToken.None);
        await a.RunCycleAsync(CancellationToken.None);
        await b.RunCycleAsync(CancellationToken.None);
        await b.RunCycleAsync(CancellationToken.None);
        Assert.Equal(2, b.Owned.Count);

        _time.Advance(Duration - TimeSpan.FromSeconds(1));
        await b.RunCycleAsync(CancellationToken.None);
        Assert.Equal(2, b.Owned.Count); // a's leases still hold

        _time.Advance(TimeSpan.FromSeconds(1));
        await b.RunCycleAsync(CancellationToken.None);
        Assert.Equal(Keys.Length, b.Owned.Count);
    }

    [Fact]
    public async Task ClaimsPerCycle_lets_one_cycle_take_that_many_sessions_never_claimed_before_and_that_many_steals()
    {
        var store = Store("memory");
        var keys = Enumerable.Range(0, 10).Select(i => $"k{i}").ToArray();
        var a = new OwnershipCycle(store, keys, "a", Duration, _time, new RecordingRunner(), new Random(3), claimsPerCycle: 4);
        var b = new OwnershipCycle(store, keys, "b", Duration, _time, new RecordingRunner(), new Random(3), claimsPerCycle: 4);

        await a.RunCycleAsync(CancellationToken.None);
        Assert.Equal(4, a.Owned.Count);
        await a.RunCycleAsync(CancellationToken.None);
        await a.RunCycleAsync(CancellationToken.None);
        Assert.Equal(10, a.Owned.Count); // 4 + 4 + 2

        await b.RunCycleAsync(CancellationToken.None);
        Assert.Equal(4, b.Owned.Count); // four steals in one cycle, then one more to reach the fair share
        await b.RunCycleAsync(CancellationToken.None);
        await a.RenewAsync(CancellationToken.None);
        Assert.Equal((5, 5), (a.Owned.Count, b.Owned.Count));
    }

    [Fact]
    public async Task A_lease_is_released_only_after_the_closing_handler_has_finished()
    {
        var store = new FlakyStore(Store("memory"));
        var closing = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new RecordingRunner { CloseGate = closing.Task };
        var a = Cycle(store, "a", runner);
        await a.RunCycleAsync(CancellationToken.None);
        await a.RunCycleAsync(CancellationToken.None);

        var stop = a.StopAsync(CancellationToken.None);

        Assert.Equal(2, runner.Closing.Count); // both closing handlers run at once
        Assert.False(stop.IsCompleted);
        Assert.DoesNotContain(store.Calls, c => c.StartsWith("release", StringComparison.Ordinal));
        Assert.Equal(2, (await Live(store, _time.GetUtcNow())).Count(l => l.OwnerId == "a"));

        closing.SetResult(true);
        await stop;

        Assert.Equal(2, store.Calls.Count(c => c.StartsWith("release", StringComparison.Ordinal)));
        Assert.Empty(await Live(store, _time.GetUtcNow()));
    }

    [Fact]
    public async Task When_renewals_fail_the_lost_token_fires_at_the_deadline_and_the_session_is_closed_without_a_release()
    {
        var store = new FlakyStore(Store("memory"));
        var runner = new RecordingRunner();
        var a = Cycle(store, "a", runner);
        await a.RunCycleAsync(CancellationToken.None);
        var key = Assert.Single(a.Owned);
        store.FailRenewals = true;
        var errors = new List<string>();
        a.OnError = (session, operation, _) => errors.Add($"{operation} {session}");

        _time.Advance(TimeSpan.FromSeconds(10));
        await a.RenewAsync(CancellationToken.None);
        Assert.False(runner.Tokens[key].IsCancellationRequested);
        Assert.Equal([$"renew {key}"], errors);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(runner.Tokens[key].IsCancellationRequested); // the moment the deadline passed, before any cycle

        await a.RenewAsync(CancellationToken.None);
        Assert.Empty(a.Owned);
        Assert.Equal((key, SessionCloseReason.OwnershipLost), Assert.Single(runner.Closed));

        await a.StopAsync(CancellationToken.None);
        Assert.DoesNotContain(store.Calls, c => c.StartsWith("release", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Driven_on_the_clock_the_balancing_cycle_leaves_renewals_to_the_renew_timer()
    {
        var store = new FlakyStore(Store("memory"));
        var a = Cycle(store, "a", new RecordingRunner());
        a.Start(renewInterval: TimeSpan.FromSeconds(10), balanceInterval: TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(9)); // three more cycles, no renew tick yet
        Assert.Equal(Keys.Length, a.Owned.Count);
        Assert.DoesNotContain(store.Calls, c => c.StartsWith("renew", StringComparison.Ordinal)); // a cycle's cost does not grow with what it owns

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Keys.Length, store.Calls.Count(c => c.StartsWith("renew", StringComparison.Ordinal)));
        await a.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_failing_release_on_stop_is_reported_and_the_other_leases_are_still_released()
    {
        var inner = Store("memory");
        var store = new FlakyStore(inner);
        var a = Cycle(store, "a", new RecordingRunner());
        await a.RunCycleAsync(CancellationToken.None);
        store.FailReleases = true;
        var errors = new List<string>();
        a.OnError = (session, operation, _) => errors.Add(operation);

        await a.StopAsync(CancellationToken.None);

        Assert.Equal(["release"], errors);
    }

    [Fact]
    public async Task A_session_that_fails_to_start_is_reported_and_released_at_once()
    {
        var store = Store("memory");
        var a = Cycle(store, "a", new RecordingRunner { FailStart = true });
        var errors = new List<string>();
        a.OnError = (session, operation, _) => errors.Add(operation);

        Assert.Equal(BalanceAction.None, (await a.RunCycleAsync(CancellationToken.None)).Action);

        Assert.Equal(["start"], errors);
        Assert.Empty(a.Owned);
        Assert.Empty(await Live(store, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Started_on_the_clock_it_claims_one_session_per_balance_interval_and_keeps_them_renewed()
    {
        var store = new FlakyStore(Store("memory"));
        var runner = new RecordingRunner();
        var a = Cycle(store, "a", runner);
        a.Start(renewInterval: TimeSpan.FromSeconds(10), balanceInterval: TimeSpan.FromSeconds(15));
        _time.Advance(TimeSpan.Zero);

        Assert.Single(a.Owned); // the first cycle runs at once
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(2, a.Owned.Count);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(4, a.Owned.Count);

        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5)); // far past any lease duration: renewals keep every lease
        }

        Assert.Equal(4, a.Owned.Count);
        Assert.Empty(runner.Closed);
        Assert.All(runner.Tokens.Values, t => Assert.False(t.IsCancellationRequested));
        Assert.Contains(store.Calls, c => c.StartsWith("renew", StringComparison.Ordinal));

        await a.StopAsync(CancellationToken.None);
        var calls = store.Calls.Count;
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(calls, store.Calls.Count); // stopped: no more ticks
        Assert.Empty(await Live(store, _time.GetUtcNow()));
    }

    [Fact]
    public void A_failing_tick_is_reported_and_the_next_one_runs()
    {
        var store = new ListFails(Store("memory"));
        var a = Cycle(store, "a", new RecordingRunner());
        var errors = new List<string>();
        a.OnError = (session, operation, _) => errors.Add(operation);
        store.Fail = true;

        a.Start(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15));
        _time.Advance(TimeSpan.Zero);
        Assert.Equal(["balance"], errors);

        store.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Single(a.Owned);
    }

    [Fact]
    public async Task A_closing_handler_that_never_finishes_is_abandoned_after_the_closing_timeout_and_the_lease_released()
    {
        var store = new FlakyStore(Store("memory"));
        var runner = new RecordingRunner { CloseGate = new TaskCompletionSource<bool>().Task };
        var a = new OwnershipCycle(store, Keys, "a", Duration, _time, runner, new Random(3), closingTimeout: TimeSpan.FromSeconds(5));
        var errors = new List<Exception>();
        a.OnError = (_, _, ex) => errors.Add(ex);
        await a.RunCycleAsync(CancellationToken.None);

        var stop = a.StopAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(stop.IsCompleted);
        Assert.DoesNotContain(store.Calls, c => c.StartsWith("release", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromTicks(1));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.IsType<TimeoutException>(Assert.Single(errors));
        Assert.Empty(await Live(store, _time.GetUtcNow()));
    }

    [Fact]
    public void Started_on_the_clock_a_session_is_closed_the_moment_its_lease_is_lost_not_at_the_next_tick()
    {
        var store = new FlakyStore(Store("memory"));
        var runner = new RecordingRunner();
        var a = Cycle(store, "a", runner);
        a.Start(renewInterval: TimeSpan.FromSeconds(7), balanceInterval: TimeSpan.FromSeconds(100));
        _time.Advance(TimeSpan.Zero);
        var key = Assert.Single(a.Owned);
        store.FailRenewals = true;

        _time.Advance(TimeSpan.FromSeconds(29)); // renewals at 7, 14, 21, 28 fail; the deadline is 30
        Assert.Empty(runner.Closed);

        _time.Advance(TimeSpan.FromSeconds(1)); // the deadline; the next renew tick would be at 35

        Assert.Equal((key, SessionCloseReason.OwnershipLost), Assert.Single(runner.Closed));
        Assert.Empty(a.Owned);
    }

    private sealed class ListFails(ISessionStore inner) : ISessionStore
    {
        public bool Fail { get; set; }

        public Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken) => inner.TryClaimAsync(sessionKey, ownerId, duration, observed, cancellationToken);

        public Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken) => inner.RenewAsync(lease, duration, cancellationToken);

        public Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken) => inner.ReleaseAsync(lease, cancellationToken);

        public Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken) =>
            Fail ? Task.FromException<IReadOnlyList<SessionLease>>(new SessionStoreException("unreachable")) : inner.ListLeasesAsync(cancellationToken);

        public Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken) => inner.ReadCheckpointAsync(sessionKey, cancellationToken);

        public Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken) => inner.WriteCheckpointAsync(lease, position, cancellationToken);
    }

    private sealed class RecordingRunner : ISessionRunner
    {
        public bool FailStart { get; set; }

        public Task CloseGate { get; set; } = Task.CompletedTask;

        public List<string> Started { get; } = [];

        public Dictionary<string, CancellationToken> Tokens { get; } = [];

        public List<string> Closing { get; } = [];

        public List<(string Key, SessionCloseReason Reason)> Closed { get; } = [];

        public Task StartAsync(LeaseKeeper keeper, CancellationToken cancellationToken)
        {
            if (FailStart)
            {
                throw new InvalidOperationException("the session cannot start");
            }

            lock (this)
            {
                Started.Add(keeper.SessionKey);
                Tokens[keeper.SessionKey] = keeper.Lost;
            }

            return Task.CompletedTask;
        }

        public async Task CloseAsync(LeaseKeeper keeper, SessionCloseReason reason, CancellationToken cancellationToken)
        {
            lock (this)
            {
                Closing.Add(keeper.SessionKey);
            }

            await CloseGate;
            lock (this)
            {
                Closed.Add((keeper.SessionKey, reason));
            }
        }
    }
}

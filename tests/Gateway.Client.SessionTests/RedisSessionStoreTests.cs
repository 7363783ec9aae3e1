using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Redis;
using StackExchange.Redis;

namespace Gateway.Client.SessionTests;

/// <summary>What only the Redis store shows, on a real server: where the token lives, the server's clock, a checkpoint
/// write racing a claim from another connection, typed errors.</summary>
[Collection(RedisCollection.Name)]
[RequiresServer(typeof(RedisServer))]
public sealed class RedisSessionStoreTests(RedisServerFixture redis)
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static string NewKey() => $"session-{Guid.NewGuid():N}";

    private static GatewayResumePoint Point(long sequence) => new("gateway-session-1", "epoch-1", sequence);

    private RedisSessionStore NewStore(string? prefix = null, IConnectionMultiplexer? connection = null) =>
        new(connection ?? redis.Connection, new RedisSessionStoreOptions { KeyPrefix = prefix ?? RedisServerFixture.NewPrefix() });

    private async Task<DateTimeOffset> ServerNowAsync()
    {
        var time = (RedisResult[])(await redis.Connection.GetDatabase().ExecuteAsync("TIME"))!;
        return DateTimeOffset.FromUnixTimeMilliseconds(((long)time[0] * 1000) + ((long)time[1] / 1000));
    }

    /// <summary>Polls (bounded) until the server's clock is past <paramref name="lease"/>.</summary>
    private async Task LetLapseAsync(SessionLease lease)
    {
        using var limit = new CancellationTokenSource(lease.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15));
        while (await ServerNowAsync() <= lease.ExpiresAt)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), limit.Token);
        }
    }

    [Fact]
    public async Task The_token_survives_the_leases_expiry_and_a_release_and_is_never_reused()
    {
        var store = NewStore();
        var key = NewKey();
        var hash = (RedisKey)(store.KeyPrefix + "session:" + key);
        var database = redis.Connection.GetDatabase();

        var first = await store.TryClaimAsync(key, "worker-a", TimeSpan.FromMilliseconds(300), null, Bounded());
        Assert.NotNull(first);
        // The session's record, its token counter with it, has no time to live: an expiry is a field, not a deletion.
        Assert.Null(await database.KeyTimeToLiveAsync(hash));
        await LetLapseAsync(first);
        Assert.True(await database.KeyExistsAsync(hash));
        Assert.Equal(first.Token, (long)await database.HashGetAsync(hash, "token"));

        var second = await store.TryClaimAsync(key, "worker-b", LongLease, null, Bounded());
        Assert.NotNull(second);
        Assert.Equal(first.Token + 1, second.Token);
        Assert.True(await store.ReleaseAsync(second, Bounded()));
        var released = Assert.Single(await store.ListLeasesAsync(Bounded()));
        Assert.Equal((string.Empty, second.Token), (released.OwnerId, released.Token));
        Assert.False(released.IsLive(await ServerNowAsync()));
        Assert.Null(await database.KeyTimeToLiveAsync(hash));

        var third = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        Assert.NotNull(third);
        Assert.Equal(second.Token + 1, third.Token);
        // Neither the old lease's renewal nor its release can touch the new ownership.
        Assert.Null(await store.RenewAsync(first, LongLease, Bounded()));
        Assert.False(await store.ReleaseAsync(second, Bounded()));
        Assert.Equal(third.Token, (long)await database.HashGetAsync(hash, "token"));
    }

    [Fact]
    public async Task Expiry_is_the_servers_clock()
    {
        var store = NewStore();
        var before = await ServerNowAsync();

        var lease = await store.TryClaimAsync(NewKey(), "worker-a", LongLease, null, Bounded());
        var after = await ServerNowAsync();

        Assert.NotNull(lease);
        Assert.InRange(lease.ExpiresAt, before + LongLease, after + LongLease);
    }

    [Fact]
    public async Task A_checkpoint_write_racing_a_claim_from_another_connection_is_accepted_before_or_refused_after_never_lost()
    {
        await using var other = await redis.ConnectAsync();
        var prefix = RedisServerFixture.NewPrefix();
        var workerA = NewStore(prefix);
        var workerB = NewStore(prefix, other);

        for (var round = 0; round < 25; round++)
        {
            var key = NewKey();
            var lease = await workerA.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
            Assert.NotNull(lease);
            var observed = Assert.Single(await workerB.ListLeasesAsync(Bounded()), l => l.SessionKey == key);

            // Worker A writes checkpoints back to back until refused; worker B, on its own connection, takes the session
            // over while A writes (a steal with the lease it observed).
            var aWrote = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writer = Task.Run(async () =>
            {
                long lastAccepted = 0;
                for (var sequence = 1L; ; sequence++)
                {
                    try
                    {
                        await workerA.WriteCheckpointAsync(lease, Point(sequence), Bounded());
                        lastAccepted = sequence;
                        if (sequence == 3)
                        {
                            aWrote.TrySetResult();
                        }
                    }
                    catch (SessionOwnershipLostException refused)
                    {
                        aWrote.TrySetResult();
                        return (lastAccepted, refused);
                    }
                }
            });
            await aWrote.Task.WaitAsync(Bounded());
            var taken = await workerB.TryClaimAsync(key, "worker-b", LongLease, observed, Bounded());
            Assert.NotNull(taken);
            var seenByB = await workerB.ReadCheckpointAsync(key, Bounded());
            var (lastAcceptedByA, refusal) = await writer.WaitAsync(Bounded());

            // Every write A was told succeeded ran before B's claim (B reads the last of them); every write after the
            // claim was refused, naming B's token; nothing A wrote after the claim landed.
            Assert.NotNull(seenByB);
            Assert.Equal(Point(lastAcceptedByA), seenByB.Position);
            Assert.Equal(lease.Token, seenByB.Token);
            Assert.Equal(taken.Token, refusal.NewestToken);
            Assert.Equal(lease.Token, refusal.Token);
            var final = await workerA.ReadCheckpointAsync(key, Bounded());
            Assert.NotNull(final);
            Assert.Equal(Point(lastAcceptedByA), final.Position);

            // The new owner goes on from there, and A's late write cannot overwrite it.
            await workerB.WriteCheckpointAsync(taken, Point(lastAcceptedByA + 100), Bounded());
            await Assert.ThrowsAsync<SessionOwnershipLostException>(() => workerA.WriteCheckpointAsync(lease, Point(lastAcceptedByA + 1), Bounded()));
            Assert.Equal(Point(lastAcceptedByA + 100), (await workerB.ReadCheckpointAsync(key, Bounded()))!.Position);
        }
    }

    [Fact]
    public async Task A_claim_and_a_write_that_race_after_expiry_keep_their_order()
    {
        // The same race without a steal: A's lease lapses while A still writes, and B claims it as soon as the server's
        // clock says so (B polls). A's writes are accepted until B's claim, refused after it.
        await using var other = await redis.ConnectAsync();
        var prefix = RedisServerFixture.NewPrefix();
        var workerA = NewStore(prefix);
        var workerB = NewStore(prefix, other);
        var key = NewKey();
        var lease = await workerA.TryClaimAsync(key, "worker-a", TimeSpan.FromMilliseconds(300), null, Bounded());
        Assert.NotNull(lease);

        var writer = Task.Run(async () =>
        {
            long lastAccepted = 0;
            for (var sequence = 1L; ; sequence++)
            {
                try
                {
                    await workerA.WriteCheckpointAsync(lease, Point(sequence), Bounded());
                    lastAccepted = sequence;
                }
                catch (SessionOwnershipLostException refused)
                {
                    return (lastAccepted, refused);
                }
            }
        });
        SessionLease? taken = null;
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while ((taken = await workerB.TryClaimAsync(key, "worker-b", LongLease, null, Bounded())) is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), limit.Token);
            }
        }

        var seenByB = await workerB.ReadCheckpointAsync(key, Bounded());
        var (lastAcceptedByA, refusal) = await writer.WaitAsync(Bounded());

        Assert.True(lastAcceptedByA > 0, "A wrote nothing before its lease lapsed");
        Assert.NotNull(seenByB);
        Assert.Equal(Point(lastAcceptedByA), seenByB.Position);
        Assert.Equal(taken.Token, refusal.NewestToken);
        Assert.Equal(Point(lastAcceptedByA), (await workerB.ReadCheckpointAsync(key, Bounded()))!.Position);
    }

    [Fact]
    public async Task Stores_with_different_prefixes_do_not_see_each_other()
    {
        var one = NewStore();
        var two = NewStore();
        var key = NewKey();

        var first = await one.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
        var second = await two.TryClaimAsync(key, "worker-b", LongLease, null, Bounded());

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(key, Assert.Single(await one.ListLeasesAsync(Bounded())).SessionKey);
        Assert.Equal("worker-b", Assert.Single(await two.ListLeasesAsync(Bounded())).OwnerId);
    }

    [Fact]
    public async Task A_checkpoint_that_is_not_a_resume_point_is_a_typed_store_error()
    {
        var store = NewStore();
        var key = NewKey();
        await redis.Connection.GetDatabase().HashSetAsync(store.KeyPrefix + "session:" + key, [new("cp", "not a resume point"), new("cp_token", 1), new("cp_at", 0)]);

        var error = await Assert.ThrowsAsync<SessionStoreException>(() => store.ReadCheckpointAsync(key, Bounded()));

        Assert.Contains("not a resume point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_a_typed_store_error()
    {
        // A port nobody listens on: the connection is made without waiting for it (abortConnect=false), so every call fails.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var unreachable = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=500,syncTimeout=1000,asyncTimeout=1000,connectRetry=0");
        var store = NewStore(connection: unreachable);
        var lease = new SessionLease(NewKey(), "worker-a", 1, DateTimeOffset.UtcNow + LongLease);

        var claim = await Assert.ThrowsAsync<SessionStoreException>(() => store.TryClaimAsync(NewKey(), "worker-a", LongLease, null, Bounded()));
        var write = await Assert.ThrowsAnyAsync<SessionStoreException>(() => store.WriteCheckpointAsync(lease, Point(1), Bounded()));
        var list = await Assert.ThrowsAsync<SessionStoreException>(() => store.ListLeasesAsync(Bounded()));

        Assert.IsType<RedisConnectionException>(claim.InnerException);
        Assert.IsNotType<SessionOwnershipLostException>(write);
        Assert.NotNull(list.InnerException);
        var connect = await Assert.ThrowsAsync<SessionStoreException>(() => RedisSessionStore.ConnectAsync($"127.0.0.1:{port},connectTimeout=500,connectRetry=0"));
        Assert.NotNull(connect.InnerException);
    }

    [Fact]
    public async Task ConnectAsync_makes_a_store_that_owns_its_connection()
    {
        var prefix = RedisServerFixture.NewPrefix();
        var key = NewKey();
        SessionLease? lease;
        await using (var store = await RedisSessionStore.ConnectAsync(redis.Server.Configuration, new RedisSessionStoreOptions { KeyPrefix = prefix }, Bounded()))
        {
            lease = await store.TryClaimAsync(key, "worker-a", LongLease, null, Bounded());
            Assert.NotNull(lease);
            await store.WriteCheckpointAsync(lease, Point(5), Bounded());
        }

        // Disposed: its own connection closed; the shared one still works, and sees what it wrote.
        var again = NewStore(prefix);
        Assert.Equal(Point(5), (await again.ReadCheckpointAsync(key, Bounded()))!.Position);
        Assert.Equal(lease.Token, Assert.Single(await again.ListLeasesAsync(Bounded())).Token);
    }

    [Fact]
    public async Task A_cancelled_call_throws_OperationCanceledException()
    {
        var store = NewStore();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.TryClaimAsync(NewKey(), "worker-a", LongLease, null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ListLeasesAsync(cancelled.Token));
    }
}

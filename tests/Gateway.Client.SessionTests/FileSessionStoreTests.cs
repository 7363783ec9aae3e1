using System.Text.Json;
using Gateway.Client.Sessions;

namespace Gateway.Client.SessionTests;

/// <summary>The contract on <see cref="FileSessionStore"/> (fake clock, a scratch directory per store), and what only the file store has: its files and its lock.</summary>
public sealed class FileSessionStoreTests : SessionStoreContractTests
{
    private readonly List<string> _directories = new();

    protected override Task<ISessionStore> CreateStoreAsync(TimeProvider? time) =>
        Task.FromResult<ISessionStore>(new FileSessionStore(NewDirectory(), Options(time)));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var directory in _directories)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gateway-sessions-" + Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return directory;
    }

    private static FileSessionStoreOptions Options(TimeProvider? time, TimeSpan? lockTimeout = null)
    {
        var options = new FileSessionStoreOptions();
        if (time is not null)
        {
            options.TimeProvider = time;
        }

        if (lockTimeout is { } timeout)
        {
            options.LockTimeout = timeout;
        }

        return options;
    }

    /// <summary>Every lock file in the store's directory, opened exclusively, as another process holding them would.</summary>
    private static List<FileStream> HoldLocks(FileSessionStore store) =>
        Directory.GetFiles(store.Directory, "*.lock").Select(path => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)).ToList();

    /// <summary>Moves the fake clock in small steps until <paramref name="task"/> ends (bounded in real time).</summary>
    private async Task AdvanceUntilDoneAsync(Task task, TimeSpan step)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!task.IsCompleted)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the store call did not end");
            Clock.Advance(step);
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Each_session_is_one_json_file_holding_its_lease_token_and_checkpoint()
    {
        var store = new FileSessionStore(NewDirectory(), Options(Clock));
        var lease = await store.TryClaimAsync("orders/eu-1", "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        await store.WriteCheckpointAsync(lease, new GatewayResumePoint("s-1", "e-1", 12), Bounded());
        Assert.True(await store.ReleaseAsync(lease, Bounded()));

        var file = Assert.Single(Directory.GetFiles(store.Directory, "*.json"));
        Assert.Empty(Directory.GetFiles(store.Directory, "*.tmp"));
        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = json.RootElement;
        Assert.Equal("orders/eu-1", root.GetProperty("sessionKey").GetString());
        Assert.Equal(string.Empty, root.GetProperty("ownerId").GetString());
        Assert.Equal(lease.Token, root.GetProperty("token").GetInt64());
        Assert.Equal(new GatewayResumePoint("s-1", "e-1", 12), GatewayResumePoint.Parse(root.GetProperty("checkpoint").GetProperty("position").GetString()!));
    }

    [Fact]
    public async Task Two_stores_over_one_directory_share_leases_tokens_and_fencing()
    {
        var directory = NewDirectory();
        var one = new FileSessionStore(directory, Options(Clock));
        var other = new FileSessionStore(directory, Options(Clock));
        var first = await one.TryClaimAsync("session", "worker-a", LongLease, null, Bounded());
        Assert.NotNull(first);

        Assert.Null(await other.TryClaimAsync("session", "worker-b", LongLease, null, Bounded()));
        Assert.True(await one.ReleaseAsync(first, Bounded()));
        var second = await other.TryClaimAsync("session", "worker-b", LongLease, null, Bounded());

        Assert.NotNull(second);
        Assert.True(second.Token > first.Token);
        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => one.WriteCheckpointAsync(first, new GatewayResumePoint("s", null, 1), Bounded()));
    }

    [Fact]
    public async Task A_lock_held_elsewhere_past_the_lock_timeout_fails_with_SessionStoreException()
    {
        var store = new FileSessionStore(NewDirectory(), Options(Clock, TimeSpan.FromSeconds(2)));
        var lease = await store.TryClaimAsync("session", "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        var held = HoldLocks(store);
        try
        {
            var renewal = store.RenewAsync(lease, LongLease, Bounded());
            await AdvanceUntilDoneAsync(renewal, TimeSpan.FromMilliseconds(100));

            var failure = await Assert.ThrowsAsync<SessionStoreException>(() => renewal);
            Assert.IsNotType<SessionOwnershipLostException>(failure);
            Assert.Contains("lock", failure.Message);
        }
        finally
        {
            held.ForEach(stream => stream.Dispose());
        }

        var renewed = await store.RenewAsync(lease, LongLease, Bounded());
        Assert.NotNull(renewed);
    }

    [Fact]
    public async Task A_zero_lock_timeout_tries_once()
    {
        var store = new FileSessionStore(NewDirectory(), Options(Clock, TimeSpan.Zero));
        var lease = await store.TryClaimAsync("session", "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        var held = HoldLocks(store);
        try
        {
            await Assert.ThrowsAsync<SessionStoreException>(() => store.WriteCheckpointAsync(lease, new GatewayResumePoint("s", null, 1), Bounded()));
        }
        finally
        {
            held.ForEach(stream => stream.Dispose());
        }

        Assert.Null(await store.ReadCheckpointAsync("session", Bounded()));
    }

    [Fact]
    public async Task A_call_waiting_for_a_lock_goes_on_once_it_is_let_go()
    {
        var store = new FileSessionStore(NewDirectory(), Options(Clock, TimeSpan.FromSeconds(10)));
        var lease = await store.TryClaimAsync("session", "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        var held = HoldLocks(store);
        var write = store.WriteCheckpointAsync(lease, new GatewayResumePoint("s", null, 5), Bounded());
        Assert.False(write.IsCompleted);

        held.ForEach(stream => stream.Dispose());
        await AdvanceUntilDoneAsync(write, TimeSpan.FromMilliseconds(10));

        await write;
        var checkpoint = await store.ReadCheckpointAsync("session", Bounded());
        Assert.Equal(5, checkpoint?.Position.Sequence);
    }

    [Fact]
    public async Task A_file_it_did_not_write_is_a_SessionStoreException()
    {
        var store = new FileSessionStore(NewDirectory(), Options(Clock));
        Assert.NotNull(await store.TryClaimAsync("session", "worker-a", LongLease, null, Bounded()));
        File.WriteAllText(Assert.Single(Directory.GetFiles(store.Directory, "*.json")), "{ not json");

        await Assert.ThrowsAsync<SessionStoreException>(() => store.ReadCheckpointAsync("session", Bounded()));
        await Assert.ThrowsAsync<SessionStoreException>(() => store.ListLeasesAsync(Bounded()));
        await Assert.ThrowsAsync<SessionStoreException>(() => store.TryClaimAsync("session", "worker-b", LongLease, null, Bounded()));
    }

    [Fact]
    public void Options_refuse_a_negative_lock_timeout_and_a_null_clock()
    {
        var options = new FileSessionStoreOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.LockTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentNullException>(() => options.TimeProvider = null!);
        options.LockTimeout = Timeout.InfiniteTimeSpan;
        Assert.Throws<ArgumentException>(() => new FileSessionStore(" "));
    }
}

using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Sqlite;
using Microsoft.Data.Sqlite;

namespace Gateway.Client.SessionTests;

/// <summary>The contract on <see cref="SqliteSessionStore"/> (fake clock, a scratch database file per store), and what only it has.</summary>
public sealed class SqliteSessionStoreTests : SessionStoreContractTests
{
    private readonly List<string> _directories = new();

    protected override Task<ISessionStore> CreateStoreAsync(TimeProvider? time) =>
        Task.FromResult<ISessionStore>(new SqliteSessionStore(NewDatabase(), Options(time)));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var directory in _directories)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private string NewDatabase()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gateway-sessions-sqlite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "sessions.db") }.ToString();
    }

    private static SqliteSessionStoreOptions Options(TimeProvider? time)
    {
        var options = new SqliteSessionStoreOptions();
        if (time is not null)
        {
            options.TimeProvider = time;
        }

        return options;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_table_is_created_on_first_use_in_WAL_mode()
    {
        var database = NewDatabase();
        var options = Options(Clock);
        options.TableName = "fleet_sessions";
        var store = new SqliteSessionStore(database, options);

        Assert.Empty(await store.ListLeasesAsync(Bounded()));

        Assert.Equal("wal", await ScalarAsync<string>(database, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync<long>(database, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'fleet_sessions';"));
    }

    [Fact]
    public async Task Two_stores_over_one_database_share_leases_tokens_and_fencing()
    {
        var database = NewDatabase();
        var one = new SqliteSessionStore(database, Options(Clock));
        var other = new SqliteSessionStore(database, Options(Clock));
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
    public async Task A_database_held_locked_past_the_busy_timeout_fails_with_SessionStoreException()
    {
        var database = NewDatabase();
        var options = Options(Clock);
        options.BusyTimeout = TimeSpan.FromMilliseconds(200);
        var store = new SqliteSessionStore(database, options);
        var lease = await store.TryClaimAsync("session", "worker-a", LongLease, null, Bounded());
        Assert.NotNull(lease);
        using var holder = new SqliteConnection(database);
        await holder.OpenAsync();
        using var transaction = holder.BeginTransaction(deferred: false);

        var failure = await Assert.ThrowsAsync<SessionStoreException>(() => store.RenewAsync(lease, LongLease, Bounded()));

        Assert.IsType<SqliteException>(failure.InnerException);
        transaction.Rollback();
        Assert.NotNull(await store.RenewAsync(lease, LongLease, Bounded()));
    }

    [Fact]
    public void Options_refuse_a_table_name_that_is_not_an_identifier_and_a_bad_busy_timeout()
    {
        var options = new SqliteSessionStoreOptions();

        Assert.Throws<ArgumentException>(() => options.TableName = "sessions; DROP TABLE x");
        Assert.Throws<ArgumentException>(() => options.TableName = "1st");
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BusyTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentNullException>(() => options.TimeProvider = null!);
        Assert.Throws<ArgumentException>(() => new SqliteSessionStore(" "));
    }
}

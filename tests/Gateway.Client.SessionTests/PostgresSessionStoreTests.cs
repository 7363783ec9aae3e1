using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Postgres;
using Npgsql;

namespace Gateway.Client.SessionTests;

/// <summary>What only the PostgreSQL store has, on a real server: the table created on first use, the checkpoint in the
/// app's own transaction (exactly-once), a claim waiting for that transaction, and its failures typed.</summary>
[Collection(PostgresCollection.Name)]
[RequiresServer(typeof(PostgresServer))]
public sealed class PostgresSessionStoreTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly List<PostgresSessionStore> _stores = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static GatewayResumePoint Point(long sequence) => new("gateway-session-1", "epoch-1", sequence);

    private PostgresSessionStore NewStore(string schema, string? table = null)
    {
        var options = new PostgresSessionStoreOptions { Schema = schema };
        if (table is not null)
        {
            options.TableName = table;
        }

        var store = new PostgresSessionStore(postgres.DataSource, options);
        _stores.Add(store);
        return store;
    }

    private async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = postgres.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(Bounded()) is T result ? result : default;
    }

    /// <summary>The app's own table beside the store's: one row per handled event.</summary>
    private async Task<string> NewAppTableAsync(string schema)
    {
        var table = $"\"{schema}\".\"orders\"";
        await using var command = postgres.DataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS \"{schema}\"; CREATE TABLE {table} (sequence bigint PRIMARY KEY, body text NOT NULL);");
        await command.ExecuteNonQueryAsync(Bounded());
        return table;
    }

    [Fact]
    public async Task The_schema_and_table_are_created_on_first_use()
    {
        var schema = PostgresServerFixture.NewSchema();
        var store = NewStore(schema, "fleet_sessions");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = @s;", ("s", schema)));

        Assert.Empty(await store.ListLeasesAsync(Bounded()));

        Assert.Equal($"\"{schema}\".\"fleet_sessions\"", store.TableName);
        Assert.Equal(1L, await ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = @s AND table_name = 'fleet_sessions';", ("s", schema)));
    }

    [Fact]
    public async Task Two_stores_from_a_connection_string_and_a_data_source_share_leases_tokens_and_fencing()
    {
        var schema = PostgresServerFixture.NewSchema();
        var one = NewStore(schema);
        var other = new PostgresSessionStore(postgres.Server.ConnectionString, new PostgresSessionStoreOptions { Schema = schema });
        _stores.Add(other);
        var first = await one.TryClaimAsync("session", "worker-a", Lease, null, Bounded());
        Assert.NotNull(first);

        Assert.Null(await other.TryClaimAsync("session", "worker-b", Lease, null, Bounded()));
        Assert.True(await one.ReleaseAsync(first, Bounded()));
        var second = await other.TryClaimAsync("session", "worker-b", Lease, null, Bounded());

        Assert.NotNull(second);
        Assert.True(second.Token > first.Token);
        var refused = await Assert.ThrowsAsync<SessionOwnershipLostException>(() => one.WriteCheckpointAsync(first, Point(1), Bounded()));
        Assert.Equal(second.Token, refused.NewestToken);
    }

    [Fact]
    public async Task In_the_apps_transaction_the_apps_row_and_the_checkpoint_commit_together()
    {
        var schema = PostgresServerFixture.NewSchema();
        var store = NewStore(schema);
        var orders = await NewAppTableAsync(schema);
        var lease = await store.TryClaimAsync("session", "worker-a", Lease, null, Bounded());
        Assert.NotNull(lease);

        await using (var connection = await postgres.DataSource.OpenConnectionAsync(Bounded()))
        await using (var transaction = await connection.BeginTransactionAsync(Bounded()))
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO {orders} (sequence, body) VALUES (7, 'order 7');", connection, transaction);
            await insert.ExecuteNonQueryAsync(Bounded());
            await store.WriteCheckpointAsync(lease, Point(7), transaction, Bounded());

            // Not committed yet: neither is visible outside the transaction.
            Assert.Null(await store.ReadCheckpointAsync("session", Bounded()));
            Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {orders};"));

            await transaction.CommitAsync(Bounded());
        }

        var checkpoint = await store.ReadCheckpointAsync("session", Bounded());
        Assert.NotNull(checkpoint);
        Assert.Equal(Point(7), checkpoint.Position);
        Assert.Equal(lease.Token, checkpoint.Token);
        Assert.Equal("order 7", await ScalarAsync<string>($"SELECT body FROM {orders} WHERE sequence = 7;"));
    }

    [Fact]
    public async Task In_the_apps_transaction_a_stale_lease_is_refused_and_the_apps_rows_roll_back()
    {
        var schema = PostgresServerFixture.NewSchema();
        var store = NewStore(schema);
        var orders = await NewAppTableAsync(schema);
        var stale = await store.TryClaimAsync("session", "worker-a", Lease, null, Bounded());
        Assert.NotNull(stale);
        await store.WriteCheckpointAsync(stale, Point(5), Bounded());
        // Another worker steals the session and writes its own checkpoint.
        var observed = Assert.Single(await store.ListLeasesAsync(Bounded()));
        var newer = await store.TryClaimAsync("session", "worker-b", Lease, observed, Bounded());
        Assert.NotNull(newer);
        await store.WriteCheckpointAsync(newer, Point(9), Bounded());

        await using (var connection = await postgres.DataSource.OpenConnectionAsync(Bounded()))
        {
            var transaction = await connection.BeginTransactionAsync(Bounded());
            await using var insert = new NpgsqlCommand($"INSERT INTO {orders} (sequence, body) VALUES (6, 'order 6');", connection, transaction);
            await insert.ExecuteNonQueryAsync(Bounded());

            var refused = await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(stale, Point(6), transaction, Bounded()));

            Assert.Equal(stale.Token, refused.Token);
            Assert.Equal(newer.Token, refused.NewestToken);
            // The transaction was rolled back: it cannot be committed, and the connection is usable again.
            await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.CommitAsync(Bounded()));
            await transaction.DisposeAsync();
            await using var probe = new NpgsqlCommand("SELECT 1;", connection);
            Assert.Equal(1, await probe.ExecuteScalarAsync(Bounded()));
        }

        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {orders};"));
        var checkpoint = await store.ReadCheckpointAsync("session", Bounded());
        Assert.NotNull(checkpoint);
        Assert.Equal(Point(9), checkpoint.Position);
        Assert.Equal(newer.Token, checkpoint.Token);
    }

    [Fact]
    public async Task A_steal_waits_for_the_apps_transaction_and_then_sees_its_checkpoint()
    {
        var schema = PostgresServerFixture.NewSchema();
        var store = NewStore(schema);
        var orders = await NewAppTableAsync(schema);
        var lease = await store.TryClaimAsync("session", "worker-a", Lease, null, Bounded());
        Assert.NotNull(lease);
        var observed = Assert.Single(await store.ListLeasesAsync(Bounded()));

        await using var connection = await postgres.DataSource.OpenConnectionAsync(Bounded());
        await using var transaction = await connection.BeginTransactionAsync(Bounded());
        await using (var insert = new NpgsqlCommand($"INSERT INTO {orders} (sequence, body) VALUES (3, 'order 3');", connection, transaction))
        {
            await insert.ExecuteNonQueryAsync(Bounded());
        }

        await store.WriteCheckpointAsync(lease, Point(3), transaction, Bounded());
        var steal = store.TryClaimAsync("session", "worker-b", Lease, observed, Bounded());

        // The steal waits on the session's row, locked by the app's transaction (seen by the server, polled, bounded).
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (await ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ON CONFLICT (session_key)%';") == 0)
        {
            Assert.False(steal.IsCompleted, "the steal did not wait for the app's transaction");
            Assert.True(DateTimeOffset.UtcNow < deadline, "the steal was not seen waiting on the row lock");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        Assert.False(steal.IsCompleted);
        await transaction.CommitAsync(Bounded());
        var stolen = await steal;

        Assert.NotNull(stolen);
        Assert.True(stolen.Token > lease.Token);
        var checkpoint = await store.ReadCheckpointAsync("session", Bounded());
        Assert.NotNull(checkpoint);
        Assert.Equal(Point(3), checkpoint.Position);
        Assert.Equal(lease.Token, checkpoint.Token);
        await Assert.ThrowsAsync<SessionOwnershipLostException>(() => store.WriteCheckpointAsync(lease, Point(4), Bounded()));
    }

    [Fact]
    public async Task A_statement_that_times_out_fails_with_SessionStoreException()
    {
        var schema = PostgresServerFixture.NewSchema();
        var store = NewStore(schema);
        var lease = await store.TryClaimAsync("session", "worker-a", Lease, null, Bounded());
        Assert.NotNull(lease);
        var impatient = new PostgresSessionStore(
            new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { CommandTimeout = 1 }.ToString(),
            new PostgresSessionStoreOptions { Schema = schema });
        _stores.Add(impatient);
        await impatient.EnsureCreatedAsync(Bounded());

        await using (var holder = await postgres.DataSource.OpenConnectionAsync(Bounded()))
        await using (var transaction = await holder.BeginTransactionAsync(Bounded()))
        {
            await using var lockRow = new NpgsqlCommand($"SELECT token FROM {store.TableName} WHERE session_key = 'session' FOR UPDATE;", holder, transaction);
            await lockRow.ExecuteScalarAsync(Bounded());

            var failure = await Assert.ThrowsAsync<SessionStoreException>(() => impatient.RenewAsync(lease, Lease, Bounded()));

            Assert.IsAssignableFrom<NpgsqlException>(failure.InnerException);
            await transaction.RollbackAsync(Bounded());
        }

        Assert.NotNull(await impatient.RenewAsync(lease, Lease, Bounded()));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_fails_with_SessionStoreException()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var store = new PostgresSessionStore($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2;Pooling=false");
        _stores.Add(store);

        var failure = await Assert.ThrowsAsync<SessionStoreException>(() => store.TryClaimAsync("session", "worker-a", Lease, null, Bounded()));

        Assert.IsAssignableFrom<NpgsqlException>(failure.InnerException);
    }

    [Fact]
    public void Options_refuse_names_that_are_not_identifiers_and_the_store_a_missing_connection()
    {
        var options = new PostgresSessionStoreOptions();

        Assert.Throws<ArgumentException>(() => options.TableName = "sessions; DROP TABLE x");
        Assert.Throws<ArgumentException>(() => options.TableName = "1st");
        Assert.Throws<ArgumentException>(() => options.TableName = null!);
        Assert.Throws<ArgumentException>(() => options.Schema = "app\"schema");
        Assert.Throws<ArgumentException>(() => options.Schema = new string('s', 64));
        options.Schema = null;
        Assert.Equal("\"gateway_sessions\"", new PostgresSessionStore(postgres.DataSource, options).TableName);
        Assert.Throws<ArgumentException>(() => new PostgresSessionStore(" "));
        Assert.Throws<ArgumentException>(() => new PostgresSessionStore("Host=x;NoSuchKey=1"));
        Assert.Throws<ArgumentNullException>(() => new PostgresSessionStore((NpgsqlDataSource)null!));
    }
}

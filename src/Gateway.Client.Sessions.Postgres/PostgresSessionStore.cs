using Npgsql;
using NpgsqlTypes;

namespace Gateway.Client.Sessions.Postgres;

/// <summary>
/// An <see cref="ISessionStore"/> on PostgreSQL: one row per session in one table (created on first use) holding its
/// lease, its newest fencing token and its checkpoint.
/// <para>Every lease operation is one statement, so the server alone decides it: a claim is one
/// <c>INSERT … ON CONFLICT (session_key) DO UPDATE … WHERE</c> (the lease is released, lapsed, or still the observed one)
/// that raises the token and returns it (the token never goes down, across releases too); a renewal or release is one
/// <c>UPDATE … WHERE token = @token AND owner = @owner</c>; a checkpoint is one <c>UPDATE … WHERE token = @token</c>,
/// refused (<see cref="SessionOwnershipLostException"/>) when it changes no row. Leases are granted and lapse by the
/// server's clock (<c>now()</c>), so the workers' clocks need not agree.</para>
/// <para>Exactly-once: <see cref="WriteCheckpointAsync(SessionLease, GatewayResumePoint, NpgsqlTransaction, CancellationToken)"/>
/// writes the checkpoint inside the app's own transaction, so the app's rows and the checkpoint commit together or not
/// at all.</para>
/// <para>A server that cannot be reached, a timeout or an error of the server is a <see cref="SessionStoreException"/>
/// (the <see cref="NpgsqlException"/> inside); a cancelled token is an <see cref="OperationCanceledException"/>. Each
/// call is bounded by the connection string's <c>Timeout</c> (connecting) and <c>Command Timeout</c>.</para>
/// <para>The guarantees hold as far as the server's own: one primary (a replica promoted after an asynchronous
/// replication may have lost the newest tokens and checkpoints).</para>
/// </summary>
public sealed class PostgresSessionStore : ISessionStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string? _schema;
    private readonly string _table;
    private readonly SemaphoreSlim _setUp = new(1, 1);
    private volatile bool _ready;

    /// <summary>Creates a store over <paramref name="dataSource"/>, which stays the caller's (it is not disposed with the store).</summary>
    /// <param name="dataSource">Where the table is; every call takes a pooled connection from it.</param>
    /// <param name="options">The schema and table name; defaults when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is null.</exception>
    public PostgresSessionStore(NpgsqlDataSource dataSource, PostgresSessionStoreOptions? options = null)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), ownsDataSource: false, options)
    {
    }

    /// <summary>Creates a store over the database <paramref name="connectionString"/> names, with a data source of its own (disposed with the store).</summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=…</c>.</param>
    /// <param name="options">The schema and table name; defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or not a connection string.</exception>
    public PostgresSessionStore(string connectionString, PostgresSessionStoreOptions? options = null)
        : this(CreateDataSource(connectionString), ownsDataSource: true, options)
    {
    }

    private PostgresSessionStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgresSessionStoreOptions? options)
    {
        options ??= new PostgresSessionStoreOptions();
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = options.Schema is { } schema ? Quote(schema) : null;
        _table = (_schema is null ? string.Empty : _schema + ".") + Quote(options.TableName);
    }

    /// <summary>The table, as the statements name it (schema-qualified when a schema was given), for example <c>"gateway_sessions"</c>.</summary>
    public string TableName => _table;

    /// <summary>Creates the schema (when one was given) and the table unless they exist. Every other call does it on first use; an app may call it at start-up.</summary>
    /// <exception cref="SessionStoreException">The server could not be reached, or refused.</exception>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _setUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            await RunAsync("table creation", null, cancellationToken, async connection =>
            {
                var sql = (_schema is null ? string.Empty : $"CREATE SCHEMA IF NOT EXISTS {_schema};\n") + $"""
                    CREATE TABLE IF NOT EXISTS {_table} (
                        session_key text NOT NULL PRIMARY KEY,
                        owner text NOT NULL,
                        token bigint NOT NULL,
                        expires_at timestamptz NOT NULL,
                        checkpoint text NULL,
                        checkpoint_token bigint NULL,
                        checkpoint_written_at timestamptz NULL
                    );
                    """;
                try
                {
                    using var command = Command(connection, null, sql);
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateSchema)
                {
                    // Another worker created it at the same moment ("IF NOT EXISTS" is not atomic in PostgreSQL): it exists.
                }

                return true;
            }).ConfigureAwait(false);
            _ready = true;
        }
        finally
        {
            _setUp.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken)
    {
        RequireKey(sessionKey, nameof(sessionKey));
        RequireKey(ownerId, nameof(ownerId));
        RequirePositive(duration);
        var observedUsable = observed is not null && string.Equals(observed.SessionKey, sessionKey, StringComparison.Ordinal);
        return await RunSetUpAsync("claim", sessionKey, cancellationToken, async connection =>
        {
            // Free (released), lapsed, or still exactly the lease the caller observed: a new ownership, with the next token.
            using var command = Command(connection, null, $"""
                INSERT INTO {_table} AS s (session_key, owner, token, expires_at)
                VALUES (@key, @owner, 1, now() + @duration)
                ON CONFLICT (session_key) DO UPDATE SET
                    owner = excluded.owner,
                    token = s.token + 1,
                    expires_at = excluded.expires_at
                WHERE s.owner = '' OR s.expires_at <= now()
                    OR (@observed AND s.token = @observed_token AND s.owner = @observed_owner)
                RETURNING token, expires_at;
                """);
            command.Parameters.AddWithValue("key", NpgsqlDbType.Text, sessionKey);
            command.Parameters.AddWithValue("owner", NpgsqlDbType.Text, ownerId);
            command.Parameters.AddWithValue("duration", NpgsqlDbType.Interval, duration);
            command.Parameters.AddWithValue("observed", NpgsqlDbType.Boolean, observedUsable);
            command.Parameters.AddWithValue("observed_token", NpgsqlDbType.Bigint, observedUsable ? observed!.Token : 0L);
            command.Parameters.AddWithValue("observed_owner", NpgsqlDbType.Text, observedUsable ? observed!.OwnerId : string.Empty);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new SessionLease(sessionKey, ownerId, reader.GetInt64(0), Instant(reader, 1))
                : null;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        RequirePositive(duration);
        return await RunSetUpAsync("renewal", lease.SessionKey, cancellationToken, async connection =>
        {
            using var command = Command(connection, null, $"""
                UPDATE {_table} SET expires_at = now() + @duration
                WHERE session_key = @key AND token = @token AND owner = @owner AND owner <> ''
                RETURNING expires_at;
                """);
            command.Parameters.AddWithValue("key", NpgsqlDbType.Text, lease.SessionKey);
            command.Parameters.AddWithValue("token", NpgsqlDbType.Bigint, lease.Token);
            command.Parameters.AddWithValue("owner", NpgsqlDbType.Text, lease.OwnerId);
            command.Parameters.AddWithValue("duration", NpgsqlDbType.Interval, duration);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new SessionLease(lease.SessionKey, lease.OwnerId, lease.Token, Instant(reader, 0))
                : null;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        return await RunSetUpAsync("release", lease.SessionKey, cancellationToken, async connection =>
        {
            // The token stays: the next claim raises it, so a released session's next owner still gets a larger one.
            using var command = Command(connection, null, $"""
                UPDATE {_table} SET owner = '', expires_at = now()
                WHERE session_key = @key AND token = @token AND owner = @owner AND owner <> '';
                """);
            command.Parameters.AddWithValue("key", NpgsqlDbType.Text, lease.SessionKey);
            command.Parameters.AddWithValue("token", NpgsqlDbType.Bigint, lease.Token);
            command.Parameters.AddWithValue("owner", NpgsqlDbType.Text, lease.OwnerId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken) =>
        await RunSetUpAsync<IReadOnlyList<SessionLease>>("listing", null, cancellationToken, async connection =>
        {
            using var command = Command(connection, null, $"SELECT session_key, owner, token, expires_at FROM {_table};");
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var leases = new List<SessionLease>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                leases.Add(new SessionLease(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), Instant(reader, 3)));
            }

            return leases;
        }).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken)
    {
        RequireKey(sessionKey, nameof(sessionKey));
        return await RunSetUpAsync("checkpoint read", sessionKey, cancellationToken, async connection =>
        {
            using var command = Command(connection, null, $"""
                SELECT checkpoint, checkpoint_token, checkpoint_written_at FROM {_table}
                WHERE session_key = @key AND checkpoint IS NOT NULL;
                """);
            command.Parameters.AddWithValue("key", NpgsqlDbType.Text, sessionKey);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            if (!GatewayResumePoint.TryParse(reader.GetString(0), out var position))
            {
                throw new SessionStoreException($"The PostgreSQL session store's checkpoint of {sessionKey} is not a resume point.");
            }

            return new SessionCheckpoint(sessionKey, position, reader.GetInt64(1), Instant(reader, 2));
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        RequirePosition(position);
        var newest = await RunSetUpAsync("checkpoint", lease.SessionKey, cancellationToken, connection =>
            WriteFencedAsync(connection, null, lease, position, cancellationToken)).ConfigureAwait(false);
        if (newest is { } held)
        {
            throw new SessionOwnershipLostException(lease.SessionKey, lease.Token, held >= 0 ? held : null);
        }
    }

    /// <summary>
    /// Writes <paramref name="position"/> as <paramref name="lease"/>'s session's checkpoint inside the app's own
    /// <paramref name="transaction"/>, fenced as <see cref="WriteCheckpointAsync(SessionLease, GatewayResumePoint, CancellationToken)"/>
    /// is: the app's rows written in that transaction and the checkpoint then commit together or not at all (exactly-once
    /// processing). The app commits the transaction after this returns.
    /// <para>When the session has had a newer ownership, this rolls <paramref name="transaction"/> back (the app's rows
    /// written in it are discarded, and it cannot be committed any more) and throws
    /// <see cref="SessionOwnershipLostException"/>. Until the transaction ends, the session's row is locked: another
    /// worker's claim of the session waits for the commit, so it sees the checkpoint (keep the transaction short).</para>
    /// </summary>
    /// <param name="lease">The writer's lease.</param>
    /// <param name="position">The resume point after the events the transaction's rows account for.</param>
    /// <param name="transaction">The app's open transaction, on a connection to the database the store's table is in.</param>
    /// <param name="cancellationToken">Cancels the write (the transaction is then the app's to roll back).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="transaction"/> has already been committed or rolled back.</exception>
    /// <exception cref="SessionOwnershipLostException">The session has had a newer ownership: the transaction was rolled back.</exception>
    /// <exception cref="SessionStoreException">The server failed the write or could not be reached (the transaction is then aborted on the server).</exception>
    public async Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        RequirePosition(position);
        if (transaction is null)
        {
            throw new ArgumentNullException(nameof(transaction));
        }

        var connection = transaction.Connection
            ?? throw new ArgumentException("The transaction has already been committed or rolled back.", nameof(transaction));

        // The table is created outside the app's transaction, on the store's own connection.
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var newest = await RunAsync("checkpoint in the app's transaction", lease.SessionKey, cancellationToken, _ =>
            WriteFencedAsync(connection, transaction, lease, position, cancellationToken), connection).ConfigureAwait(false);
        if (newest is { } held)
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                throw new SessionStoreException(
                    $"The PostgreSQL session store refused the checkpoint of session {lease.SessionKey} (lease #{lease.Token}; the store holds #{held}) and could not roll the app's transaction back: {e.Message}", e);
            }

            throw new SessionOwnershipLostException(lease.SessionKey, lease.Token, held >= 0 ? held : null);
        }
    }

    /// <summary>Disposes the data source the store made from a connection string; a data source the app gave stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _setUp.Dispose();
    }

    /// <summary>Disposes the data source the store made from a connection string; a data source the app gave stays open.</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _setUp.Dispose();
    }

    /// <summary>The fenced write: null when written; else the session's newest token (-1 when it has none).</summary>
    private async Task<long?> WriteFencedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
    {
        // Fenced: only while the session's newest ownership is still this lease's (lapsed or not).
        using var command = Command(connection, transaction, $"""
            UPDATE {_table} SET checkpoint = @position, checkpoint_token = token, checkpoint_written_at = now()
            WHERE session_key = @key AND token = @token;
            """);
        command.Parameters.AddWithValue("key", NpgsqlDbType.Text, lease.SessionKey);
        command.Parameters.AddWithValue("token", NpgsqlDbType.Bigint, lease.Token);
        command.Parameters.AddWithValue("position", NpgsqlDbType.Text, position.ToString());
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
        {
            return null;
        }

        // Refused: say which token the store holds.
        using var query = Command(connection, transaction, $"SELECT token FROM {_table} WHERE session_key = @key;");
        query.Parameters.AddWithValue("key", NpgsqlDbType.Text, lease.SessionKey);
        return await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long token ? token : -1L;
    }

    private async Task<T> RunSetUpAsync<T>(string operation, string? sessionKey, CancellationToken cancellationToken, Func<NpgsqlConnection, Task<T>> work)
    {
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync(operation, sessionKey, cancellationToken, work).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="connection"/> (the app's), or on a pooled connection of the
    /// store's own, and turns Npgsql's failures (the server's errors, timeouts, a lost connection) into <see cref="SessionStoreException"/>.</summary>
    private async Task<T> RunAsync<T>(string operation, string? sessionKey, CancellationToken cancellationToken, Func<NpgsqlConnection, Task<T>> work, NpgsqlConnection? connection = null)
    {
        try
        {
            if (connection is not null)
            {
                return await work(connection).ConfigureAwait(false);
            }

            await using var own = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await work(own).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            var what = sessionKey is null ? operation : $"{operation} of session {sessionKey}";
            throw new SessionStoreException($"The PostgreSQL session store failed the {what}: {e.Message}", e);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("A connection string is required.", nameof(connectionString));
        }

        try
        {
            return NpgsqlDataSource.Create(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"Not an Npgsql connection string: {e.Message}", nameof(connectionString), e);
        }
    }

    /// <summary>A plain identifier (checked by the options), quoted so PostgreSQL keeps its case.</summary>
    private static string Quote(string identifier) => "\"" + identifier + "\"";

    private static DateTimeOffset Instant(NpgsqlDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static void RequireKey(string value, string name)
    {
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("The value must not be empty or white space.", name);
        }
    }

    private static void RequireLease(SessionLease lease)
    {
        if (lease is null)
        {
            throw new ArgumentNullException(nameof(lease));
        }
    }

    private static void RequirePosition(GatewayResumePoint position)
    {
        if (position is null)
        {
            throw new ArgumentNullException(nameof(position));
        }
    }

    private static void RequirePositive(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease's duration must be positive.");
        }
    }
}

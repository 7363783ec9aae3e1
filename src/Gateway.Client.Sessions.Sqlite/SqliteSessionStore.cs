using System.Data;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gateway.Client.Sessions.Sqlite;

/// <summary>
/// An <see cref="ISessionStore"/> on SQLite: one row per session in one table (created on first use, the database in WAL
/// mode) holding its lease, its newest fencing token and its checkpoint.
/// <para>Fencing is done by the database, each change a single conditional statement: a claim is one
/// <c>INSERT … ON CONFLICT DO UPDATE … WHERE</c> (the lease is free, lapsed, or still the observed one) that raises the
/// token; a renewal or release is one <c>UPDATE … WHERE token = @token AND owner_id = @owner</c>; a checkpoint is one
/// <c>UPDATE … WHERE token = @token</c>, refused (<see cref="SessionOwnershipLostException"/>) when it changes no row.
/// Each runs in its own <c>BEGIN IMMEDIATE</c> transaction, waiting up to <see cref="SqliteSessionStoreOptions.BusyTimeout"/>
/// for another writer; a database that stays locked, cannot be opened or answers wrongly is a
/// <see cref="SessionStoreException"/>.</para>
/// <para>The guarantees hold for processes on one machine, or on several sharing the database file on a volume whose
/// file locks work (SQLite's own requirement; many network file systems' do not) and whose clocks agree.</para>
/// </summary>
public sealed class SqliteSessionStore : ISessionStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly string _table;
    private readonly int _busyMilliseconds;
    private readonly SemaphoreSlim _setUp = new(1, 1);
    private volatile bool _ready;

    /// <summary>Creates a store over the database <paramref name="connectionString"/> names (its file is created on first use).</summary>
    /// <param name="connectionString">A <c>Microsoft.Data.Sqlite</c> connection string naming a database file, for example
    /// <c>Data Source=/var/lib/app/sessions.db</c>. Every call opens its own (pooled) connection, so an in-memory database
    /// would be a new, empty one each time: use a file.</param>
    /// <param name="options">The clock, the table name and the busy timeout; defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or not a connection string.</exception>
    public SqliteSessionStore(string connectionString, SqliteSessionStoreOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException("A connection string is required.", nameof(connectionString));
        }

        options ??= new SqliteSessionStoreOptions();
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"Not a SQLite connection string: {e.Message}", nameof(connectionString), e);
        }

        builder.DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        _connectionString = builder.ToString();
        _time = options.TimeProvider;
        _table = options.TableName;
        _busyMilliseconds = (int)Math.Ceiling(options.BusyTimeout.TotalMilliseconds);
    }

    /// <inheritdoc/>
    public async Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken)
    {
        RequireKey(sessionKey, nameof(sessionKey));
        RequireKey(ownerId, nameof(ownerId));
        RequirePositive(duration);
        var now = _time.GetUtcNow();
        long? observedVersion = null;
        var observedUsable = observed is not null
            && string.Equals(observed.SessionKey, sessionKey, StringComparison.Ordinal)
            && (observed.Version is null || TryParseVersion(observed.Version, out observedVersion));
        return await RunAsync("claim", sessionKey, write: true, cancellationToken, async (connection, transaction) =>
        {
            // Free (released), lapsed, or still exactly the lease the caller observed: a new ownership, with the next token.
            using var command = Command(connection, transaction, $"""
                INSERT INTO {_table} (session_key, owner_id, token, expires_at, version)
                VALUES (@key, @owner, 1, @expires, 1)
                ON CONFLICT (session_key) DO UPDATE SET
                    owner_id = excluded.owner_id,
                    token = {_table}.token + 1,
                    expires_at = excluded.expires_at,
                    version = {_table}.version + 1
                WHERE {_table}.owner_id = '' OR {_table}.expires_at <= @now
                    OR (@observed = 1 AND {_table}.token = @observed_token AND {_table}.owner_id = @observed_owner
                        AND (@observed_version IS NULL OR {_table}.version = @observed_version))
                RETURNING token, expires_at, version;
                """);
            command.Parameters.AddWithValue("@key", sessionKey);
            command.Parameters.AddWithValue("@owner", ownerId);
            command.Parameters.AddWithValue("@expires", Ticks(Expiry(now, duration)));
            command.Parameters.AddWithValue("@now", Ticks(now));
            command.Parameters.AddWithValue("@observed", observedUsable ? 1 : 0);
            command.Parameters.AddWithValue("@observed_token", observedUsable ? observed!.Token : 0L);
            command.Parameters.AddWithValue("@observed_owner", observedUsable ? observed!.OwnerId : string.Empty);
            command.Parameters.AddWithValue("@observed_version", (object?)observedVersion ?? DBNull.Value);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new SessionLease(sessionKey, ownerId, reader.GetInt64(0), FromTicks(reader.GetInt64(1)), VersionText(reader.GetInt64(2)))
                : null;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        RequirePositive(duration);
        var now = _time.GetUtcNow();
        return await RunAsync("renewal", lease.SessionKey, write: true, cancellationToken, async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, $"""
                UPDATE {_table} SET expires_at = @expires, version = version + 1
                WHERE session_key = @key AND token = @token AND owner_id = @owner AND owner_id <> ''
                RETURNING expires_at, version;
                """);
            command.Parameters.AddWithValue("@key", lease.SessionKey);
            command.Parameters.AddWithValue("@token", lease.Token);
            command.Parameters.AddWithValue("@owner", lease.OwnerId);
            command.Parameters.AddWithValue("@expires", Ticks(Expiry(now, duration)));
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new SessionLease(lease.SessionKey, lease.OwnerId, lease.Token, FromTicks(reader.GetInt64(0)), VersionText(reader.GetInt64(1)))
                : null;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        var now = _time.GetUtcNow();
        return await RunAsync("release", lease.SessionKey, write: true, cancellationToken, async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, $"""
                UPDATE {_table} SET owner_id = '', expires_at = @now, version = version + 1
                WHERE session_key = @key AND token = @token AND owner_id = @owner AND owner_id <> '';
                """);
            command.Parameters.AddWithValue("@key", lease.SessionKey);
            command.Parameters.AddWithValue("@token", lease.Token);
            command.Parameters.AddWithValue("@owner", lease.OwnerId);
            command.Parameters.AddWithValue("@now", Ticks(now));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken) =>
        await RunAsync<IReadOnlyList<SessionLease>>("listing", null, write: false, cancellationToken, async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, $"SELECT session_key, owner_id, token, expires_at, version FROM {_table};");
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var leases = new List<SessionLease>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                leases.Add(new SessionLease(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), FromTicks(reader.GetInt64(3)), VersionText(reader.GetInt64(4))));
            }

            return leases;
        }).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken)
    {
        RequireKey(sessionKey, nameof(sessionKey));
        return await RunAsync("checkpoint read", sessionKey, write: false, cancellationToken, async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, $"""
                SELECT checkpoint, checkpoint_token, checkpoint_written_at FROM {_table}
                WHERE session_key = @key AND checkpoint IS NOT NULL;
                """);
            command.Parameters.AddWithValue("@key", sessionKey);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            if (!GatewayResumePoint.TryParse(reader.GetString(0), out var position))
            {
                throw new SessionStoreException($"The SQLite session store's checkpoint of {sessionKey} is not a resume point.");
            }

            return new SessionCheckpoint(sessionKey, position, reader.GetInt64(1), FromTicks(reader.GetInt64(2)));
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
    {
        RequireLease(lease);
        if (position is null)
        {
            throw new ArgumentNullException(nameof(position));
        }

        var now = _time.GetUtcNow();
        var newest = await RunAsync<long?>("checkpoint", lease.SessionKey, write: true, cancellationToken, async (connection, transaction) =>
        {
            // Fenced: only while the session's newest ownership is still this lease's (lapsed or not).
            using var command = Command(connection, transaction, $"""
                UPDATE {_table} SET checkpoint = @position, checkpoint_token = token, checkpoint_written_at = @now
                WHERE session_key = @key AND token = @token;
                """);
            command.Parameters.AddWithValue("@key", lease.SessionKey);
            command.Parameters.AddWithValue("@token", lease.Token);
            command.Parameters.AddWithValue("@position", position.ToString());
            command.Parameters.AddWithValue("@now", Ticks(now));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return null;
            }

            // Refused: say which token the store holds (read in the same transaction).
            using var query = Command(connection, transaction, $"SELECT token FROM {_table} WHERE session_key = @key;");
            query.Parameters.AddWithValue("@key", lease.SessionKey);
            return await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long token ? token : -1L;
        }).ConfigureAwait(false);
        if (newest is { } held)
        {
            throw new SessionOwnershipLostException(lease.SessionKey, lease.Token, held >= 0 ? held : null);
        }
    }

    /// <summary>Opens a connection, sets it up (and the database, once), runs <paramref name="work"/> (a write in a
    /// <c>BEGIN IMMEDIATE</c> transaction), and turns SQLite's failures into <see cref="SessionStoreException"/>.</summary>
    private async Task<T> RunAsync<T>(string operation, string? sessionKey, bool write, CancellationToken cancellationToken, Func<SqliteConnection, SqliteTransaction?, Task<T>> work)
    {
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var pragmas = Command(connection, null, $"PRAGMA busy_timeout = {_busyMilliseconds.ToString(CultureInfo.InvariantCulture)}; PRAGMA synchronous = FULL;"))
            {
                await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_ready)
            {
                await SetUpAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            if (!write)
            {
                return await work(connection, null).ConfigureAwait(false);
            }

            using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            transaction.Commit();
            return result;
        }
        catch (SqliteException e)
        {
            var what = sessionKey is null ? operation : $"{operation} of session {sessionKey}";
            throw new SessionStoreException($"The SQLite session store failed the {what}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new SessionStoreException($"The SQLite session store failed the {operation}: {e.Message}", e);
        }
    }

    /// <summary>WAL mode and the table, once per store (both idempotent, so another process doing the same is harmless).</summary>
    private async Task SetUpAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _setUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            using (var wal = Command(connection, null, "PRAGMA journal_mode = WAL;"))
            {
                await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var create = Command(connection, null, $"""
                CREATE TABLE IF NOT EXISTS {_table} (
                    session_key TEXT NOT NULL PRIMARY KEY,
                    owner_id TEXT NOT NULL,
                    token INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    checkpoint TEXT NULL,
                    checkpoint_token INTEGER NULL,
                    checkpoint_written_at INTEGER NULL
                );
                """))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _ready = true;
        }
        finally
        {
            _setUp.Release();
        }
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = (int)Math.Ceiling(_busyMilliseconds / 1000.0);
        return command;
    }

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

    private static void RequirePositive(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease's duration must be positive.");
        }
    }

    private static bool TryParseVersion(string text, out long? version)
    {
        var parsed = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
        version = parsed ? value : null;
        return parsed;
    }

    private static DateTimeOffset Expiry(DateTimeOffset now, TimeSpan duration) =>
        duration < DateTimeOffset.MaxValue - now ? now + duration : DateTimeOffset.MaxValue;

    /// <summary>Instants are stored as UTC ticks: exact, and ordered as numbers.</summary>
    private static long Ticks(DateTimeOffset instant) => instant.UtcTicks;

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    private static string VersionText(long version) => version.ToString(CultureInfo.InvariantCulture);
}

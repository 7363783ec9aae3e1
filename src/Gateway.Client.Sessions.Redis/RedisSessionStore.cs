using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Client.Sessions.Redis;

/// <summary>
/// An <see cref="ISessionStore"/> on Redis: each session is one hash, and every operation that must be atomic (claim,
/// renew, release, the fenced checkpoint write) is one Lua script, so nothing runs between its check and its write.
/// A session's fencing token is a counter in its hash that only grows (<c>HINCRBY</c> on every claim; never deleted,
/// never given a time to live), so a token is never reused, not after an expiry and not after a release. Expiry is
/// decided by the Redis server's clock (<c>TIME</c>), so the workers' clocks do not matter to the store.
/// </summary>
/// <remarks>
/// <para>The fencing is as strong as the deployment: one primary (Redis replication is asynchronous, so a failover can
/// lose the newest token and hand it out again), persistence that keeps the counters across a restart, and no
/// eviction of the store's keys. The package README says what that takes.</para>
/// <para>Errors: a connection failure, a timeout or an error reply is a <see cref="SessionStoreException"/>; a refused
/// checkpoint write is a <see cref="SessionOwnershipLostException"/>. A cancelled call stops waiting, but a script
/// already sent may still run: a cancelled claim may have taken the session (its lease then lapses), a cancelled
/// checkpoint write may have been stored.</para>
/// <para>Thread-safe; one store per prefix is enough for a process. It owns the connection only when
/// <see cref="ConnectAsync"/> made it.</para>
/// </remarks>
public sealed class RedisSessionStore : ISessionStore, IDisposable, IAsyncDisposable
{
    /// <summary>The longest lease the store accepts.</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(365);

    private static readonly RedisValue None = string.Empty;

    private readonly IConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly bool _ownsConnection;
    private readonly RedisKey _index;

    /// <summary>Creates a store over a connection the app owns (and disposes).</summary>
    /// <param name="connection">The connection; shared with the app's other uses of Redis, as StackExchange.Redis intends.</param>
    /// <param name="options">The key prefix and database; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public RedisSessionStore(IConnectionMultiplexer connection, RedisSessionStoreOptions? options = null)
        : this(connection ?? throw new ArgumentNullException(nameof(connection)), options, ownsConnection: false)
    {
    }

    private RedisSessionStore(IConnectionMultiplexer connection, RedisSessionStoreOptions? options, bool ownsConnection)
    {
        options ??= new RedisSessionStoreOptions();
        KeyPrefix = options.KeyPrefix ?? throw new ArgumentException("The key prefix must not be null.", nameof(options));
        _connection = connection;
        _database = connection.GetDatabase(options.Database);
        _ownsConnection = ownsConnection;
        _index = KeyPrefix + "index";
    }

    /// <summary>The prefix of every key this store writes.</summary>
    public string KeyPrefix { get; }

    /// <summary>
    /// Connects to Redis with a StackExchange.Redis configuration string (<c>"localhost:6379"</c>,
    /// <c>"redis.internal:6380,ssl=true,password=..."</c>) and makes a store that owns the connection (disposing the store
    /// closes it).
    /// </summary>
    /// <exception cref="SessionStoreException">Redis could not be reached.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public static async Task<RedisSessionStore> ConnectAsync(string configuration, RedisSessionStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new ArgumentException("The Redis configuration must not be empty.", nameof(configuration));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var connecting = ConnectionMultiplexer.ConnectAsync(configuration);
        ConnectionMultiplexer connection;
        try
        {
            connection = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Nobody will use the connection this attempt may still make: close it when it comes.
            _ = connecting.ContinueWith(static attempt => attempt.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            _ = connecting.ContinueWith(static attempt => _ = attempt.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new SessionStoreException($"Could not connect to Redis for the session store: {ex.Message}", ex);
        }

        try
        {
            return new RedisSessionStore(connection, options, ownsConnection: true);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<SessionLease?> TryClaimAsync(string sessionKey, string ownerId, TimeSpan duration, SessionLease? observed, CancellationToken cancellationToken)
    {
        CheckSessionKey(sessionKey);
        if (string.IsNullOrEmpty(ownerId))
        {
            throw new ArgumentException("An owner id must not be empty (an empty owner means released).", nameof(ownerId));
        }

        var milliseconds = Milliseconds(duration);
        if (observed is not null && observed.SessionKey != sessionKey)
        {
            throw new ArgumentException($"The observed lease is {observed.SessionKey}'s, not {sessionKey}'s.", nameof(observed));
        }

        var reply = await EvaluateAsync(
            RedisScripts.Claim,
            [SessionHash(sessionKey), _index],
            [
                ownerId,
                milliseconds,
                observed is null ? None : Text(observed.Token),
                observed is null ? None : (RedisValue)observed.OwnerId,
                observed?.Version is { } version ? (RedisValue)version : None,
                sessionKey,
            ],
            sessionKey,
            cancellationToken).ConfigureAwait(false);

        var fields = Fields(reply, sessionKey);
        if (Number(fields, 0, sessionKey) == 0)
        {
            return null;
        }

        return new SessionLease(sessionKey, ownerId, Number(fields, 1, sessionKey), Time(Number(fields, 2, sessionKey)), Text(Number(fields, 3, sessionKey)));
    }

    /// <inheritdoc/>
    /// <remarks>A lease that lapsed is renewed when nobody claimed the session since (its token is still the newest).</remarks>
    public async Task<SessionLease?> RenewAsync(SessionLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        CheckLease(lease);
        var milliseconds = Milliseconds(duration);
        var reply = await EvaluateAsync(
            RedisScripts.Renew,
            [SessionHash(lease.SessionKey)],
            [Text(lease.Token), lease.OwnerId, milliseconds],
            lease.SessionKey,
            cancellationToken).ConfigureAwait(false);

        var fields = Fields(reply, lease.SessionKey);
        if (Number(fields, 0, lease.SessionKey) == 0)
        {
            return null;
        }

        return new SessionLease(lease.SessionKey, lease.OwnerId, lease.Token, Time(Number(fields, 1, lease.SessionKey)), Text(Number(fields, 2, lease.SessionKey)));
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        CheckLease(lease);
        var reply = await EvaluateAsync(
            RedisScripts.Release,
            [SessionHash(lease.SessionKey)],
            [Text(lease.Token), lease.OwnerId],
            lease.SessionKey,
            cancellationToken).ConfigureAwait(false);
        return Number(reply, lease.SessionKey) == 1;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads the set of session keys, then every session's hash in one pipelined round: each lease is read atomically,
    /// the list as a whole is not a snapshot (a lease may change while the list is read, as it may right after).
    /// A session that was claimed once stays listed, released or lapsed.
    /// </remarks>
    public async Task<IReadOnlyList<SessionLease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = await RunAsync(() => _database.SetMembersAsync(_index), "the session index", cancellationToken).ConfigureAwait(false);
        var names = keys.Select(key => (string?)key).Where(key => !string.IsNullOrEmpty(key)).Select(key => key!).OrderBy(key => key, StringComparer.Ordinal).ToList();
        var reads = names.Select(name => _database.HashGetAsync(SessionHash(name), LeaseFields)).ToList();
        var values = await RunAsync(() => Task.WhenAll(reads), "the session leases", cancellationToken).ConfigureAwait(false);

        var leases = new List<SessionLease>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var lease = values[i];
            if (lease[1].IsNull)
            {
                continue; // listed but gone (deleted by hand): nothing to own
            }

            leases.Add(new SessionLease(
                names[i],
                lease[0].IsNull ? string.Empty : (string)lease[0]!,
                Parse(lease[1], names[i], "token"),
                Time(Parse(lease[2], names[i], "expires")),
                lease[3].IsNull ? null : (string?)lease[3]));
        }

        return leases;
    }

    /// <inheritdoc/>
    public async Task<SessionCheckpoint?> ReadCheckpointAsync(string sessionKey, CancellationToken cancellationToken)
    {
        CheckSessionKey(sessionKey);
        cancellationToken.ThrowIfCancellationRequested();
        var values = await RunAsync(() => _database.HashGetAsync(SessionHash(sessionKey), CheckpointFields), sessionKey, cancellationToken).ConfigureAwait(false);
        if (values[0].IsNull)
        {
            return null;
        }

        if (!GatewayResumePoint.TryParse((string?)values[0], out var position))
        {
            throw new SessionStoreException($"Session {sessionKey}'s checkpoint in Redis is not a resume point: '{(string?)values[0]}'.");
        }

        return new SessionCheckpoint(sessionKey, position, Parse(values[1], sessionKey, "cp_token"), Time(Parse(values[2], sessionKey, "cp_at")));
    }

    /// <inheritdoc/>
    /// <remarks>One script compares the lease's token with the session's newest and writes only when they are equal.</remarks>
    public async Task WriteCheckpointAsync(SessionLease lease, GatewayResumePoint position, CancellationToken cancellationToken)
    {
        CheckLease(lease);
        if (position is null)
        {
            throw new ArgumentNullException(nameof(position));
        }

        var reply = await EvaluateAsync(
            RedisScripts.WriteCheckpoint,
            [SessionHash(lease.SessionKey)],
            [Text(lease.Token), position.ToString()],
            lease.SessionKey,
            cancellationToken).ConfigureAwait(false);

        var fields = Fields(reply, lease.SessionKey);
        if (Number(fields, 0, lease.SessionKey) == 0)
        {
            var newest = Number(fields, 1, lease.SessionKey);
            throw new SessionOwnershipLostException(lease.SessionKey, lease.Token, newest < 0 ? null : newest);
        }
    }

    /// <summary>Closes the connection when <see cref="ConnectAsync"/> made it; a connection the app passed in stays open.</summary>
    public void Dispose()
    {
        if (_ownsConnection)
        {
            _connection.Dispose();
        }
    }

    /// <summary>Closes the connection when <see cref="ConnectAsync"/> made it; a connection the app passed in stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            _connection.Dispose();
        }
    }

    private static readonly RedisValue[] LeaseFields = ["owner", "token", "expires", "version"];

    private static readonly RedisValue[] CheckpointFields = ["cp", "cp_token", "cp_at"];

    private RedisKey SessionHash(string sessionKey) => KeyPrefix + "session:" + sessionKey;

    private Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, string sessionKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RunAsync(() => _database.ScriptEvaluateAsync(script, keys, values), sessionKey, cancellationToken);
    }

    /// <summary>One call to Redis: its failures typed, the wait bounded by the token (and by the connection's own timeouts).</summary>
    private static async Task<T> RunAsync<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        Task<T> pending;
        try
        {
            pending = call();
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failure(ex, what);
        }

        try
        {
            return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !pending.IsCompleted)
        {
            // The call goes on without a waiter: observe its failure, if any.
            _ = pending.ContinueWith(static call => _ = call.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failure(ex, what);
        }
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is RedisException or TimeoutException or ObjectDisposedException;

    private static SessionStoreException Failure(Exception ex, string what) =>
        new($"The Redis session store failed for {what}: {ex.Message}", ex);

    private static RedisResult[] Fields(RedisResult reply, string sessionKey)
    {
        if (reply.IsNull || reply.Resp2Type != ResultType.Array)
        {
            throw Unexpected(reply, sessionKey);
        }

        return (RedisResult[])reply!;
    }

    private static long Number(RedisResult[] fields, int index, string sessionKey) =>
        index < fields.Length ? Number(fields[index], sessionKey) : throw new SessionStoreException($"Redis answered a session store script for {sessionKey} with {fields.Length} values, fewer than expected.");

    private static long Number(RedisResult reply, string sessionKey) =>
        !reply.IsNull && reply.Resp2Type == ResultType.Integer ? (long)reply : throw Unexpected(reply, sessionKey);

    private static SessionStoreException Unexpected(RedisResult reply, string sessionKey) =>
        new($"Redis answered a session store script for {sessionKey} with {reply.Resp2Type} '{reply}', not what the script returns.");

    private static long Parse(RedisValue value, string sessionKey, string field) =>
        !value.IsNull && long.TryParse((string?)value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new SessionStoreException($"Session {sessionKey}'s field '{field}' in Redis is not a number: '{value}'.");

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);

    private static long Milliseconds(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero || duration > MaxDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease's duration must be positive and at most 365 days.");
        }

        // Whole milliseconds, rounded up: a positive duration never becomes no lease at all.
        return (duration.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
    }

    private static void CheckSessionKey(string sessionKey)
    {
        if (string.IsNullOrWhiteSpace(sessionKey))
        {
            throw new ArgumentException("A session key must not be empty.", nameof(sessionKey));
        }
    }

    private static void CheckLease(SessionLease lease)
    {
        if (lease is null)
        {
            throw new ArgumentNullException(nameof(lease));
        }

        if (lease.OwnerId.Length == 0)
        {
            throw new ArgumentException("A released lease (no owner) cannot be renewed, released or written with.", nameof(lease));
        }
    }
}

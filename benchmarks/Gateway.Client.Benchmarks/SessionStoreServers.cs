using Gateway.Client.TestSupport;
using StackExchange.Redis;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The four session stores the sessions runs measure, set up for real: a scratch directory for the file and SQLite
/// stores, and Redis and PostgreSQL servers started by the tests' own servers (RedisServer, PostgresServer, linked from
/// tests/Shared/Servers), each durable as a deployment would run it. A store whose server
/// cannot start is left out with a skip line that says why.
/// </summary>
internal sealed class SessionStoreServers : IAsyncDisposable
{
    private readonly string _scratch;
    private readonly List<SessionStoreLocation> _available = new();
    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _serverProcesses = new(StringComparer.Ordinal);
    private RedisServer? _redis;
    private PostgresServer? _postgres;

    private SessionStoreServers(string scratch) => _scratch = scratch;

    /// <summary>The stores that could be set up, in the order asked for.</summary>
    public IReadOnlyList<SessionStoreLocation> Available => _available;

    /// <summary>How a store is set up (durability, where it is), for the report.</summary>
    public string Settings(string kind) => _settings[kind];

    /// <summary>The server's process id (Redis, PostgreSQL's postmaster), for its CPU time; null for an in-process store.</summary>
    public int? ServerProcess(string kind) => _serverProcesses.TryGetValue(kind, out var id) ? id : null;

    public static async Task<SessionStoreServers> StartAsync(IEnumerable<string> kinds)
    {
        var scratch = Path.Combine(Path.GetTempPath(), $"gateway-bench-sessions-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        var servers = new SessionStoreServers(scratch);
        foreach (var kind in kinds)
        {
            try
            {
                await servers.AddAsync(kind);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or RedisException or System.ComponentModel.Win32Exception)
            {
                Console.WriteLine($"SKIP {kind}: its server could not start here: {ex.Message}");
            }
        }

        return servers;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // a child process's file may still be closing: the scratch directory is in the temporary directory anyway
        }
    }

    private async Task AddAsync(string kind)
    {
        switch (kind)
        {
            case SessionStoreLocation.File:
                Add(kind, _scratch, $"a JSON file per session in {_scratch} (ext4), written to a temporary file, flushed to disk and renamed");
                break;
            case SessionStoreLocation.Sqlite:
                Add(kind, _scratch, "a database file in the same directory, WAL, synchronous = FULL (the store's settings)");
                break;
            case SessionStoreLocation.Redis:
                _redis = await RedisServer.StartAsync();
                // Fencing needs persistence (the package README): AOF, fsync every second, as a deployment would run it.
                await using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true"))
                {
                    var server = admin.GetServer(admin.GetEndPoints()[0]);
                    await server.ConfigSetAsync("appendonly", "yes");
                    await server.ConfigSetAsync("appendfsync", "everysec");
                }

                _serverProcesses[kind] = _redis.ProcessId;
                Add(kind, _redis.Configuration, "redis-server 7.0.15 on loopback, AOF with appendfsync everysec, one multiplexed connection per store");
                break;
            case SessionStoreLocation.Postgres:
                _postgres = await PostgresServer.StartAsync(durable: true);
                _serverProcesses[kind] = _postgres.ProcessId;
                // two processes share the server in the handover run: their pools together stay under its max_connections (100)
                var pooled = new Npgsql.NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { MaxPoolSize = 40 }.ConnectionString;
                Add(kind, pooled, "PostgreSQL 15 on loopback, fsync and synchronous_commit on (its defaults), Npgsql's pool of up to 40 connections per process");
                break;
            default:
                throw new ArgumentException($"Unknown store kind '{kind}': {SessionStoreLocation.File} | {SessionStoreLocation.Sqlite} | {SessionStoreLocation.Redis} | {SessionStoreLocation.Postgres}.");
        }
    }

    private void Add(string kind, string address, string settings)
    {
        _available.Add(new SessionStoreLocation(kind, address, "unscoped"));
        _settings[kind] = settings;
    }
}

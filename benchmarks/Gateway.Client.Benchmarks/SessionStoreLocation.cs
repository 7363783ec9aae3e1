using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Postgres;
using Gateway.Client.Sessions.Redis;
using Gateway.Client.Sessions.Sqlite;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// One session store of a sessions run, in a form a child process can be handed in its environment: the store's kind,
/// where its server or directory is, and a scope that makes it a fresh store (a directory, a database file, a key prefix,
/// a schema), so every measurement starts from an empty store.
/// </summary>
internal sealed record SessionStoreLocation(string Kind, string Address, string Scope)
{
    public const string File = "file";
    public const string Sqlite = "sqlite";
    public const string Redis = "redis";
    public const string Postgres = "postgres";

    private const string KindVariable = "GATEWAY_BENCH_STORE_KIND";
    private const string AddressVariable = "GATEWAY_BENCH_STORE_ADDRESS";
    private const string ScopeVariable = "GATEWAY_BENCH_STORE_SCOPE";

    /// <summary>The location a parent process put in this one's environment.</summary>
    public static SessionStoreLocation FromEnvironment() => new(
        Environment.GetEnvironmentVariable(KindVariable) ?? throw new InvalidOperationException($"{KindVariable} is not set."),
        Environment.GetEnvironmentVariable(AddressVariable) ?? throw new InvalidOperationException($"{AddressVariable} is not set."),
        Environment.GetEnvironmentVariable(ScopeVariable) ?? throw new InvalidOperationException($"{ScopeVariable} is not set."));

    /// <summary>The same store in a fresh scope.</summary>
    public SessionStoreLocation WithScope(string scope) => this with { Scope = scope };

    /// <summary>The environment a child process opens this store from.</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment() => new Dictionary<string, string>
    {
        [KindVariable] = Kind,
        [AddressVariable] = Address,
        [ScopeVariable] = Scope,
    };

    /// <summary>Opens the store (its table created where it has one); disposing the result closes its connections.</summary>
    public async Task<OpenedSessionStore> OpenAsync()
    {
        switch (Kind)
        {
            case File:
                return new OpenedSessionStore(new FileSessionStore(Path.Combine(Address, Scope)));
            case Sqlite:
                return new OpenedSessionStore(new SqliteSessionStore($"Data Source={Path.Combine(Address, Scope + ".db")}"));
            case Redis:
                var redis = await RedisSessionStore.ConnectAsync(Address, new RedisSessionStoreOptions { KeyPrefix = $"bench:{Scope}:" });
                return new OpenedSessionStore(redis, redis);
            case Postgres:
                var postgres = new PostgresSessionStore(Address, new PostgresSessionStoreOptions { Schema = Scope });
                await postgres.EnsureCreatedAsync(CancellationToken.None);
                return new OpenedSessionStore(postgres, postgres);
            default:
                throw new ArgumentException($"Unknown store kind '{Kind}': {File} | {Sqlite} | {Redis} | {Postgres}.");
        }
    }
}

using StackExchange.Redis;

namespace Gateway.Client.TestSupport;

/// <summary>
/// One real Redis server for the Redis tests (<see cref="RedisCollection"/>), with one shared connection to it; each
/// test makes its stores under a fresh key prefix, which makes them fresh stores. Not started where it cannot run
/// (every test is then skipped with the reason: <see cref="RequiresServerAttribute"/>), unless CI requires it.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _connection;

    /// <summary>The server.</summary>
    public RedisServer Server => _server ?? throw new InvalidOperationException("The Redis server fixture did not start.");

    /// <summary>A connection to it, shared by the tests' stores.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The Redis server fixture did not start.");

    /// <summary>A new connection of its own (for a second worker that must not share the first one's socket).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(Server.Configuration);

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix() => $"test:{Guid.NewGuid():N}:";

    public async Task InitializeAsync()
    {
        if (!ServerRequirement.Required && RedisServer.WhyNot is not null)
        {
            return; // every test is skipped with the reason
        }

        _server = await RedisServer.StartAsync();
        _connection = await ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The Redis tests share one server and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis server";
}

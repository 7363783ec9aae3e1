using Npgsql;

namespace Gateway.Client.TestSupport;

/// <summary>
/// One real PostgreSQL server for the PostgreSQL tests (<see cref="PostgresCollection"/>), with one shared data source
/// to it; each store the tests make is in a fresh schema, which makes it a fresh store. Not started where it cannot run
/// (every test is then skipped with the reason: <see cref="RequiresServerAttribute"/>), unless CI requires it.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private NpgsqlDataSource? _dataSource;

    /// <summary>The server.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server fixture did not start.");

    /// <summary>A data source for it, shared by the tests' stores.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The PostgreSQL server fixture did not start.");

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema() => $"test_{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        if (!ServerRequirement.Required && PostgresServer.WhyNot is not null)
        {
            return; // every test is skipped with the reason
        }

        _server = await PostgresServer.StartAsync();
        _dataSource = NpgsqlDataSource.Create(_server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The PostgreSQL tests share one server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres server";
}

using Gateway.Client.Sessions.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace Gateway.Client.FleetTests;

/// <summary>The fleet test (<see cref="FleetScenario"/>) on a real PostgreSQL server, in a schema of its own.</summary>
[Collection(PostgresCollection.Name)]
[RequiresServer(typeof(PostgresServer))]
public sealed class PostgresFleetTests(PostgresServerFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task A_fleet_through_kill_pause_join_and_graceful_stop_keeps_one_owner_per_session_and_loses_nothing_on_PostgreSQL()
    {
        var schema = PostgresServerFixture.NewSchema();
        // Five workers share the server's 100 connections (each worker's pool at most 15).
        var connection = new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { MaxPoolSize = 15 }.ToString();
        await using var view = new PostgresSessionStore(postgres.DataSource, new PostgresSessionStoreOptions { Schema = schema });
        await using var fleet = new FleetScenario(new FleetStore("postgres", connection, schema, view), output);
        await fleet.RunAsync();
    }
}

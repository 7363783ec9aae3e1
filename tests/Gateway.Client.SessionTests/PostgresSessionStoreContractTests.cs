using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Postgres;

namespace Gateway.Client.SessionTests;

/// <summary>The <see cref="ISessionStore"/> contract on a real PostgreSQL server: every store a fresh schema, time the server's (<c>now()</c>).</summary>
[Collection(PostgresCollection.Name)]
[RequiresServer(typeof(PostgresServer))]
public sealed class PostgresSessionStoreContractTests(PostgresServerFixture postgres) : SessionStoreContractTests
{
    protected override bool UsesInjectedClock => false;

    protected override Task<ISessionStore> CreateStoreAsync(TimeProvider? time) =>
        Task.FromResult<ISessionStore>(new PostgresSessionStore(postgres.DataSource, new PostgresSessionStoreOptions { Schema = PostgresServerFixture.NewSchema() }));
}

using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Postgres;
using Gateway.Client.Sessions.Redis;

namespace WorkerService;

/// <summary>
/// The store every worker of the fleet shares, chosen by "Fleet:Store": File (the default: the processes of one machine,
/// nothing to install), Redis or Postgres (a fleet over several machines; the connection string under ConnectionStrings).
/// </summary>
public static class SessionStores
{
    public static async Task<ISessionStore> CreateAsync(IConfiguration configuration)
    {
        var kind = configuration["Fleet:Store"] ?? "File";
        switch (kind.ToLowerInvariant())
        {
            case "file":
                var directory = configuration["Fleet:FileStoreDirectory"] ?? DemoGateway.StoreFolder(configuration);
                return new FileSessionStore(directory);
            case "redis":
                return await RedisSessionStore.ConnectAsync(ConnectionString(configuration, "Redis"), new RedisSessionStoreOptions { KeyPrefix = "fleet-sample:" });
            case "postgres":
                return new PostgresSessionStore(ConnectionString(configuration, "Postgres"));
            default:
                throw new InvalidOperationException($"Fleet:Store is '{kind}': expected File, Redis or Postgres.");
        }
    }

    private static string ConnectionString(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Fleet:Store is {name}: set ConnectionStrings:{name} (appsettings.json, or ConnectionStrings__{name} in the environment).");
}

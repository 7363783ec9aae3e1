using Gateway.Client.Sessions.Redis;
using Xunit.Abstractions;

namespace Gateway.Client.FleetTests;

/// <summary>The fleet test (<see cref="FleetScenario"/>) on a real Redis server, under a key prefix of its own.</summary>
[Collection(RedisCollection.Name)]
[RequiresServer(typeof(RedisServer))]
public sealed class RedisFleetTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task A_fleet_through_kill_pause_join_and_graceful_stop_keeps_one_owner_per_session_and_loses_nothing_on_Redis()
    {
        var prefix = RedisServerFixture.NewPrefix();
        await using var view = new RedisSessionStore(redis.Connection, new RedisSessionStoreOptions { KeyPrefix = prefix });
        await using var fleet = new FleetScenario(new FleetStore("redis", redis.Server.Configuration, prefix, view), output);
        await fleet.RunAsync();
    }
}

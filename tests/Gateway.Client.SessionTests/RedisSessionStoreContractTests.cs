using Gateway.Client.Sessions;
using Gateway.Client.Sessions.Redis;

namespace Gateway.Client.SessionTests;

/// <summary>The <see cref="ISessionStore"/> contract on a real Redis server: every store a fresh key prefix, time the server's.</summary>
[Collection(RedisCollection.Name)]
[RequiresServer(typeof(RedisServer))]
public sealed class RedisSessionStoreContractTests(RedisServerFixture redis) : SessionStoreContractTests
{
    protected override bool UsesInjectedClock => false;

    protected override Task<ISessionStore> CreateStoreAsync(TimeProvider? time) =>
        Task.FromResult<ISessionStore>(new RedisSessionStore(redis.Connection, new RedisSessionStoreOptions { KeyPrefix = RedisServerFixture.NewPrefix() }));
}

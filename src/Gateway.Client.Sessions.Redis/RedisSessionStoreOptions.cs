namespace Gateway.Client.Sessions.Redis;

/// <summary>Where a <see cref="RedisSessionStore"/> keeps its keys.</summary>
public sealed class RedisSessionStoreOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "gateway:sessions:";

    /// <summary>
    /// Put before every key the store writes (one hash per session, <c>{prefix}session:{key}</c>, and the set of session
    /// keys, <c>{prefix}index</c>): stores with different prefixes are independent. On Redis Cluster, give the prefix a
    /// hash tag (<c>{gw}:sessions:</c>) so that every key of one store is in one slot (each script touches two keys).
    /// Default: <c>gateway:sessions:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The Redis database number; -1 (the default) is the connection's default database.</summary>
    public int Database { get; set; } = -1;
}

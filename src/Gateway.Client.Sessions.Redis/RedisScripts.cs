namespace Gateway.Client.Sessions.Redis;

/// <summary>
/// The Lua scripts: each operation that must be atomic is one script, run by the server without anything in between.
/// Time is the server's (<c>TIME</c>), in milliseconds since the Unix epoch; a session is one hash whose <c>token</c>
/// field only ever grows (<c>HINCRBY</c>) and is never deleted or given a time to live.
/// </summary>
/// <remarks>
/// The session's hash: <c>owner</c> (empty when released), <c>token</c> (the newest ownership's token: the counter),
/// <c>expires</c> (milliseconds), <c>version</c> (moved on by every claim, renewal and release: a conditional write's
/// version), <c>cp</c> (the checkpoint's resume point, its text form), <c>cp_token</c> and <c>cp_at</c>.
/// </remarks>
internal static class RedisScripts
{
    private const string Now = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        """;

    /// <summary>
    /// KEYS: the session's hash, the index. ARGV: owner, duration (ms), the observed lease's token, owner and version
    /// (empty strings: none), the session key. Returns {1, token, expires, version} or {0}.
    /// </summary>
    public const string Claim = Now + """

        local lease = redis.call('HMGET', KEYS[1], 'owner', 'token', 'expires', 'version')
        local owner, token, expires, version = lease[1], lease[2], lease[3], lease[4]
        if owner and owner ~= '' and tonumber(expires) > now then
          if ARGV[3] == '' or token ~= ARGV[3] or owner ~= ARGV[4] or (ARGV[5] ~= '' and version ~= ARGV[5]) then
            return {0}
          end
        end
        local newToken = redis.call('HINCRBY', KEYS[1], 'token', 1)
        local newVersion = redis.call('HINCRBY', KEYS[1], 'version', 1)
        local newExpires = now + tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'expires', newExpires)
        redis.call('SADD', KEYS[2], ARGV[6])
        return {1, newToken, newExpires, newVersion}
        """;

    /// <summary>
    /// KEYS: the session's hash. ARGV: the lease's token and owner, duration (ms). Returns {1, expires, version}, or {0}
    /// when the session is no longer the lease's (claimed since, released).
    /// </summary>
    public const string Renew = Now + """

        local lease = redis.call('HMGET', KEYS[1], 'owner', 'token')
        if lease[2] ~= ARGV[1] or lease[1] ~= ARGV[2] then
          return {0}
        end
        local newExpires = now + tonumber(ARGV[3])
        local newVersion = redis.call('HINCRBY', KEYS[1], 'version', 1)
        redis.call('HSET', KEYS[1], 'expires', newExpires)
        return {1, newExpires, newVersion}
        """;

    /// <summary>KEYS: the session's hash. ARGV: the lease's token and owner. Returns 1, or 0 when it was no longer the lease's.</summary>
    public const string Release = Now + """

        local lease = redis.call('HMGET', KEYS[1], 'owner', 'token')
        if lease[2] ~= ARGV[1] or lease[1] ~= ARGV[2] then
          return 0
        end
        redis.call('HINCRBY', KEYS[1], 'version', 1)
        redis.call('HSET', KEYS[1], 'owner', '', 'expires', now)
        return 1
        """;

    /// <summary>
    /// KEYS: the session's hash. ARGV: the writer's token, the resume point's text. Returns {1, written at}, or {0, the
    /// session's newest token (-1: none)} when the writer's token is not the session's newest.
    /// </summary>
    public const string WriteCheckpoint = """
        local newest = redis.call('HGET', KEYS[1], 'token')
        if newest ~= ARGV[1] then
          if newest then
            return {0, tonumber(newest)}
          end
          return {0, -1}
        end
        """ + "\n" + Now + """

        redis.call('HSET', KEYS[1], 'cp', ARGV[2], 'cp_token', ARGV[1], 'cp_at', now)
        return {1, now}
        """;
}

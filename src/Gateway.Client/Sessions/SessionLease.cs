namespace Gateway.Client.Sessions;

/// <summary>One worker's ownership of one gateway session, as the store holds it.</summary>
public sealed class SessionLease
{
    /// <summary>Creates a lease as a store read or wrote it.</summary>
    /// <param name="sessionKey">The session (a definition's key).</param>
    /// <param name="ownerId">The worker that holds it; empty when released.</param>
    /// <param name="token">The fencing token: larger for every new ownership of this session, never reused.</param>
    /// <param name="expiresAt">When it lapses unless renewed (the store's clock).</param>
    /// <param name="version">The store's version of this record, for conditional writes (an ETag, a row version); opaque.</param>
    public SessionLease(string sessionKey, string ownerId, long token, DateTimeOffset expiresAt, string? version = null)
    {
        SessionKey = Guard.NotNullOrWhiteSpace(sessionKey);
        OwnerId = Guard.NotNull(ownerId);
        Token = token;
        ExpiresAt = expiresAt;
        Version = version;
    }

    /// <summary>The session.</summary>
    public string SessionKey { get; }

    /// <summary>The worker that holds it; empty when it was released.</summary>
    public string OwnerId { get; }

    /// <summary>The fencing token of this ownership.</summary>
    public long Token { get; }

    /// <summary>When it lapses unless renewed.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The store's version of this record (opaque), for conditional writes.</summary>
    public string? Version { get; }

    /// <summary>Whether it is held (not released) and not lapsed at <paramref name="now"/>.</summary>
    public bool IsLive(DateTimeOffset now) => OwnerId.Length > 0 && ExpiresAt > now;

    /// <inheritdoc/>
    public override string ToString() => $"{SessionKey}: {(OwnerId.Length == 0 ? "released" : OwnerId)} #{Token} until {ExpiresAt:O}";
}

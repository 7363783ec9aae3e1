namespace Gateway.Client.Sessions;

/// <summary>
/// A fenced write was refused: the session has had a newer ownership than the writer's lease (its token is older than
/// the session's newest). The writer no longer owns the session and must stop working on it.
/// </summary>
public sealed class SessionOwnershipLostException : SessionStoreException
{
    /// <summary>Creates the exception.</summary>
    public SessionOwnershipLostException(string sessionKey, long token, long? newestToken)
        : base($"Session {sessionKey} is no longer owned by lease #{token}" + (newestToken is { } newest ? $" (the store holds #{newest})" : string.Empty) + ": the write was refused.")
    {
        SessionKey = sessionKey;
        Token = token;
        NewestToken = newestToken;
    }

    /// <summary>The session.</summary>
    public string SessionKey { get; }

    /// <summary>The refused writer's token.</summary>
    public long Token { get; }

    /// <summary>The session's newest token, where the store said.</summary>
    public long? NewestToken { get; }
}

namespace Gateway.Client.Sessions;

/// <summary>How far a session was handled: the resume point after the last handled event, and who wrote it.</summary>
public sealed class SessionCheckpoint
{
    /// <summary>Creates a checkpoint as a store read it.</summary>
    public SessionCheckpoint(string sessionKey, GatewayResumePoint position, long token, DateTimeOffset writtenAt)
    {
        SessionKey = Guard.NotNullOrWhiteSpace(sessionKey);
        Position = Guard.NotNull(position);
        Token = token;
        WrittenAt = writtenAt;
    }

    /// <summary>The session.</summary>
    public string SessionKey { get; }

    /// <summary>Where a new owner resumes (<see cref="GatewayClientOptions.ResumeFrom"/>).</summary>
    public GatewayResumePoint Position { get; }

    /// <summary>The fencing token of the ownership that wrote it.</summary>
    public long Token { get; }

    /// <summary>When it was written (the store's clock).</summary>
    public DateTimeOffset WrittenAt { get; }
}

namespace Gateway.Client;

/// <summary>The <c>hello_error</c> codes of the wire contract, plus the client's own.</summary>
public static class HandshakeErrorCodes
{
    /// <summary>No token was presented.</summary>
    public const string AuthRequired = "auth_required";

    /// <summary>The token was rejected.</summary>
    public const string AuthUnauthorized = "auth_unauthorized";

    /// <summary>No protocol version is supported by both sides.</summary>
    public const string ProtocolUnsupported = "protocol_unsupported";

    /// <summary>The client must be paired first.</summary>
    public const string PairingRequired = "pairing_required";

    /// <summary>The server has no agent with the requested id.</summary>
    public const string AgentNotFound = "agent_not_found";

    /// <summary>Too many attempts; retry later (the only retryable known code).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The origin is not allowed.</summary>
    public const string OriginNotAllowed = "origin_not_allowed";

    /// <summary>The server is misconfigured.</summary>
    public const string ConfigurationError = "configuration_error";

    /// <summary>Legacy <c>join</c> path: the versions do not overlap.</summary>
    public const string VersionUnsupported = "version_unsupported";

    /// <summary>The client's own code: the server answered with something the contract does not allow.</summary>
    public const string InvalidResponse = "invalid_response";

    /// <summary>The client's own code: the server answered nothing within the handshake timeout.</summary>
    public const string Timeout = "handshake_timeout";

    private static readonly HashSet<string> Terminal = new(StringComparer.Ordinal)
    {
        AuthRequired, AuthUnauthorized, ProtocolUnsupported, PairingRequired, AgentNotFound,
        OriginNotAllowed, ConfigurationError, VersionUnsupported, InvalidResponse,
    };

    /// <summary>
    /// Whether a handshake failing with <paramref name="code"/> may succeed on retry: <c>rate_limited</c>,
    /// <c>handshake_timeout</c> and unknown codes are retryable; every other known code is terminal.
    /// </summary>
    public static bool IsRetryable(string code) => !Terminal.Contains(Guard.NotNull(code));
}

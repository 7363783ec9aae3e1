namespace Gateway.Client.Dialects;

/// <summary>What the engine asks a dialect's handshake to do.</summary>
internal sealed class HandshakeRequest
{
    public required string AgentId { get; init; }

    public required ProtocolRange Protocol { get; init; }

    public required IReadOnlyList<string> Capabilities { get; init; }

    /// <summary>The session to resume, or null for a new one.</summary>
    public string? SessionId { get; init; }

    /// <summary>The highest number accepted, sent as <c>since</c> when resuming.</summary>
    public long? Since { get; init; }

    /// <summary>Whether a legacy fallback is allowed.</summary>
    public bool AllowLegacy { get; init; }

    /// <summary>Go straight to the legacy handshake (a previous connect found a legacy server).</summary>
    public bool PreferLegacy { get; init; }

    /// <summary>How long to wait for each handshake answer.</summary>
    public required TimeSpan Timeout { get; init; }

    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The token, for dialects that send it in the handshake itself.</summary>
    public string? Token { get; init; }

    /// <summary>Where the handshake's numbers (heartbeat, retry-after) are clamped, logged and counted.</summary>
    public ServerNumbers Numbers { get; init; } = ServerNumbers.Unobserved;
}

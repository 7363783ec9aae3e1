using System.Text.Json;
using Gateway.Client.OpenClaw;

namespace Gateway.Client;

/// <summary>What the server said about the session in the latest successful handshake.</summary>
public sealed class GatewaySession
{
    /// <summary>Creates a session description.</summary>
    public GatewaySession(
        string sessionId,
        int protocol,
        bool isLegacyHandshake,
        bool resumed,
        long serverCursor,
        string? epoch,
        long? oldestCursor,
        GatewayFeatures features,
        GatewayPolicy policy,
        JsonElement? snapshot,
        string? serverBootId = null)
    {
#pragma warning disable CS0618 // the obsolete property is still filled for compatibility
        ServerBootId = serverBootId;
#pragma warning restore CS0618
        SessionId = Guard.NotNull(sessionId);
        Protocol = protocol;
        IsLegacyHandshake = isLegacyHandshake;
        Resumed = resumed;
        ServerCursor = serverCursor;
        Epoch = epoch;
        OldestCursor = oldestCursor;
        Features = Guard.NotNull(features);
        Policy = Guard.NotNull(policy);
        Snapshot = snapshot;
    }

    /// <summary>The session id; persist it with <see cref="GatewayClient.Cursor"/> to resume later.</summary>
    public string SessionId { get; }

    /// <summary>The negotiated protocol version.</summary>
    public int Protocol { get; }

    /// <summary>Whether the server only spoke the legacy <c>join</c> handshake.</summary>
    public bool IsLegacyHandshake { get; }

    /// <summary>Whether the server resumed an existing session (false: it created a new one).</summary>
    public bool Resumed { get; }

    /// <summary>The server's head at handshake time: the highest sequence number it had assigned.</summary>
    public long ServerCursor { get; }

    /// <summary>Protocol 2: the name of the server's numbering history for this session.</summary>
    public string? Epoch { get; }

    /// <summary>The oldest sequence number the server still retained, when it said.</summary>
    public long? OldestCursor { get; }

    /// <summary>The methods and events the server announced.</summary>
    public GatewayFeatures Features { get; }

    /// <summary>The limits the server announced.</summary>
    public GatewayPolicy Policy { get; }

    /// <summary>The server process's boot id (OpenClaw <c>server.bootId</c>); it changes when the server restarts.</summary>
    [Obsolete("Dialect-specific: use ((OpenClawSessionDetails)Details).ServerBootId.")]
    public string? ServerBootId { get; }

    /// <summary>
    /// What this dialect's handshake said beyond the shared fields, for example <see cref="OpenClawSessionDetails"/>;
    /// null for a dialect with nothing more to say.
    /// </summary>
    public DialectSessionDetails? Details { get; init; }

    /// <summary>The state snapshot sent with the handshake (protocol 2 <c>snapshot</c> or a legacy <c>snapshot</c> frame).</summary>
    public JsonElement? Snapshot { get; }
}

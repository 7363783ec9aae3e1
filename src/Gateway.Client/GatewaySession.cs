using System.Text.Json;
using Gateway.Client.OpenClaw;

namespace Gateway.Client;

/// <summary>
/// What the server said about the session in the latest successful handshake (<see cref="GatewayClient.Session"/>).
/// Tests make one with <see cref="GatewayModelFactory.GatewaySession"/>.
/// </summary>
public sealed class GatewaySession
{
    internal GatewaySession(
        string sessionId,
        int protocol,
        bool isLegacyHandshake,
        bool resumed,
        long headSequence,
        string? epoch,
        long? oldestSequence,
        GatewayFeatures features,
        GatewayPolicy policy,
        JsonElement? snapshot,
        DialectSessionDetails? details = null)
    {
        SessionId = Guard.NotNull(sessionId);
        Protocol = protocol;
        IsLegacyHandshake = isLegacyHandshake;
        Resumed = resumed;
        HeadSequence = headSequence;
        Epoch = epoch;
        OldestSequence = oldestSequence;
        Features = Guard.NotNull(features);
        Policy = Guard.NotNull(policy);
        Snapshot = snapshot;
        Details = details;
    }

    /// <summary>The session id. To resume after a restart, store an event's <see cref="GatewayEvent.ResumePoint"/>, which names it.</summary>
    public string SessionId { get; }

    /// <summary>The negotiated protocol version.</summary>
    public int Protocol { get; }

    /// <summary>Whether the server only spoke the legacy <c>join</c> handshake.</summary>
    public bool IsLegacyHandshake { get; }

    /// <summary>Whether the server resumed an existing session (false: it created a new one).</summary>
    public bool Resumed { get; }

    /// <summary>The server's head at handshake time: the highest sequence number it had assigned.</summary>
    public long HeadSequence { get; }

    /// <summary>Protocol 2: the name of the server's numbering history for this session.</summary>
    public string? Epoch { get; }

    /// <summary>The oldest sequence number the server still retained, when it said.</summary>
    public long? OldestSequence { get; }

    /// <summary>The methods and events the server announced.</summary>
    public GatewayFeatures Features { get; }

    /// <summary>The limits the server announced.</summary>
    public GatewayPolicy Policy { get; }

    /// <summary>
    /// What this dialect's handshake said beyond the shared fields, for example <see cref="OpenClawSessionDetails"/>
    /// (with the server's boot id); null for a dialect with nothing more to say.
    /// </summary>
    public DialectSessionDetails? Details { get; }

    /// <summary>The state snapshot sent with the handshake (protocol 2 <c>snapshot</c> or a legacy <c>snapshot</c> frame).</summary>
    public JsonElement? Snapshot { get; }
}

namespace Gateway.Client.Testing;

/// <summary>How a <see cref="TestGateway"/> behaves. Every default mimics a healthy protocol 1..2 server.</summary>
public sealed class TestGatewayOptions
{
    private TestAgent _agent = new EchoAgent();

    /// <summary>Which protocol the gateway speaks. Default: <see cref="TestGatewayDialect.PraisonAI"/>.</summary>
    public TestGatewayDialect Dialect { get; set; } = TestGatewayDialect.PraisonAI;

    /// <summary>In OpenClaw mode: the protocol version the gateway expects. Default: 4.</summary>
    public int OpenClawProtocol { get; set; } = 4;

    /// <summary>
    /// The port to listen on, on 127.0.0.1: 0 (the default) takes any free port (read it back from
    /// <see cref="TestGateway.Port"/> or <see cref="TestGateway.Url"/>); a fixed one lets a gateway come back on the same
    /// address, or a client outside the test find it. A port already in use fails the start with
    /// <see cref="TestGatewayPortInUseException"/>.
    /// </summary>
    public int Port { get; set; }

    /// <summary>The token clients must present as the <c>token</c> query parameter; null accepts anyone. Default: null.</summary>
    public string? Token { get; set; }

    /// <summary>Also accept the token as <c>Authorization: Bearer</c> (PraisonAI does not). Default: false.</summary>
    public bool AcceptAuthorizationHeader { get; set; }

    /// <summary>The lowest protocol version the server supports. Default: 1.</summary>
    public int ProtocolMin { get; set; } = 1;

    /// <summary>The highest protocol version the server supports (1 poses as a protocol-1-only server). Default: 2.</summary>
    public int ProtocolMax { get; set; } = 2;

    /// <summary>Pose as a server from before <c>hello</c>: only <c>join</c>/<c>joined</c>/<c>snapshot</c>. Default: false.</summary>
    public bool LegacyOnly { get; set; }

    /// <summary>In legacy mode, what the server does with a <c>hello</c>. Default: ignore it.</summary>
    public LegacyHelloBehavior LegacyHelloBehavior { get; set; } = LegacyHelloBehavior.Ignore;

    /// <summary>Agents the server knows; null knows every id. Default: null.</summary>
    public IReadOnlyCollection<string>? AgentIds { get; set; }

    /// <summary>How many numbered events a session retains for replay. Default: 100 (PraisonAI's window).</summary>
    public int RetentionWindow { get; set; } = 100;

    /// <summary>
    /// Record only events that were actually sent to a connection, as PraisonAI does: what is produced
    /// while the client is away is never replayed. Default: false (retain everything in the window).
    /// </summary>
    public bool RetainOnlyDeliveredEvents { get; set; }

    /// <summary>How often the server pings; a connection silent for two intervals is closed with 4002. Default: 30 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the server pings and reaps silent connections. Default: true.</summary>
    public bool EnableHeartbeat { get; set; } = true;

    /// <summary>The <c>max_payload</c> announced and enforced (a larger client frame closes with 1009). Default: 1 MiB.</summary>
    public int MaxPayload { get; set; } = 1024 * 1024;

    /// <summary>
    /// The agent that runs turns: PraisonAI <c>message</c>, OpenClaw <c>chat.send</c>, Praxis <c>CHAT_MESSAGE</c> (see
    /// <see cref="TestAgent"/>). Default: an <see cref="EchoAgent"/>; the Praxis modes use it only once set, and answer as the
    /// real handlers with no agent attached until then.
    /// </summary>
    public TestAgent Agent
    {
        get => _agent;
        set
        {
            _agent = value;
            AgentIsSet = true;
        }
    }

    /// <summary>Whether a test set <see cref="Agent"/> (the Praxis modes then run it).</summary>
    internal bool AgentIsSet { get; private set; }

    /// <summary>
    /// Serve <c>wss://</c> with this certificate (it must carry its private key); null serves plain
    /// <c>ws://</c>. <see cref="TestCertificate.CreateSelfSigned"/> makes one. Default: null.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; set; }

    /// <summary>The clock for heartbeats, reaping and handshake delays. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (!TestDialectCatalog.Entries.Any(e => e.Value == Dialect))
        {
            throw new ArgumentException($"TestGatewayOptions.Dialect has an unknown value {(int)Dialect}.", nameof(Dialect));
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "TestGatewayOptions.Port must be 0 (any free port) or a port from 1 to 65535.");
        }

        if (ProtocolMin < 1 || ProtocolMin > ProtocolMax)
        {
            throw new ArgumentException($"TestGatewayOptions.ProtocolMin/ProtocolMax must satisfy 1 <= min <= max; got {ProtocolMin}..{ProtocolMax}.", nameof(ProtocolMin));
        }

        if (RetentionWindow < 0)
        {
            throw new ArgumentException("TestGatewayOptions.RetentionWindow must not be negative.", nameof(RetentionWindow));
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("TestGatewayOptions.HeartbeatInterval must be positive.", nameof(HeartbeatInterval));
        }

        if (ServerCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("TestGatewayOptions.ServerCertificate must carry its private key.", nameof(ServerCertificate));
        }

        ArgumentNullException.ThrowIfNull(Agent);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}

using System.Buffers;
using System.Text.Json;

namespace Gateway.Client.Dialects;

/// <summary>
/// The core wire contract every dialect speaks: the handshake, how an inbound frame is classified, the
/// control frames (ping, pong, leave), continuity, requests and the reconnect table. The engine knows
/// nothing else about the wire. Everything else is an optional capability a dialect may implement:
/// <see cref="IResync"/>, <see cref="ISessionRestore"/>. What a dialect keeps for one
/// connection (how it reads frames, what it saw written) is an <see cref="IDialectConnection"/>.
/// </summary>
internal interface IDialect
{
    /// <summary>Puts the token where the server reads it before the socket opens (query, header), and returns the URL to open.</summary>
    Uri PrepareConnect(GatewayClientOptions options, string? token, System.Net.WebSockets.ClientWebSocketOptions socket);

    /// <summary>How a successful handshake continues the numbered stream.</summary>
    ContinuityDecision Continue(ContinuityInput input);

    /// <summary>What each close code means for reconnecting.</summary>
    IReadOnlyDictionary<int, ReconnectAction> CloseCodeActions { get; }

    /// <summary>What each handshake error code means for reconnecting.</summary>
    IReadOnlyDictionary<string, ReconnectAction> HandshakeCodeActions { get; }

    /// <summary>Performs the handshake on a freshly opened socket.</summary>
    /// <exception cref="GatewayHandshakeException">The server refused or answered outside the contract.</exception>
    /// <exception cref="GatewayConnectionException">The connection closed or failed during the handshake.</exception>
    Task<HandshakeResult> HandshakeAsync(IFrameTransport transport, HandshakeRequest request, CancellationToken cancellationToken);

    /// <summary>A connection's handshake succeeded: what the dialect keeps for that connection alone (itself, when it keeps nothing).</summary>
    IDialectConnection BeginConnection();

    /// <summary>Where its events keep their body (<see cref="GatewayEvent.Data"/>).</summary>
    EventBodyShape EventBody { get; }

    /// <summary>
    /// Whether a later connection, even another process, can resume the stream from a sequence number: what
    /// gives an event its <see cref="GatewayEvent.ResumePoint"/>.
    /// </summary>
    bool ResumesStream { get; }

    /// <summary>What the client announces in its handshake when <see cref="GatewayClientOptions.AnnouncedCapabilities"/> is null.</summary>
    IReadOnlyList<string> DefaultCapabilities { get; }

    /// <summary>How a dead connection is found.</summary>
    LivenessStyle Liveness { get; }

    /// <summary>The dialect's side of agent turns (one per client: it may keep state across turns, such as sessions that cannot run another).</summary>
    Engine.ITurnDriver CreateTurnDriver();

    /// <summary>Writes the client's own liveness ping; false when the protocol has none (see <see cref="Liveness"/>).</summary>
    bool WritePing(IBufferWriter<byte> output);

    /// <summary>Writes the answer to a server ping; false when the protocol has no application-level pings.</summary>
    bool WritePong(IBufferWriter<byte> output);

    /// <summary>Writes a polite leave (the session stays resumable); false when the protocol has none.</summary>
    bool WriteLeave(IBufferWriter<byte> output);

    /// <summary>
    /// Writes a request; only valid when <see cref="WhyNoRequests"/> is null for the session, and with an
    /// <paramref name="idempotencyKey"/> only when <see cref="WhyNoIdempotencyKey"/> is null.
    /// </summary>
    /// <exception cref="ArgumentException">The parameters already carry a different idempotency key.</exception>
    void WriteRequest(IBufferWriter<byte> output, string id, string method, JsonElement? parameters, string? idempotencyKey);

    /// <summary>
    /// Whether the server deduplicates a request by an idempotency key the dialect carries, so that a request
    /// with one may be sent again on the next connection. Null when it does; otherwise why not.
    /// </summary>
    string? WhyNoIdempotencyKey { get; }

    /// <summary>Whether the negotiated session supports request/response.</summary>
    /// <returns>Null when it does; otherwise why not, for the <see cref="NotSupportedException"/> the facade throws.</returns>
    string? WhyNoRequests(GatewaySession session);
}

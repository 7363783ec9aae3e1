using Gateway.Client.Dialects;
using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>
/// The one reconnect decider: what follows the end of a connection or a failed attempt, from a dialect's
/// tables of close codes and handshake error codes, the HTTP status of a refused upgrade
/// (<see cref="HttpStatuses"/>, the same for every dialect) and the exception's type. A code the tables do
/// not know follows the error's own retryability; a transport failure is resumed. The table as it stands
/// is in docs/protocol.md, "Reconnecting".
/// </summary>
internal sealed class ReconnectPolicy
{
    private readonly IReadOnlyDictionary<int, ReconnectAction> _closeCodes;
    private readonly IReadOnlyDictionary<string, ReconnectAction> _handshakeCodes;

    public ReconnectPolicy(IReadOnlyDictionary<int, ReconnectAction> closeCodes, IReadOnlyDictionary<string, ReconnectAction> handshakeCodes)
    {
        _closeCodes = closeCodes;
        _handshakeCodes = handshakeCodes;
    }

    public static ReconnectPolicy For(IDialect dialect) => new(dialect.CloseCodeActions, dialect.HandshakeCodeActions);

    /// <summary>
    /// A refused upgrade, by HTTP status: credentials refused (401, 403) stop unless the token changed, as
    /// close 4003 does; overload (429, 503) waits, with <c>Retry-After</c> as a floor; any other status
    /// (404, 502, …) is resumed with backoff.
    /// </summary>
    public static IReadOnlyDictionary<int, ReconnectAction> HttpStatuses { get; } = new Dictionary<int, ReconnectAction>
    {
        [401] = ReconnectAction.TerminalUnlessTokenChanged,
        [403] = ReconnectAction.TerminalUnlessTokenChanged,
        [429] = ReconnectAction.WaitThenResume,
        [503] = ReconnectAction.WaitThenResume,
    };

    /// <summary>What to do after an established connection ended.</summary>
    public ReconnectAction Decide(ConnectionEnd end) => end.Kind switch
    {
        // The oversized message would be replayed on resume and refused again: only a larger limit helps.
        ConnectionEndKind.MessageTooLarge => ReconnectAction.Terminal,
        ConnectionEndKind.ClosedByServer when end.CloseStatus is { } status => ForCloseCode((int)status),
        _ => ReconnectAction.Resume,
    };

    /// <summary>What to do after a connection attempt failed.</summary>
    public ReconnectAction Decide(Exception error) => error switch
    {
        GatewayHandshakeException handshake => _handshakeCodes.TryGetValue(handshake.Code, out var action)
            ? action
            : handshake.IsRetryable ? ReconnectAction.Resume : ReconnectAction.Terminal,
        // The same certificate would be presented again: only a configuration change helps.
        GatewayTlsException => ReconnectAction.Terminal,

        // A handshake message over the client's own receive limit would be sent again: terminal, as after the handshake
        // (a 1009 close the server sends is its own complaint, and goes by the close-code table below).
        _ when IsOverReceiveLimit(error) => ReconnectAction.Terminal,
        GatewayConnectionException { HttpStatusCode: { } http } => HttpStatuses.TryGetValue((int)http, out var byStatus) ? byStatus : ReconnectAction.Resume,
        GatewayConnectionException { CloseStatus: { } status } => ForCloseCode((int)status),

        // The token provider failed (a token service outage): like a network failure.
        GatewayAuthenticationException => ReconnectAction.Resume,
        GatewayConnectionException => ReconnectAction.Resume,
        _ => ReconnectAction.Terminal,
    };

    /// <summary>Whether an attempt failed because the gateway sent a message over <see cref="GatewayClientOptions.MaxReceiveMessageBytes"/> (the client closed with 1009).</summary>
    public static bool IsOverReceiveLimit(Exception error) => error is GatewayConnectionException { InnerException: MessageTooLargeException };

    /// <summary>The retry-after floor an error carries, if any.</summary>
    public static TimeSpan? RetryAfter(Exception? error) => error switch
    {
        GatewayHandshakeException { RetryAfter: { } after } => after,
        GatewayConnectionException { RetryAfter: { } after } => after,
        _ => null,
    };

    private ReconnectAction ForCloseCode(int code) =>
        _closeCodes.TryGetValue(code, out var action) ? action : ReconnectAction.Resume;
}

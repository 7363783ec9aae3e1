using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>
/// Decides what follows the end of a connection or a failed attempt, from a dialect's tables of close
/// codes and handshake error codes. A code the tables do not know follows the error's own
/// retryability; a transport failure is resumed.
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
        GatewayConnectionException { CloseStatus: { } status } => ForCloseCode((int)status),
        GatewayConnectionException => ReconnectAction.Resume,
        _ => ReconnectAction.Terminal,
    };

    /// <summary>The retry-after floor an error carries, if any.</summary>
    public static TimeSpan? RetryAfter(Exception? error) => error is GatewayHandshakeException { RetryAfter: { } after } ? after : null;

    private ReconnectAction ForCloseCode(int code) =>
        _closeCodes.TryGetValue(code, out var action) ? action : ReconnectAction.Resume;
}

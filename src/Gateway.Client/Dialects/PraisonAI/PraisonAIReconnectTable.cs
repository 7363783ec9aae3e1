namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// The close-code and handshake-error policy of docs/protocol.md ("Reconnecting", "Close codes"), as data. Anything not listed
/// (an unknown close code, an unknown handshake code, a transport failure) is resumed with backoff:
/// the contract says only known codes are terminal.
/// </summary>
internal static class PraisonAIReconnectTable
{
    public static IReadOnlyDictionary<int, ReconnectAction> CloseCodes { get; } = new Dictionary<int, ReconnectAction>
    {
        [1000] = ReconnectAction.Resume,                      // normal closure
        [1001] = ReconnectAction.Resume,                      // going away (also a server crash on a bad frame)
        [1013] = ReconnectAction.Resume,                      // slow_consumer: server outbound buffer overflow
        [4001] = ReconnectAction.Resume,                      // credentials_rotated: every attempt asks the token provider anyway
        [4002] = ReconnectAction.Resume,                      // liveness_timeout
        [4003] = ReconnectAction.TerminalUnlessTokenChanged,  // auth, origin or configuration rejected
        [4008] = ReconnectAction.WaitThenResume,              // rate limited: too many attempts
        [4029] = ReconnectAction.WaitThenResume,              // rate limited: too many unauthenticated sockets
        [4028] = ReconnectAction.Terminal,                    // too many unauthorized frames: the client is at fault
    };

    public static IReadOnlyDictionary<string, ReconnectAction> HandshakeCodes { get; } = new Dictionary<string, ReconnectAction>(StringComparer.Ordinal)
    {
        [HandshakeErrorCodes.RateLimited] = ReconnectAction.WaitThenResume,
        [HandshakeErrorCodes.Timeout] = ReconnectAction.Resume,
        [HandshakeErrorCodes.AuthRequired] = ReconnectAction.TerminalUnlessTokenChanged,
        [HandshakeErrorCodes.AuthUnauthorized] = ReconnectAction.TerminalUnlessTokenChanged,
        [HandshakeErrorCodes.ProtocolUnsupported] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.PairingRequired] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.AgentNotFound] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.OriginNotAllowed] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.ConfigurationError] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.VersionUnsupported] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.InvalidResponse] = ReconnectAction.Terminal,
    };

    /// <summary>The codes that are about credentials or protocol versions (gateway-tail's exit codes).</summary>
    public static IReadOnlyDictionary<string, HandshakeRefusalKind> Refusals { get; } = new Dictionary<string, HandshakeRefusalKind>(StringComparer.Ordinal)
    {
        [HandshakeErrorCodes.AuthRequired] = HandshakeRefusalKind.Credentials,
        [HandshakeErrorCodes.AuthUnauthorized] = HandshakeRefusalKind.Credentials,
        [HandshakeErrorCodes.PairingRequired] = HandshakeRefusalKind.Credentials,
        [HandshakeErrorCodes.OriginNotAllowed] = HandshakeRefusalKind.Credentials,
        [HandshakeErrorCodes.ProtocolUnsupported] = HandshakeRefusalKind.ProtocolVersion,
        [HandshakeErrorCodes.VersionUnsupported] = HandshakeRefusalKind.ProtocolVersion,
    };
}

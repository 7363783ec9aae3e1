namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>
/// What OpenClaw close codes and connect error codes mean for reconnecting (checked against gateway
/// 2026.9.6). Errors are keyed by <c>details.code</c> when present, else <c>code</c>; an unknown code
/// follows the error's own <c>retryable</c> flag.
/// </summary>
internal static class OpenClawReconnectTable
{
    public static IReadOnlyDictionary<int, ReconnectAction> CloseCodes { get; } = new Dictionary<int, ReconnectAction>
    {
        [1000] = ReconnectAction.Resume,                      // normal closure
        [1001] = ReconnectAction.Resume,                      // going away
        [1012] = ReconnectAction.Resume,                      // service restart (after a 'shutdown' event)
        [1013] = ReconnectAction.WaitThenResume,              // try again later: the gateway is starting
        [4000] = ReconnectAction.Resume,                      // tick timeout
        [1008] = ReconnectAction.TerminalUnlessTokenChanged,  // policy violation: credentials or client identity refused
        [1002] = ReconnectAction.Terminal,                    // protocol error: version mismatch or malformed connect
    };

    public static IReadOnlyDictionary<string, ReconnectAction> HandshakeCodes { get; } = new Dictionary<string, ReconnectAction>(StringComparer.Ordinal)
    {
        ["UNAVAILABLE"] = ReconnectAction.WaitThenResume,
        [HandshakeErrorCodes.Timeout] = ReconnectAction.Resume,
        ["AUTH_TOKEN_MISMATCH"] = ReconnectAction.TerminalUnlessTokenChanged,
        ["AUTH_TOKEN_MISSING"] = ReconnectAction.TerminalUnlessTokenChanged,
        ["AUTH_REQUIRED"] = ReconnectAction.TerminalUnlessTokenChanged,
        ["AUTH_UNAUTHORIZED"] = ReconnectAction.TerminalUnlessTokenChanged,
        ["PAIRING_REQUIRED"] = ReconnectAction.Terminal,
        ["DEVICE_IDENTITY_REQUIRED"] = ReconnectAction.Terminal,
        ["DEVICE_IDENTITY_INVALID"] = ReconnectAction.Terminal,
        ["PROTOCOL_MISMATCH"] = ReconnectAction.Terminal,
        ["VERSION_MISMATCH"] = ReconnectAction.Terminal,
        [HandshakeErrorCodes.InvalidResponse] = ReconnectAction.Terminal,
    };

    /// <summary>The codes that are about credentials or protocol versions (gateway-tail's exit codes).</summary>
    public static IReadOnlyDictionary<string, HandshakeRefusalKind> Refusals { get; } = new Dictionary<string, HandshakeRefusalKind>(StringComparer.Ordinal)
    {
        ["AUTH_TOKEN_MISMATCH"] = HandshakeRefusalKind.Credentials,
        ["AUTH_TOKEN_MISSING"] = HandshakeRefusalKind.Credentials,
        ["AUTH_REQUIRED"] = HandshakeRefusalKind.Credentials,
        ["AUTH_UNAUTHORIZED"] = HandshakeRefusalKind.Credentials,
        ["PAIRING_REQUIRED"] = HandshakeRefusalKind.Credentials,
        ["DEVICE_IDENTITY_REQUIRED"] = HandshakeRefusalKind.Credentials,
        ["DEVICE_IDENTITY_INVALID"] = HandshakeRefusalKind.Credentials,
        ["PROTOCOL_MISMATCH"] = HandshakeRefusalKind.ProtocolVersion,
        ["VERSION_MISMATCH"] = HandshakeRefusalKind.ProtocolVersion,
    };
}

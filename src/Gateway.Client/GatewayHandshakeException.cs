namespace Gateway.Client;

/// <summary>
/// The server refused the handshake (<c>hello_error</c>, or a legacy <c>error</c>), or answered it in a
/// way the client cannot accept (for example a protocol version outside the client's range).
/// </summary>
public sealed class GatewayHandshakeException : GatewayException
{
    /// <summary>Creates a handshake error.</summary>
    /// <param name="code">The server's error code (see <see cref="HandshakeErrorCodes"/>).</param>
    /// <param name="message">A message for people; it never contains the token.</param>
    /// <param name="nextStep">The server's hint (see <see cref="HandshakeNextSteps"/>), or <see langword="null"/>.</param>
    /// <param name="retryAfter">The minimum delay before retrying, when the server gave one.</param>
    /// <param name="clientProtocol">The protocol range the client offered.</param>
    /// <param name="serverProtocol">The protocol range the server supports, when known.</param>
    /// <param name="isRetryable">The server's own word on whether retrying can help, when it gave one.</param>
    public GatewayHandshakeException(
        string code,
        string message,
        string? nextStep = null,
        TimeSpan? retryAfter = null,
        ProtocolRange? clientProtocol = null,
        ProtocolRange? serverProtocol = null,
        bool? isRetryable = null)
        : base(message)
    {
        _isRetryable = isRetryable;
        Code = Guard.NotNull(code);
        NextStep = nextStep;
        RetryAfter = retryAfter;
        ClientProtocol = clientProtocol;
        ServerProtocol = serverProtocol;
    }

    private readonly bool? _isRetryable;

    /// <summary>The server's error code, for example <c>auth_unauthorized</c> or <c>protocol_unsupported</c>.</summary>
    public string Code { get; }

    /// <summary>The server's hint for what to do next, for example <c>upgrade_client</c>.</summary>
    public string? NextStep { get; }

    /// <summary>The minimum delay before a retry makes sense, when the server gave one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// Whether retrying can succeed. When the server said (OpenClaw's <c>retryable</c>), that; otherwise true
    /// for <c>rate_limited</c> and codes this client does not know, false for every other known code, which
    /// needs a change (credentials, pairing, versions, config).
    /// </summary>
    public bool IsRetryable => _isRetryable ?? HandshakeErrorCodes.IsRetryable(Code);

    /// <summary>What the refusal is about (credentials, protocol versions, or other), from <see cref="Code"/> in whichever dialect defines it.</summary>
    public HandshakeRefusalKind Refusal => Dialects.DialectCatalog.RefusalOf(Code);

    /// <summary>The protocol range the client offered, when the error is about versions.</summary>
    public ProtocolRange? ClientProtocol { get; }

    /// <summary>The protocol range the server supports, when it said.</summary>
    public ProtocolRange? ServerProtocol { get; }
}

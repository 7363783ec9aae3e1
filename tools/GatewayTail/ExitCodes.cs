namespace GatewayTail;

/// <summary>What gateway-tail's exit code means; scripts can branch on it.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped as asked (Ctrl+C or SIGTERM while tailing, <c>--max-events</c>), or the gateway ended the stream cleanly.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (a bug): the message is on stderr.</summary>
    public const int Unexpected = 1;

    /// <summary>The command line is wrong: usage is on stderr.</summary>
    public const int Usage = 2;

    /// <summary>The gateway refused the credentials (missing or wrong token, pairing or origin refused).</summary>
    public const int AuthenticationFailed = 3;

    /// <summary>The gateway speaks no protocol version this client does.</summary>
    public const int IncompatibleProtocol = 4;

    /// <summary>The gateway could not be reached or the connection could not be kept (attempts exhausted, or a terminal close).</summary>
    public const int ConnectionFailed = 5;

    /// <summary>The gateway refused for another reason (unknown agent, its configuration).</summary>
    public const int Refused = 6;

    /// <summary>The TLS handshake failed (an untrusted certificate): see <c>--pin-certificate</c>.</summary>
    public const int TlsFailed = 7;

    /// <summary>Ctrl+C or SIGTERM before the first connection succeeded: the tail never ran (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>stdout's reader went away (the pipe closed, as after <c>| head -2</c>): the tail stops at once (128 + SIGPIPE, as shells report it).</summary>
    public const int OutputClosed = 141;

    /// <summary>The exit code for the error that ended the stream.</summary>
    public static int For(Exception error) => error switch
    {
        Gateway.Client.GatewayTlsException => TlsFailed,
        // Each dialect says which of its codes are about credentials or versions.
        Gateway.Client.GatewayHandshakeException { Refusal: Gateway.Client.HandshakeRefusalKind.Credentials } => AuthenticationFailed,
        Gateway.Client.GatewayHandshakeException { Refusal: Gateway.Client.HandshakeRefusalKind.ProtocolVersion } => IncompatibleProtocol,
        Gateway.Client.GatewayHandshakeException => Refused,
        Gateway.Client.GatewayException => ConnectionFailed, // the socket could not open or stay open, or attempts ran out
        _ => Unexpected,
    };
}

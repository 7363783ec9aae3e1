namespace TestGatewayServer;

/// <summary>What gateway-testgateway's exit code means.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped as asked (Ctrl+C or SIGTERM), or <c>--help</c> / <c>--version</c>.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (a bug): the message is on stderr.</summary>
    public const int Unexpected = 1;

    /// <summary>The command line is wrong: the reason, and a pointer to <c>--help</c>, are on stderr.</summary>
    public const int Usage = 2;

    /// <summary>The port is in use (or may not be bound by this user): the message names it.</summary>
    public const int PortUnavailable = 3;
}

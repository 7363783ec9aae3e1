namespace Gateway.Client.Testing;

/// <summary>
/// Thrown by <see cref="TestGateway.StartAsync"/> when <see cref="TestGatewayOptions.Port"/> names a port another
/// listener already holds on 127.0.0.1 (often a gateway from an earlier test or run that is still up).
/// </summary>
public sealed class TestGatewayPortInUseException : Exception
{
    /// <summary>Creates the error for <paramref name="port"/>; <paramref name="innerException"/> is the socket's own error.</summary>
    public TestGatewayPortInUseException(int port, Exception? innerException = null)
        : base($"TestGateway cannot listen on 127.0.0.1:{port}: the port is in use. Stop what holds it, choose another TestGatewayOptions.Port, or use 0 for any free port.", innerException)
    {
        Port = port;
    }

    /// <summary>The port that was in use.</summary>
    public int Port { get; }
}

namespace Gateway.Client;

/// <summary>
/// The connected server does not support what was asked of it (for example a request on a protocol 1 session, which
/// has no requests). <see cref="IGatewayClient.Capabilities"/> says so before the call; the message says what the
/// session negotiated.
/// </summary>
public sealed class GatewayCapabilityException : GatewayException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="capability">The capability that is missing, as named by <see cref="GatewayCapabilities"/> (for example <c>Requests</c>).</param>
    /// <param name="message">What is missing and why.</param>
    public GatewayCapabilityException(string capability, string message)
        : base(message)
    {
        Capability = Guard.NotNull(capability);
    }

    /// <summary>The capability that is missing, as named by <see cref="GatewayCapabilities"/> (for example <c>Requests</c>).</summary>
    public string Capability { get; }
}

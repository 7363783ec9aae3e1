namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>How the hosted service added by <see cref="GatewayClientBuilderExtensions.AddHostedConnection"/> behaves.</summary>
public sealed class GatewayConnectionHostingOptions
{
    /// <summary>
    /// Whether the host's start waits for the first successful handshake (and fails when the client
    /// fails terminally, for example on a bad token). Default: false: the client connects in the
    /// background, retrying as its reconnect options say, and the host starts at once.
    /// </summary>
    public bool WaitForConnection { get; set; }
}

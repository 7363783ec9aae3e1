namespace Gateway.Client;

/// <summary>
/// The client could not get credentials: the app's <see cref="GatewayClientOptions.TokenProvider"/>
/// threw (a token service outage, for example). The provider's exception is the
/// <see cref="Exception.InnerException"/>. Retried with backoff like a network failure; it reaches
/// <see cref="GatewayClient.ConnectAsync"/>, the <see cref="ConnectionState.Failed"/> state and
/// <see cref="GatewayClient.ReadEventsAsync"/> only when the attempts end.
/// </summary>
public sealed class GatewayAuthenticationException : GatewayException
{
    /// <summary>Creates the error, with the provider's failure as <paramref name="innerException"/>.</summary>
    public GatewayAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

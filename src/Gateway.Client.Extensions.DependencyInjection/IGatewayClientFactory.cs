namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Hands out the registered clients by name: one <see cref="GatewayClient"/> per name for the container's
/// lifetime, created on first use and disposed with the container. App code takes the clients as
/// <see cref="IGatewayClient"/>, so its tests can fake this factory and the clients it returns.
/// </summary>
public interface IGatewayClientFactory
{
    /// <summary>The client registered under <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No client is registered under that name.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">Its options are invalid.</exception>
    IGatewayClient GetClient(string name);
}

using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>Configures one registered <see cref="GatewayClient"/> further.</summary>
public interface IGatewayClientBuilder
{
    /// <summary>The client's name (<see cref="Microsoft.Extensions.Options.Options.DefaultName"/> for the default client).</summary>
    string Name { get; }

    /// <summary>The services the client is registered in.</summary>
    IServiceCollection Services { get; }
}

using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <inheritdoc />
internal sealed class GatewayClientBuilder : IGatewayClientBuilder
{
    public GatewayClientBuilder(string name, IServiceCollection services)
    {
        Name = name;
        Services = services;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IServiceCollection Services { get; }
}

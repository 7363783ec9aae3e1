using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <inheritdoc />
internal sealed class GatewaySessionProcessorBuilder : IGatewaySessionProcessorBuilder
{
    public GatewaySessionProcessorBuilder(IServiceCollection services, GatewaySessionProcessorRegistration registration)
    {
        Services = services;
        Registration = registration;
    }

    /// <inheritdoc />
    public IServiceCollection Services { get; }

    /// <summary>What the app said about the processor so far.</summary>
    public GatewaySessionProcessorRegistration Registration { get; }
}

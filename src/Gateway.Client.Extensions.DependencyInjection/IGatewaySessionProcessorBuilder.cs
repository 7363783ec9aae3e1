using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Configures the <see cref="Sessions.GatewaySessionProcessor"/> registered by
/// <see cref="GatewaySessionProcessorServiceCollectionExtensions.AddGatewaySessionProcessor(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>:
/// its sessions and its handlers (<see cref="GatewaySessionProcessorBuilderExtensions"/>).
/// </summary>
public interface IGatewaySessionProcessorBuilder
{
    /// <summary>The services the processor is registered in.</summary>
    IServiceCollection Services { get; }
}

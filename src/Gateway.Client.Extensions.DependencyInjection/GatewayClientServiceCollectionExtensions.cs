using Gateway.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Gateway.Client.Extensions.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="GatewayClient"/>s in a service collection.</summary>
public static class GatewayClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default client (inject <see cref="GatewayClient"/>), its options read from a
    /// configuration section (for example <c>builder.Configuration.GetSection("Gateway")</c>) and
    /// validated when the host starts.
    /// </summary>
    public static IGatewayClientBuilder AddGatewayClient(this IServiceCollection services, IConfiguration configuration) =>
        services.AddGatewayClient(Options.Options.DefaultName, configuration);

    /// <summary>
    /// Registers a named client (inject <c>[FromKeyedServices("name")] GatewayClient</c>, or use
    /// <see cref="IGatewayClientFactory"/>), its options read from a configuration section.
    /// </summary>
    public static IGatewayClientBuilder AddGatewayClient(this IServiceCollection services, string name, IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        var builder = services.AddGatewayClient(name, _ => { });
        services.AddSingleton<IConfigureOptions<GatewayClientOptions>>(new ConfigureNamedOptions<GatewayClientOptions>(name, options => GatewayClientOptionsBinder.Bind(configuration, options)));
        return builder;
    }

    /// <summary>Registers the default client, its options set in code.</summary>
    public static IGatewayClientBuilder AddGatewayClient(this IServiceCollection services, Action<GatewayClientOptions> configure) =>
        services.AddGatewayClient(Options.Options.DefaultName, configure);

    /// <summary>Registers a named client, its options set in code.</summary>
    public static IGatewayClientBuilder AddGatewayClient(this IServiceCollection services, string name, Action<GatewayClientOptions> configure)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        services.AddOptions();
        services.TryAddSingleton<GatewayClientFactory>();
        services.TryAddSingleton<IGatewayClientFactory>(sp => sp.GetRequiredService<GatewayClientFactory>());
        if (!services.Any(d => d.ServiceType == typeof(GatewayClientRegistration) && d.ImplementationInstance is GatewayClientRegistration r && r.Name == name))
        {
            services.AddSingleton(new GatewayClientRegistration(name));
            services.AddSingleton<IValidateOptions<GatewayClientOptions>>(new GatewayClientOptionsValidator(name));
            services.AddSingleton<IPostConfigureOptions<GatewayClientOptions>>(sp => new GatewayClientContainerDefaults(name, sp.GetService<TimeProvider>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
            services.AddOptions<GatewayClientOptions>(name).ValidateOnStart();
            // The client is the same instance whether asked for as GatewayClient or as IGatewayClient.
            if (name.Length == 0)
            {
                services.TryAddSingleton(sp => sp.GetRequiredService<GatewayClientFactory>().GetClient(Options.Options.DefaultName));
                services.TryAddSingleton<IGatewayClient>(sp => sp.GetRequiredService<GatewayClient>());
            }
            else
            {
                services.AddKeyedSingleton(name, (sp, _) => sp.GetRequiredService<GatewayClientFactory>().GetClient(name));
                services.AddKeyedSingleton<IGatewayClient>(name, (sp, key) => sp.GetRequiredKeyedService<GatewayClient>(key));
            }
        }

        services.Configure(name, configure);
        return new GatewayClientBuilder(name, services);
    }
}

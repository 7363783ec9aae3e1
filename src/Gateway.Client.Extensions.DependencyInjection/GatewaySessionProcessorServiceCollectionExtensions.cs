using Gateway.Client.Extensions.DependencyInjection;
using Gateway.Client.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="GatewaySessionProcessor"/>, started and stopped with the host.</summary>
public static class GatewaySessionProcessorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the app's <see cref="GatewaySessionProcessor"/> (a singleton), its options read from a configuration
    /// section (for example <c>builder.Configuration.GetSection("Processor")</c>: <c>LeaseDuration</c>, <c>RenewInterval</c>,
    /// <c>BalanceInterval</c>, <c>ClaimsPerCycle</c>, <c>CheckpointEvery</c>, <c>CheckpointInterval</c>, <c>ClosingTimeout</c>, <c>OwnerId</c>) and
    /// validated when the host starts; see
    /// <see cref="AddGatewaySessionProcessor(IServiceCollection, Action{GatewaySessionProcessorOptions})"/>.
    /// </summary>
    public static IGatewaySessionProcessorBuilder AddGatewaySessionProcessor(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        var builder = services.AddGatewaySessionProcessor(_ => { });
        services.AddSingleton<IConfigureOptions<GatewaySessionProcessorOptions>>(
            new ConfigureNamedOptions<GatewaySessionProcessorOptions>(Options.Options.DefaultName, options => GatewaySessionProcessorOptionsBinder.Bind(configuration, options)));
        return builder;
    }

    /// <summary>Registers the app's <see cref="GatewaySessionProcessor"/> (a singleton) with the default options; see
    /// <see cref="AddGatewaySessionProcessor(IServiceCollection, Action{GatewaySessionProcessorOptions})"/>.</summary>
    public static IGatewaySessionProcessorBuilder AddGatewaySessionProcessor(this IServiceCollection services) =>
        services.AddGatewaySessionProcessor(static _ => { });

    /// <summary>
    /// Registers the app's <see cref="GatewaySessionProcessor"/> (a singleton), its options set in code. It takes the
    /// <see cref="ISessionStore"/>, <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> from the container, the sessions
    /// and handlers from the returned builder; a hosted service starts it when the host starts and stops it gracefully
    /// (every session closed, then every lease released) when the host stops. A missing store or event handler, invalid
    /// options, or a session whose client options are invalid stop the host at start-up, naming the cause. Its health:
    /// <see cref="GatewaySessionProcessorHealthCheck"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A session processor is registered already.</exception>
    public static IGatewaySessionProcessorBuilder AddGatewaySessionProcessor(this IServiceCollection services, Action<GatewaySessionProcessorOptions> configure)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        if (services.Any(d => d.ServiceType == typeof(GatewaySessionProcessorRegistration)))
        {
            throw new InvalidOperationException("A session processor is registered already: call AddGatewaySessionProcessor once, and add every session to the builder it returns.");
        }

        var registration = new GatewaySessionProcessorRegistration();
        services.AddOptions();
        services.AddSingleton(registration);
        services.AddSingleton<StoreFailureRecorder>();
        services.AddSingleton<IValidateOptions<GatewaySessionProcessorOptions>, GatewaySessionProcessorOptionsValidator>();
        services.AddSingleton<IPostConfigureOptions<GatewaySessionProcessorOptions>>(sp => new GatewaySessionProcessorContainerDefaults(sp.GetService<TimeProvider>()));
        services.AddOptions<GatewaySessionProcessorOptions>().ValidateOnStart();
        services.Configure(configure);
        services.AddSingleton(GatewaySessionProcessorFactory.Create);
        services.AddSingleton<IHostedService>(sp => new GatewaySessionProcessorHostedService(sp, sp.GetService<ILoggerFactory>()));
        services.AddSingleton(sp => new GatewaySessionProcessorHealthCheck(
            sp.GetRequiredService<GatewaySessionProcessor>(),
            sp.GetRequiredService<ISessionStore>(),
            sp.GetRequiredService<StoreFailureRecorder>(),
            sp.GetRequiredService<IOptions<GatewaySessionProcessorOptions>>()));
        return new GatewaySessionProcessorBuilder(services, registration);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>Further configuration of a registered client.</summary>
public static class GatewayClientBuilderExtensions
{
    /// <summary>Adjusts the client's options in code, after configuration was read (for example a <see cref="GatewayClientOptions.TokenProvider"/> from a secret store).</summary>
    public static IGatewayClientBuilder Configure(this IGatewayClientBuilder builder, Action<GatewayClientOptions> configure)
    {
        Check(builder);
        builder.Services.Configure(builder.Name, configure);
        return builder;
    }

    /// <summary>
    /// Works on each new client instance with the container at hand: register a gap handler
    /// (<see cref="GatewayClient.OnGap"/>) or a state-change handler (<see cref="GatewayClient.OnStateChanged"/>). Handlers
    /// registered here run before those the app registers later, in registration order.
    /// </summary>
    public static IGatewayClientBuilder ConfigureClient(this IGatewayClientBuilder builder, Action<IServiceProvider, GatewayClient> configure)
    {
        Check(builder);
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        Registration(builder).ClientActions.Add(configure);
        return builder;
    }

    /// <summary>
    /// Adds a hosted service that connects the client when the host starts (in the background unless
    /// <see cref="GatewayConnectionHostingOptions.WaitForConnection"/>) and disconnects it gracefully when the host stops.
    /// It turns <see cref="ReconnectOptions.RetryInitialConnect"/> on, because a service may start before its
    /// gateway (options configured after this call can turn it off again).
    /// </summary>
    public static IGatewayClientBuilder AddHostedConnection(this IGatewayClientBuilder builder, Action<GatewayConnectionHostingOptions>? configure = null)
    {
        Check(builder);
        var hosting = new GatewayConnectionHostingOptions();
        configure?.Invoke(hosting);
        var name = builder.Name;
        builder.Services.Configure<GatewayClientOptions>(name, options => options.Reconnect.RetryInitialConnect = true);

        // Not AddHostedService: it would collapse several clients' services (same type) into one.
        builder.Services.AddSingleton<IHostedService>(sp => new GatewayConnectionHostedService(
            sp.GetRequiredService<IGatewayClientFactory>(), name, hosting, sp.GetService<ILoggerFactory>()));
        return builder;
    }

    private static GatewayClientRegistration Registration(IGatewayClientBuilder builder) =>
        builder.Services.Select(d => d.ImplementationInstance).OfType<GatewayClientRegistration>().First(r => r.Name == builder.Name);

    private static void Check(IGatewayClientBuilder builder)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }
    }
}

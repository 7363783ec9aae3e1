using Gateway.Client.Sessions;
using Microsoft.Extensions.Configuration;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Reads <see cref="GatewaySessionProcessorOptions"/> from a configuration section with the source-generated binder (no
/// reflection), strictly: a key that is no setting, a value that does not convert, or one the option refuses (a lease
/// of zero) is an error naming the key. <c>TimeProvider</c> holds code: it is the container's, and refused by name here.
/// </summary>
internal static class GatewaySessionProcessorOptionsBinder
{
    private static readonly Action<BinderOptions> RejectUnknownKeys = static binder => binder.ErrorOnUnknownConfiguration = true;

    /// <exception cref="InvalidOperationException">A key is no setting, or its value does not convert or is refused; the message names it.</exception>
    public static void Bind(IConfiguration configuration, GatewaySessionProcessorOptions options)
    {
        var timeProvider = configuration.GetSection(nameof(GatewaySessionProcessorOptions.TimeProvider));
        if (timeProvider.Exists())
        {
            throw new InvalidOperationException(
                $"Configuration key '{timeProvider.Path}' cannot be set from configuration: the session processor uses the container's TimeProvider (register another, or set it with AddGatewaySessionProcessor(...).Configure(o => o.TimeProvider = ...)).");
        }

        var settings = new GatewaySessionProcessorSettings();
        GatewayClientOptionsBinder.Strictly(configuration, () => configuration.Bind(settings, RejectUnknownKeys));

        Apply(configuration, nameof(settings.OwnerId), settings.OwnerId, value => options.OwnerId = value);
        Apply(configuration, nameof(settings.LeaseDuration), settings.LeaseDuration, value => options.LeaseDuration = value);
        Apply(configuration, nameof(settings.RenewInterval), settings.RenewInterval, value => options.RenewInterval = value);
        Apply(configuration, nameof(settings.BalanceInterval), settings.BalanceInterval, value => options.BalanceInterval = value);
        Apply(configuration, nameof(settings.CheckpointEvery), settings.CheckpointEvery, value => options.CheckpointEvery = value);
        Apply(configuration, nameof(settings.ClaimsPerCycle), settings.ClaimsPerCycle, value => options.ClaimsPerCycle = value);
        Apply(configuration, nameof(settings.CheckpointInterval), settings.CheckpointInterval, value => options.CheckpointInterval = value);
        Apply(configuration, nameof(settings.ClosingTimeout), settings.ClosingTimeout, value => options.ClosingTimeout = value);
    }

    private static void Apply<T>(IConfiguration configuration, string key, T? value, Action<T> set)
        where T : struct
    {
        if (value is { } present)
        {
            Apply(configuration, key, () => set(present));
        }
    }

    private static void Apply(IConfiguration configuration, string key, string? value, Action<string> set)
    {
        if (value is not null)
        {
            Apply(configuration, key, () => set(value));
        }
    }

    private static void Apply(IConfiguration configuration, string key, Action set)
    {
        try
        {
            set();
        }
        catch (ArgumentException refused)
        {
            var entry = configuration.GetSection(key);
            throw new InvalidOperationException($"Configuration value '{entry.Path}' = '{entry.Value}' is not valid: {FirstLine(refused.Message)}", refused);
        }
    }

    // ArgumentOutOfRangeException's message goes on with the parameter and the value on lines of their own.
    private static string FirstLine(string message) =>
        message.Split('\n')[0].Replace(" (Parameter 'value')", string.Empty).Trim();
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Fills in what the container knows, after configuration and code had their say: the registration
/// name as <see cref="GatewayClientOptions.Name"/>, the container's <see cref="TimeProvider"/> when the
/// options kept the system clock, and the container's <see cref="IMeterFactory"/> when the options name none.
/// </summary>
internal sealed class GatewayClientContainerDefaults : IPostConfigureOptions<GatewayClientOptions>
{
    private readonly string _name;
    private readonly TimeProvider? _clock;
    private readonly IMeterFactory? _meterFactory;

    public GatewayClientContainerDefaults(string name, TimeProvider? clock, IMeterFactory? meterFactory)
    {
        _name = name;
        _clock = clock;
        _meterFactory = meterFactory;
    }

    public void PostConfigure(string? name, GatewayClientOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, _name, StringComparison.Ordinal))
        {
            return;
        }

        if (options.Name is null && _name.Length > 0)
        {
            options.Name = _name;
        }

        if (_clock is not null && ReferenceEquals(options.TimeProvider, TimeProvider.System))
        {
            options.TimeProvider = _clock;
        }

        options.MeterFactory ??= _meterFactory;
    }
}

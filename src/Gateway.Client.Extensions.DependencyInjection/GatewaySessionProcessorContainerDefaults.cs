using Gateway.Client.Sessions;
using Microsoft.Extensions.Options;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>The container's <see cref="TimeProvider"/> for the processor, when configuration and code kept the system clock.</summary>
internal sealed class GatewaySessionProcessorContainerDefaults : IPostConfigureOptions<GatewaySessionProcessorOptions>
{
    private readonly TimeProvider? _clock;

    public GatewaySessionProcessorContainerDefaults(TimeProvider? clock)
    {
        _clock = clock;
    }

    public void PostConfigure(string? name, GatewaySessionProcessorOptions options)
    {
        if (_clock is not null && ReferenceEquals(options.TimeProvider, TimeProvider.System))
        {
            options.TimeProvider = _clock;
        }
    }
}

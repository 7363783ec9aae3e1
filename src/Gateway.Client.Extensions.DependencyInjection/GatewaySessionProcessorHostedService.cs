using Gateway.Client.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Starts the container's <see cref="GatewaySessionProcessor"/> when the host starts and stops it gracefully when the host
/// stops: every owned session closed (last checkpoint flushed, closing handler run), then every lease released at once,
/// so the other instances claim them in their next balancing cycle. The stop is bounded by the host's shutdown timeout;
/// past it the leases are left to lapse, and the container disposes the processor.
/// <para>The processor is created in <see cref="StartAsync"/>, not with this service, so the host's start-up validation of
/// the options runs first and reports a bad setting rather than whatever the processor's creation fails on next.</para>
/// </summary>
internal sealed class GatewaySessionProcessorHostedService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private GatewaySessionProcessor? _processor;

    public GatewaySessionProcessorHostedService(IServiceProvider services, ILoggerFactory? loggerFactory)
    {
        _services = services;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Client.Hosting");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _processor = _services.GetRequiredService<GatewaySessionProcessor>();
        return _processor.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_processor is not { } processor)
        {
            return; // the host stops without having started it
        }

        try
        {
            await processor.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            HostingLog.ProcessorStopTimedOut(_logger, processor.OwnerId);
        }
    }
}

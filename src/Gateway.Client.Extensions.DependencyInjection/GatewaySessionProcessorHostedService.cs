using Gateway.Client.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>
/// Starts the container's <see cref="GatewaySessionProcessor"/> when the host starts and stops it gracefully when the host
/// stops: every owned session closed (last checkpoint flushed, closing handler run), then every lease released at once,
/// so the other instances claim them in their next balancing cycle. The stop is bounded by the host's shutdown timeout;
/// past it the leases are left to lapse, and the container disposes the processor.
/// </summary>
internal sealed class GatewaySessionProcessorHostedService : IHostedService
{
    private readonly GatewaySessionProcessor _processor;
    private readonly ILogger _logger;

    public GatewaySessionProcessorHostedService(GatewaySessionProcessor processor, ILoggerFactory? loggerFactory)
    {
        _processor = processor;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Client.Hosting");
    }

    public Task StartAsync(CancellationToken cancellationToken) => _processor.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _processor.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            HostingLog.ProcessorStopTimedOut(_logger, _processor.OwnerId);
        }
    }
}

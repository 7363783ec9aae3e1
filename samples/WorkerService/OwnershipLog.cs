using Gateway.Client.Sessions;

namespace WorkerService;

/// <summary>Logs which sessions this instance owns whenever that changes: run the sample twice and watch them split.</summary>
public sealed class OwnershipLog(GatewaySessionProcessor processor, ILogger<OwnershipLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = string.Empty;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var owned = string.Join(", ", processor.OwnedSessions.Order(StringComparer.Ordinal));
            if (owned != last)
            {
                last = owned;
                logger.LogInformation("{Owner} owns {Count} of {Total} sessions: [{Owned}]", processor.OwnerId, processor.OwnedSessions.Count, processor.SessionKeys.Count, owned);
            }
        }
    }
}

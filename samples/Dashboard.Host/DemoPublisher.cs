namespace Dashboard.Host;

/// <summary>Publishes a notification to every session of the demo gateway each <c>Dashboard:PublishInterval</c> (zero: never).</summary>
public sealed class DemoPublisher(DemoGateway gateway, IConfiguration configuration, ILogger<DemoPublisher> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Dashboard:PublishInterval", TimeSpan.FromSeconds(1));
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await gateway.PublishAsync(1, "tick");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException e)
        {
            // The gateway is stopping under us (the host is shutting down).
            logger.LogInformation("The demo publisher stopped: {Reason}", e.Message);
        }
    }
}

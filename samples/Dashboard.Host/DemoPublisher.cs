using System.Diagnostics;

namespace Dashboard.Host;

/// <summary>
/// Publishes notifications to every session of the demo gateway: one each <c>Dashboard:PublishInterval</c> (zero: never),
/// or, when <c>Dashboard:PublishRate</c> is above zero, that many per second (the benchmark's 1,000 events/s).
/// </summary>
public sealed class DemoPublisher(DemoGateway gateway, IConfiguration configuration, ILogger<DemoPublisher> logger) : BackgroundService
{
    /// <summary>How often a rate is topped up: each tick publishes what the rate says is due since the last.</summary>
    public static readonly TimeSpan RateTick = TimeSpan.FromMilliseconds(10);

    /// <summary>Events published in one tick at most: after a stall the host skips what it owes rather than burst.</summary>
    public const int MaxPerTick = 1000;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rate = configuration.GetValue("Dashboard:PublishRate", 0);
        var interval = configuration.GetValue("Dashboard:PublishInterval", TimeSpan.FromSeconds(1));
        if (rate <= 0 && interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(rate > 0 ? RateTick : interval);
        var started = Stopwatch.StartNew();
        long due = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (rate <= 0)
                {
                    await gateway.PublishAsync(1, "tick");
                    continue;
                }

                // Timers fire late under load: publish what is due by the clock, not one tick's worth.
                var owed = (long)(started.Elapsed.TotalSeconds * rate) - due;
                var now = (int)Math.Min(owed, MaxPerTick);
                due += owed;
                await gateway.PublishAsync(now, "tick");
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

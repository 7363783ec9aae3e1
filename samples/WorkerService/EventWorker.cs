using Gateway.Client;

namespace WorkerService;

/// <summary>The app's loop: every event, in order, across reconnects, until the host stops; its progress survives a restart.</summary>
public sealed class EventWorker(IGatewayClient client, ResumePointFile progress, ILogger<EventWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in client.ReadEventsAsync(stoppingToken))
            {
                logger.LogInformation("{Type} #{Sequence}{Replay}: {Data}", e.Type, e.Sequence, e.IsReplay ? " (replayed)" : string.Empty, e.Data.GetRawText());

                // Handled: store where a restart resumes (Program.cs gives it back as Gateway:ResumeFrom).
                if (e.ResumePoint is { } point)
                {
                    await progress.SaveAsync(point, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (GatewayException ex)
        {
            // Terminal: a bad token, an incompatible server, or reconnect attempts exhausted.
            logger.LogError(ex, "The gateway stream ended: {Reason}", ex.Message);
        }
    }
}

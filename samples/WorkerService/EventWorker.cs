using Gateway.Client;

namespace WorkerService;

/// <summary>The app's loop: every event, in order, across reconnects, until the host stops.</summary>
public sealed class EventWorker(GatewayClient client, ILogger<EventWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in client.ReadEventsAsync(stoppingToken))
            {
                // Persist e.Sequence with the session id (client.Cursor) if the app must resume after a restart.
                logger.LogInformation("{Type} #{Sequence}{Replay}: {Payload}", e.Type, e.Sequence, e.IsReplay ? " (replayed)" : string.Empty, e.Payload.GetRawText());
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

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
                logger.LogInformation("{Type} #{Sequence}{Replay}: {Data}", e.Type, e.Sequence, e.IsReplay ? " (replayed)" : string.Empty, e.Data.GetRawText());

                // To resume after a restart, persist (Session.SessionId, Session.Epoch, e.Sequence) here, after the
                // event was handled, and pass them back as Gateway:ResumeSessionId/ResumeEpoch/ResumeCursor.
                // Not client.Cursor: it moves before this body runs.
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

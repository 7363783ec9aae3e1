using Gateway.Client.Extensions.DependencyInjection;
using Gateway.Client.Sessions;

namespace WorkerService;

/// <summary>The app's work on each event of an owned session: here, log it; then checkpoint, so a new owner resumes after it.</summary>
public sealed class LogAndCheckpoint(ILogger<LogAndCheckpoint> logger) : IGatewaySessionEventHandler
{
    public async Task HandleAsync(GatewaySessionEventArgs args)
    {
        var e = args.Event;
        logger.LogInformation("{Session} #{Sequence}{Replay}: {Data}", args.SessionKey, e.Sequence, e.IsReplay ? " (replayed)" : string.Empty, e.Data.GetRawText());
        await args.CheckpointAsync(args.CancellationToken);
    }
}

using Microsoft.Extensions.Logging;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>The hosting package's log messages.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Gateway client {Name} could not connect and stopped trying; its state is Failed")]
    public static partial void ConnectFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Session processor {OwnerId} did not stop within the host's shutdown timeout; the leases it still held lapse after their duration")]
    public static partial void ProcessorStopTimedOut(ILogger logger, string ownerId);
}

using Microsoft.Extensions.Logging;

namespace Gateway.Client.Extensions.DependencyInjection;

/// <summary>The hosting package's log messages.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Gateway client {Name} could not connect and stopped trying; its state is Failed")]
    public static partial void ConnectFailed(ILogger logger, string name, Exception exception);
}

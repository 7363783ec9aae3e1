using Microsoft.Extensions.Logging;

namespace Gateway.Client.Diagnostics;

/// <summary>The session processor's log lines (category <c>Gateway.Client.Sessions.GatewaySessionProcessor</c>), source-generated; ids 60 to 79.</summary>
internal static partial class ProcessorLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Session processor {OwnerId} started with {Sessions} session definitions")]
    public static partial void Started(ILogger logger, string ownerId, int sessions);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Session processor {OwnerId} stopped; its leases were released")]
    public static partial void Stopped(ILogger logger, string ownerId);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "Claimed session {SessionKey} ({Kind}{From}), lease token {Token}")]
    public static partial void Claimed(ILogger logger, string sessionKey, string kind, string from, long token);

    [LoggerMessage(EventId = 63, Level = LogLevel.Information, Message = "Session {SessionKey} starts from {StartFrom}")]
    public static partial void Starting(ILogger logger, string sessionKey, string startFrom);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "Lost the lease of session {SessionKey}: {Reason}")]
    public static partial void LeaseLost(ILogger logger, string sessionKey, string reason);

    [LoggerMessage(EventId = 65, Level = LogLevel.Information, Message = "Closed session {SessionKey}: {Reason}")]
    public static partial void Closed(ILogger logger, string sessionKey, Sessions.SessionCloseReason reason);

    [LoggerMessage(EventId = 66, Level = LogLevel.Warning, Message = "Session processor: {Operation} failed for session {SessionKey}")]
    public static partial void OperationFailed(ILogger logger, string operation, string sessionKey, Exception exception);

    [LoggerMessage(EventId = 67, Level = LogLevel.Warning, Message = "Session processor: {Operation} failed")]
    public static partial void CycleFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 68, Level = LogLevel.Warning, Message = "Session {SessionKey} failed; it is given back and not claimed again here for {Backoff}")]
    public static partial void SessionFailed(ILogger logger, string sessionKey, TimeSpan backoff);

    [LoggerMessage(EventId = 69, Level = LogLevel.Debug, Message = "Session {SessionKey}: event {Type} has no resume point, so it cannot be checkpointed (skipped)")]
    public static partial void CheckpointSkipped(ILogger logger, string sessionKey, string type);

    [LoggerMessage(EventId = 70, Level = LogLevel.Error, Message = "Session processor: the {Handler} handler threw for session {SessionKey}, and so did the error handler")]
    public static partial void ErrorHandlerFailed(ILogger logger, string handler, string? sessionKey, Exception exception);
}

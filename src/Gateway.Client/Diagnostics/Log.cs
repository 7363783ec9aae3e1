using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Diagnostics;

/// <summary>Every log line the client writes, source-generated (no work when the level is off). Ids are unique.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connecting to {Url}")]
    public static partial void Connecting(ILogger logger, string url);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Connected: session {SessionId}, protocol {Protocol}, legacy handshake {Legacy}, resumed {Resumed}, head sequence {HeadSequence}")]
    public static partial void Connected(ILogger logger, string sessionId, int protocol, bool legacy, bool resumed, long headSequence);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Handshake refused: {Code} (next step: {NextStep})")]
    public static partial void HandshakeRefused(ILogger logger, string code, string? nextStep);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Connection attempt failed")]
    public static partial void ConnectFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Dropped duplicate event #{Sequence} (last accepted {Last})")]
    public static partial void DuplicateDropped(ILogger logger, long sequence, long last);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Gap detected: {Reason}, expected {Expected}, received {Received}")]
    public static partial void GapDetected(ILogger logger, GapReason reason, long expected, long? received);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Skipped a malformed frame: {Problem}")]
    public static partial void MalformedFrameSkipped(ILogger logger, string problem);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Skipped a {MessageType} frame: the protocol uses text frames only")]
    public static partial void NonTextFrameSkipped(ILogger logger, WebSocketMessageType messageType);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Skipped a '{Type}' frame that arrived after the handshake")]
    public static partial void LateHandshakeFrameSkipped(ILogger logger, string type);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Skipped a response for an unknown request id {RequestId}")]
    public static partial void UnmatchedResponseSkipped(ILogger logger, string? requestId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "An inbound message exceeded {Limit} bytes; closing with 1009")]
    public static partial void MessageTooLarge(ILogger logger, int limit);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Disconnected")]
    public static partial void Disconnected(ILogger logger);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "A callback of the app ({Callback}) threw; the client goes on")]
    public static partial void CallbackFailed(ILogger logger, string callback, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "An OnGap handler threw for {Gap}: the enumeration ends with its exception")]
    public static partial void GapHandlerFailed(ILogger logger, string gap, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "The server asked the client to reconnect (retry after {RetryAfterMs} ms)")]
    public static partial void ReconnectRequested(ILogger logger, long? retryAfterMs);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "The server ignored hello; falling back to the legacy join handshake ({Reason})")]
    public static partial void LegacyFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Dispose did not complete cleanly")]
    public static partial void DisposeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "Reconnecting: attempt {Attempt} in {DelayMs} ms after: {Cause}")]
    public static partial void Reconnecting(ILogger logger, int attempt, long delayMs, string? cause);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Replay complete through #{Through}")]
    public static partial void ReplayCompleted(ILogger logger, long through);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "A callback of the app (an OnStateChanged handler or a request's Progress) was still running {CloseTimeoutMs} ms (CloseTimeout) into dispose: abandoned")]
    public static partial void CallbackAbandoned(ILogger logger, long closeTimeoutMs);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "The connect loop was still running {CloseTimeoutMs} ms (CloseTimeout) into disconnect (inside the token provider?): abandoned")]
    public static partial void RunLoopAbandoned(ILogger logger, long closeTimeoutMs);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "The connect loop, already stopped, ended with an error (ignored)")]
    public static partial void StoppedRunLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "The token provider failed while the client checked whether the token changed; the next attempt asks again")]
    public static partial void TokenProviderFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 28, Level = LogLevel.Warning, Message = "Skipped {Count} frame(s) that arrived before the handshake's answer: nothing is delivered before a session exists")]
    public static partial void EarlyFramesSkipped(ILogger logger, int count);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "The gateway sent {Field} = {Value}, outside the bounds the client accepts: using {Used} (logged once per field; every one is counted)")]
    public static partial void ServerValueClamped(ILogger logger, string field, double value, string used);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "Skipped event #{Sequence}: {Resumes} resumes in a row ended on a frame the WebSocket could not read (close 1007); resuming after it")]
    public static partial void UndeliverableSkipped(ILogger logger, long sequence, int resumes);

    [LoggerMessage(EventId = 29, Level = LogLevel.Debug, Message = "Restored the session: sent {Count} frame(s) (subscriptions) before the app's")]
    public static partial void SessionRestored(ILogger logger, int count);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Restoring the session failed ({Cause}): reconnecting")]
    public static partial void SessionRestoreFailed(ILogger logger, string cause);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "A callback of the app (an OnStateChanged handler or a request's Progress) was still running after {CloseTimeoutMs} ms (CloseTimeout): the client went on without waiting for it")]
    public static partial void CallbackSlow(ILogger logger, long closeTimeoutMs);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "An answer matched by order to request {RequestId}, which no longer waits for it: answers can no longer be matched on this connection, so it is closed and resumed")]
    public static partial void AnswersOutOfStep(ILogger logger, string? requestId);

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning, Message = "Leaving session {SessionId} for a new one: {Reason}")]
    public static partial void SessionAbandoned(ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 36, Level = LogLevel.Debug, Message = "A turn's {Step} failed")]
    public static partial void TurnStepFailed(ILogger logger, string step, Exception exception);

    [LoggerMessage(EventId = 37, Level = LogLevel.Debug, Message = "A turn could not read event {Type}")]
    public static partial void TurnEventUnreadable(ILogger logger, string type, Exception exception);

    [LoggerMessage(EventId = 38, Level = LogLevel.Debug, Message = "Aborting a turn failed")]
    public static partial void TurnAbortFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "The connection of a '{Method}' request ended before its answer; sending it again with its idempotency key")]
    public static partial void RequestResent(ILogger logger, string method);

    [LoggerMessage(EventId = 32, Level = LogLevel.Error, Message = "The gateway refused the connection, and retrying cannot help: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "The gateway sent a frame the WebSocket could not read (invalid UTF-8 or a framing violation; closed with 1007): counted as malformed")]
    public static partial void UnreadableFrame(ILogger logger);

    [LoggerMessage(EventId = 39, Level = LogLevel.Warning, Message = "In the browser: {Adjustment}")]
    public static partial void BrowserAdjustment(ILogger logger, string adjustment);

    /// <summary>A duration as whole milliseconds, for log messages ("in 412 ms", not "in 411.83729 ms").</summary>
    public static long Milliseconds(TimeSpan duration) => (long)Math.Round(duration.TotalMilliseconds, MidpointRounding.AwayFromZero);
}

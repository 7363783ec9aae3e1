using Microsoft.Extensions.Logging;

namespace Gateway.Client.AI;

/// <summary>The chat client's log messages (ids 201 and up).</summary>
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "{Setting} is not sent to the gateway and has no effect: {Why} (logged at Debug from now on)")]
    public static partial void IgnoredFirst(ILogger logger, string setting, string why);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "{Setting} is not sent to the gateway and has no effect: {Why}")]
    public static partial void Ignored(ILogger logger, string setting, string why);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "{Count} earlier message(s) not sent: the gateway holds the conversation (session {ConversationId})")]
    public static partial void EarlierMessagesNotSent(ILogger logger, int count, string? conversationId);

    [LoggerMessage(EventId = 204, Level = LogLevel.Debug, Message = "Resuming turn {TurnId} in session {ConversationId} from a continuation token ({Text} characters of text already received)")]
    public static partial void Resuming(ILogger logger, string turnId, string conversationId, int text);
}

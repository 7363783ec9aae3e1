using Microsoft.Extensions.AI;

namespace Gateway.Client.AI;

/// <summary>
/// A <see cref="ChatOptions.ConversationId"/> that the gateway client cannot continue: on PraisonAI and Praxis a client
/// has one session at a time (the <see cref="IGatewayClient.Session"/>), so a conversation id other than its session's
/// is refused rather than answered in another conversation. It happens after the client moved to a new session (a
/// session that could no longer run turns, a lost session): start the conversation again with the new id
/// (<see cref="CurrentConversationId"/>), or use another client for the other session.
/// </summary>
public sealed class GatewayConversationException : GatewayException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requestedConversationId">The conversation id the call asked for.</param>
    /// <param name="currentConversationId">The client's current session id, if it has one.</param>
    /// <param name="message">What happened.</param>
    public GatewayConversationException(string requestedConversationId, string? currentConversationId, string message)
        : base(message)
    {
        RequestedConversationId = requestedConversationId ?? throw new ArgumentNullException(nameof(requestedConversationId));
        CurrentConversationId = currentConversationId;
    }

    /// <summary>The conversation id the call asked for (<see cref="ChatOptions.ConversationId"/>).</summary>
    public string RequestedConversationId { get; }

    /// <summary>The client's current session id (the conversation a call without a conversation id goes on), or null before its first handshake.</summary>
    public string? CurrentConversationId { get; }
}

using Microsoft.Extensions.AI;

namespace Gateway.Client.AI;

/// <summary>Microsoft.Extensions.AI over any <see cref="IGatewayClient"/>.</summary>
public static class GatewayChatClientExtensions
{
    /// <summary>
    /// An <see cref="IChatClient"/> over the gateway's agent turns (<see cref="GatewayTurnExtensions.AskAsync"/>): each call
    /// sends the last user message to the agent and streams its turn as <see cref="ChatResponseUpdate"/>s (text, reasoning,
    /// tool calls the server ran, their results), ending with a finish reason from the turn's outcome. The gateway keeps
    /// the conversation (the <see cref="ChatResponse.ConversationId"/> is its session); see <see cref="GatewayChatClient"/>.
    /// Disposing the chat client leaves <paramref name="client"/> open: the app owns it.
    /// </summary>
    /// <param name="client">The gateway client; it must implement <see cref="IGatewayTurns"/> (a <see cref="GatewayClient"/> does) and be connected before the first call.</param>
    /// <param name="options">How the chat client treats what a gateway cannot honour, and the turns' settings; null for the defaults.</param>
    /// <returns>A <see cref="GatewayChatClient"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="GatewayChatClientOptions.TurnOptions"/> names an idempotency key (it would name every turn).</exception>
    public static IChatClient AsIChatClient(this IGatewayClient client, GatewayChatClientOptions? options = null) => new GatewayChatClient(client, options);
}

namespace Gateway.Client.Testing;

/// <summary>One message of a conversation's history as the gateway recorded it: a user's message or the agent's reply.</summary>
/// <param name="Role"><c>user</c> or <c>assistant</c>.</param>
/// <param name="Text">The message's text (a non-string PraisonAI content as its JSON text).</param>
/// <param name="Timestamp">When the gateway recorded it, on <see cref="TestGatewayOptions.TimeProvider"/>.</param>
public sealed record TestChatMessage(string Role, string Text, DateTimeOffset Timestamp);

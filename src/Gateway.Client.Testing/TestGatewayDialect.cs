namespace Gateway.Client.Testing;

/// <summary>Which protocol a <see cref="TestGateway"/> speaks.</summary>
public enum TestGatewayDialect
{
    /// <summary>The agent-gateway protocol 1/2 (and the legacy join with <see cref="TestGatewayOptions.LegacyOnly"/>). The default.</summary>
    PraisonAI,

    /// <summary>The OpenClaw gateway protocol v4: challenge, connect request, req/res, events numbered per connection, tick, shutdown.</summary>
    OpenClaw,

    /// <summary>The live Praxis agent handler: nothing on connect, commands answered in order, no app-level ping, never closes. Paths <c>/ws/events</c> and <c>/ws/workflow</c>.</summary>
    Praxis,

    /// <summary>The documented Praxis protocol (WebSocketManager): welcome on connect, PONG, subscriptions, bus events, 1008 when full.</summary>
    PraxisDocumented,
}

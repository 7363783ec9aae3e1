namespace Gateway.Client;

/// <summary>Which gateway wire protocol the client speaks. The engine (reconnects, backoff, states, gaps, liveness) is the same for all.</summary>
public enum ProtocolDialect
{
    /// <summary>The agent-gateway protocol 1/2 (PraisonAI's <c>/ws</c>), with the legacy <c>join</c> fallback. The default.</summary>
    PraisonAI,

    /// <summary>The OpenClaw gateway protocol (v4): challenge, <c>connect</c> request, <c>req</c>/<c>res</c>, events numbered per connection.</summary>
    OpenClaw,

    /// <summary>The Praxis agent's WebSocket API (<c>/ws/events</c>): <c>{"type","payload"}</c> commands answered in order, unnumbered events, no resume.</summary>
    Praxis,
}

namespace Gateway.Client.Testing;

/// <summary>Which protocol a <see cref="TestGateway"/> speaks.</summary>
public enum TestGatewayDialect
{
    /// <summary>The agent-gateway protocol 1/2 (and the legacy join with <see cref="TestGatewayOptions.LegacyOnly"/>). The default.</summary>
    Gateway,

    /// <summary>The OpenClaw gateway protocol v4: challenge, connect request, req/res, events numbered per connection, tick, shutdown.</summary>
    OpenClaw,
}

namespace Gateway.Client.Testing;

/// <summary>What a legacy-only <see cref="TestGateway"/> does with a <c>hello</c> it does not understand.</summary>
public enum LegacyHelloBehavior
{
    /// <summary>Ignore it silently (the client falls back after its handshake timeout).</summary>
    Ignore,

    /// <summary>Answer <c>{"type":"error","message":"unknown message type"}</c>.</summary>
    Error,
}

namespace Gateway.Client;

/// <summary>What a refused handshake is about, across dialects (see <see cref="GatewayHandshakeException.Refusal"/>).</summary>
public enum HandshakeRefusalKind
{
    /// <summary>Anything else: an unknown agent, the server's configuration, a rate limit, an answer outside the contract.</summary>
    Other,

    /// <summary>The credentials or the client's identity: a missing or wrong token, pairing, origin or device identity refused.</summary>
    Credentials,

    /// <summary>The two sides share no protocol version.</summary>
    ProtocolVersion,
}

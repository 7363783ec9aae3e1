namespace Gateway.Client.Dialects;

/// <summary>What an inbound frame is to the engine.</summary>
internal enum FrameKind
{
    /// <summary>An event for the app: numbered, replayed or unnumbered.</summary>
    Event,

    /// <summary>The server's heartbeat; answer with a pong.</summary>
    Ping,

    /// <summary>The answer to the client's ping.</summary>
    Pong,

    /// <summary>The answer to a request (<c>res</c>).</summary>
    Response,

    /// <summary>The server asks the client to reconnect now (drain, deploy).</summary>
    ReconnectRequest,

    /// <summary>A handshake answer after the handshake is over: logged and counted, not delivered.</summary>
    LateHandshake,

    /// <summary>A frame that breaks the contract: logged and counted, not delivered.</summary>
    Malformed,
}

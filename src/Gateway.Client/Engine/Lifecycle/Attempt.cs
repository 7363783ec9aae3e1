using Gateway.Client.Dialects;

namespace Gateway.Client.Engine;

/// <summary>A connection whose handshake succeeded, with the <c>since</c> it sent.</summary>
internal readonly record struct Attempt(Connection Connection, HandshakeResult Result, long? SentSince, string? RequestedSessionId);

namespace Gateway.Client.Dialects;

/// <summary>What the client knew before a handshake, and what the handshake said.</summary>
/// <param name="Last">The highest number accounted for before the handshake, or null before the first.</param>
/// <param name="Epoch">The epoch <paramref name="Last"/> belongs to, when known.</param>
/// <param name="Result">The handshake's outcome.</param>
/// <param name="SentSince">The resume position the client sent, or null when it did not resume.</param>
/// <param name="RequestedSessionId">The session the client asked to resume, if any: another one answering is a lost session.</param>
internal readonly record struct ContinuityInput(long? Last, string? Epoch, HandshakeResult Result, long? SentSince, string? RequestedSessionId = null);

namespace Gateway.Client.Dialects;

/// <summary>How a handshake continues the numbered stream: the hole it reveals, and where numbering stands now.</summary>
/// <param name="Gap">The hole the handshake revealed, reported once, in stream order; null when there is none.</param>
/// <param name="Last">The highest number now accounted for (the position the next event is checked against).</param>
/// <param name="Epoch">The epoch that position belongs to.</param>
/// <param name="Report">What the handshake meant for the stream, for the app.</param>
internal readonly record struct ContinuityDecision(GapInfo? Gap, long Last, string? Epoch, ContinuityReport Report);

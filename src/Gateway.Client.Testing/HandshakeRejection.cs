namespace Gateway.Client.Testing;

/// <summary>A <c>hello_error</c> the gateway will answer the next handshake with.</summary>
/// <param name="Code">The error code, for example <c>rate_limited</c>.</param>
/// <param name="Message">The message.</param>
/// <param name="NextStep">The <c>next_step</c> hint (also sent as the older <c>next</c>), or null.</param>
/// <param name="RetryAfterSeconds">The <c>retry_after_seconds</c> floor, or null.</param>
/// <param name="CloseCode">If set, the server closes with this code right after the error (as for 4008/4029); otherwise the socket stays open.</param>
public sealed record HandshakeRejection(string Code, string Message, string? NextStep = null, double? RetryAfterSeconds = null, int? CloseCode = null);

namespace Gateway.Client.OpenClaw;

/// <summary>
/// How an OpenClaw request waits for its answer, and the key that makes it safe to send again. Pass them to a client
/// configured for <see cref="ProtocolDialect.OpenClaw"/>; another dialect refuses them with an
/// <see cref="ArgumentException"/> before anything is sent (<see cref="GatewayCapabilities.IdempotencyKeys"/>).
/// </summary>
public class OpenClawRequestOptions : GatewayRequestOptions
{
    /// <summary>
    /// A key the gateway deduplicates the request by (<c>params.idempotencyKey</c>), so that it is safe to send again.
    /// Without one a request is sent at most once: if its connection ends before the answer, it fails with
    /// <see cref="GatewayConnectionException.OutcomeUnknown"/> and is never resent. With one, the client sends the request
    /// again on the next connection, within <see cref="GatewayRequestOptions.Timeout"/>, and a method that deduplicates
    /// by the key (OpenClaw's side-effecting ones, such as <c>chat.send</c>) answers the repeat without acting twice.
    /// Give a key only to such a method: one whose params do not declare it refuses it, and a few that do not check
    /// their params ignore it and would act again. Default: null. See docs/reliability.md, "Requests: at most once".
    /// </summary>
    public string? IdempotencyKey { get; set; }
}

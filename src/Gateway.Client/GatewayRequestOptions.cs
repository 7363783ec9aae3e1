using System.Text.Json;

namespace Gateway.Client;

/// <summary>How <see cref="GatewayClient.RequestAsync(string, JsonElement?, GatewayRequestOptions, CancellationToken)"/> waits for its answer.</summary>
public sealed class GatewayRequestOptions
{
    /// <summary>
    /// The method answers twice (OpenClaw agent runs): a first answer whose payload says
    /// <c>status:"accepted"</c>, then the final one. Wait for the final one. Default: false (the first answer is final).
    /// </summary>
    public bool ExpectFinal { get; set; }

    /// <summary>
    /// Told of each interim answer before the (final) one, with its <see cref="GatewayRequestProgress.Kind"/>:
    /// <see cref="GatewayRequestProgressKind.Accepted"/> for the first-stage <c>accepted</c> answer when
    /// <see cref="ExpectFinal"/> is set (OpenClaw), <see cref="GatewayRequestProgressKind.Progress"/> for each progress
    /// report (Praxis <c>dslProgress</c>). <see cref="IProgress{T}.Report"/> is called on the client's callback task (never
    /// the receive loop), in order, one at a time, with the <see cref="GatewayClient.OnStateChanged"/> handlers; an exception
    /// it throws is logged (docs/callbacks.md). Note that <see cref="System.Progress{T}"/> passes each report on to the
    /// synchronization context it was made on, or to the thread pool, where reports may run out of order: implement
    /// <see cref="IProgress{T}"/> yourself to handle them in order. Default: null.
    /// </summary>
    public IProgress<GatewayRequestProgress>? Progress { get; set; }

    /// <summary>How long to wait for the (final) answer; null uses <see cref="GatewayClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// A key the gateway deduplicates the request by, so that it is safe to send again. Without one a request is sent
    /// at most once: if its connection ends before the answer, it fails with
    /// <see cref="GatewayConnectionException.OutcomeUnknown"/> and is never resent. With one, on a dialect that carries
    /// it (OpenClaw: <c>params.idempotencyKey</c>), the client sends the request again on the next connection, within
    /// <see cref="Timeout"/>, and a method that deduplicates by the key (OpenClaw's side-effecting ones, such as
    /// <c>chat.send</c>) answers the repeat without acting twice. Give a key only to such a method: one whose params do
    /// not declare it refuses it, and a few that do not check their params ignore it and would act again. On a dialect
    /// that cannot carry a key (the PraisonAI gateway protocol, Praxis) a request with one throws
    /// <see cref="NotSupportedException"/>. Default: null. See docs/reliability.md, "Requests: at most once".
    /// </summary>
    public string? IdempotencyKey { get; set; }
}

using System.Text.Json;

namespace Gateway.Client;

/// <summary>
/// How <see cref="IGatewayClient.RequestAsync(string, JsonElement, GatewayRequestOptions, CancellationToken)"/> waits for its
/// answer. A dialect with more to say about a request derives from it (<see cref="OpenClaw.OpenClawRequestOptions"/>).
/// </summary>
public class GatewayRequestOptions
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
}

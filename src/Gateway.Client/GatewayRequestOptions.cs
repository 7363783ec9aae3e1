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
    /// Called with each interim answer's payload: the first-stage <c>accepted</c> answer when <see cref="ExpectFinal"/>
    /// is set (OpenClaw), and every progress report before the answer (Praxis <c>dslProgress</c>). On the client's
    /// callback task (never the receive loop), in order, like <see cref="GatewayClient.StateChanged"/>. An exception it throws is logged.
    /// </summary>
    public Action<JsonElement>? OnAccepted { get; set; }

    /// <summary>How long to wait for the (final) answer; null uses <see cref="GatewayClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }
}

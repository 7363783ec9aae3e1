using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>How a scenario's gateway is started (a TestGateway with these options, and its <c>echo</c> method).</summary>
/// <param name="ServerHeartbeatMilliseconds">The gateway's own ping interval on a real clock; null keeps its default.</param>
/// <param name="Praxis">Whether the gateway speaks Praxis (its live handler) instead of PraisonAI.</param>
internal sealed record ScenarioGatewaySetup(
    [property: JsonPropertyName("serverHeartbeatMs")] int? ServerHeartbeatMilliseconds = null,
    [property: JsonPropertyName("praxis")] bool Praxis = false);

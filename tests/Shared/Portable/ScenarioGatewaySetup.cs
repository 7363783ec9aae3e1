using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>How a scenario's gateway is started (a TestGateway with these options, and its <c>echo</c> method).</summary>
/// <param name="ServerHeartbeatMilliseconds">The gateway's own ping interval on a real clock; null keeps its default.</param>
/// <param name="Praxis">Whether the gateway speaks Praxis (its live handler) instead of PraisonAI.</param>
internal sealed record ScenarioGatewaySetup(
    [property: JsonPropertyName("serverHeartbeatMs")] int? ServerHeartbeatMilliseconds = null,
    [property: JsonPropertyName("praxis")] bool Praxis = false);

/// <summary>Where a started gateway listens: the host's answer to a start, and the client's address.</summary>
internal sealed record ScenarioGatewayAddress(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("url")] Uri Url,
    [property: JsonPropertyName("token")] string Token);

/// <summary>The answer to a <see cref="ScenarioCommand"/>.</summary>
internal sealed record ScenarioCommandResult([property: JsonPropertyName("number")] long? Number);

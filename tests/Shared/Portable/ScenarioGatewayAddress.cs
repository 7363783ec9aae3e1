using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>Where a started gateway listens: the host's answer to a start, and the client's address.</summary>
internal sealed record ScenarioGatewayAddress(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("url")] Uri Url,
    [property: JsonPropertyName("token")] string Token);

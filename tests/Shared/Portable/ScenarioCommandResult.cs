using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>The answer to a <see cref="ScenarioCommand"/>.</summary>
internal sealed record ScenarioCommandResult([property: JsonPropertyName("number")] long? Number);

using System.Text.Json.Serialization;

namespace Gateway.Client.Portable;

/// <summary>What a scenario produced: its transcript, and the exception that ended it early, if one did.</summary>
internal sealed record ScenarioOutcome(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("transcript")] IReadOnlyList<string> Transcript,
    [property: JsonPropertyName("error")] string? Error);

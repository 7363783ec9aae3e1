using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The body of <see cref="PraisonAIEventTypes.StreamEnd"/>: the turn's stream ended.</summary>
public sealed class StreamEndData
{
    /// <summary>The session the turn belongs to.</summary>
    [JsonPropertyName("session_id")]
    public string? SessionId { get; init; }
}

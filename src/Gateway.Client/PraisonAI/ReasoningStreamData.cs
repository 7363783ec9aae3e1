using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The body of <see cref="PraisonAIEventTypes.ReasoningStream"/>: a piece of the model's reasoning.</summary>
public sealed class ReasoningStreamData
{
    /// <summary>The reasoning text, to append to what came before.</summary>
    [JsonPropertyName("content")]
    public string Content { get; init; } = string.Empty;

    /// <summary>The session the turn belongs to.</summary>
    [JsonPropertyName("session_id")]
    public string? SessionId { get; init; }
}

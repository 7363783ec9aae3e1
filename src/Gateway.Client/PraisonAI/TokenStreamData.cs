using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The body of <see cref="PraisonAIEventTypes.TokenStream"/>: a piece of the answer's text.</summary>
public sealed class TokenStreamData
{
    /// <summary>The text, to append to what came before.</summary>
    [JsonPropertyName("content")]
    public string Content { get; init; } = string.Empty;

    /// <summary>The session the turn belongs to.</summary>
    [JsonPropertyName("session_id")]
    public string? SessionId { get; init; }
}

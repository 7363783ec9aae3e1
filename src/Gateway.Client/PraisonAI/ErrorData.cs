using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The body of <see cref="PraisonAIEventTypes.Error"/>.</summary>
public sealed class ErrorData
{
    /// <summary>What went wrong, for people.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>A code for programs, when the server gives one.</summary>
    [JsonPropertyName("code")]
    public string? Code { get; init; }
}

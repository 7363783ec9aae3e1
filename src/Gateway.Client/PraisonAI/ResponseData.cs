using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The body of <see cref="PraisonAIEventTypes.Response"/>: a turn's answer.</summary>
public sealed class ResponseData
{
    /// <summary><c>accepted</c> (the turn was queued; <see cref="Content"/> may hold a first answer) or <c>final</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>The answer's text.</summary>
    [JsonPropertyName("content")]
    public string? Content { get; init; }

    /// <summary>How the turn ended (for example <c>{"status":"error"}</c>), when the server says.</summary>
    [JsonPropertyName("outcome")]
    public JsonElement? Outcome { get; init; }

    /// <summary>The session the turn belongs to.</summary>
    [JsonPropertyName("session_id")]
    public string? SessionId { get; init; }

    /// <summary>Whether this is the turn's final answer.</summary>
    [JsonIgnore]
    public bool IsFinal => Status == "final";
}

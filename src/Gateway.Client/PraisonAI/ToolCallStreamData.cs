using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Client.PraisonAI;

/// <summary>The body of <see cref="PraisonAIEventTypes.ToolCallStream"/>: a tool call as the model streams it.</summary>
public sealed class ToolCallStreamData
{
    /// <summary>The tool call as the agent's model reports it (its shape is the model provider's: name, arguments, id).</summary>
    [JsonPropertyName("tool_call")]
    public JsonElement ToolCall { get; init; }

    /// <summary>The session the turn belongs to.</summary>
    [JsonPropertyName("session_id")]
    public string? SessionId { get; init; }
}

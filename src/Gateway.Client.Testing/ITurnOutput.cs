using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>Where a <see cref="TestAgentTurn"/>'s output goes: each dialect maps the agent's actions to its own frames.</summary>
internal interface ITurnOutput
{
    /// <summary>A piece of the answer; returns the number the dialect gave the frame (0 when it has none or it was lost).</summary>
    Task<long> TokenAsync(string text);

    /// <summary>A piece of the agent's reasoning.</summary>
    Task<long> ReasoningAsync(string text);

    /// <summary>A tool call and then its result.</summary>
    Task ToolAsync(string name, string callId, JsonObject? arguments, JsonNode? result);

    /// <summary>Any other frame the agent sends, in the dialect's own terms.</summary>
    Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape);
}

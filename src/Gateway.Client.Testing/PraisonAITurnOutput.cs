using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// A PraisonAI turn's output, as the real server's stream relay maps an agent's stream events: wrapped, numbered frames sent only
/// to the queue runner's connection. Once that connection has closed they are lost (not numbered, not retained).
/// </summary>
internal sealed class PraisonAITurnOutput(TestSession session, TestConnection connection) : ITurnOutput
{
    public Task<long> TokenAsync(string text) =>
        session.PublishToAsync(connection, "token_stream", new JsonObject { ["content"] = text, ["session_id"] = session.Id }, EnvelopeShape.Wrapped);

    public Task<long> ReasoningAsync(string text) =>
        session.PublishToAsync(connection, "reasoning_stream", new JsonObject { ["content"] = text, ["session_id"] = session.Id }, EnvelopeShape.Wrapped);

    public async Task ToolAsync(string name, string callId, JsonObject? arguments, JsonNode? result)
    {
        // praisonaiagents: the model's tool-call delta carries the arguments as JSON text; the result event the parsed
        // arguments and the result as text (str(result)[:500]).
        await session.PublishToAsync(connection, "tool_call_stream", new JsonObject
        {
            ["tool_call"] = new JsonObject
            {
                ["index"] = 0,
                ["id"] = callId,
                ["name"] = name,
                ["arguments"] = arguments?.ToJsonString() ?? "{}",
            },
            ["session_id"] = session.Id,
        }, EnvelopeShape.Wrapped).ConfigureAwait(false);
        await session.PublishToAsync(connection, "tool_result_stream", new JsonObject
        {
            ["tool_call"] = new JsonObject
            {
                ["name"] = name,
                ["arguments"] = arguments?.DeepClone() ?? new JsonObject(),
                ["result"] = result is null ? null : result is JsonValue value && value.TryGetValue<string>(out var text) ? text : result.ToJsonString(),
                ["id"] = callId,
            },
            ["metadata"] = new JsonObject { ["duration_ms"] = 0 },
            ["session_id"] = session.Id,
        }, EnvelopeShape.Wrapped).ConfigureAwait(false);
    }

    public Task<long> PublishAsync(string type, JsonObject data, EnvelopeShape shape) => session.PublishToAsync(connection, type, data, shape);

    /// <summary>The agent's stream ended (the real stub agent emits it before it returns).</summary>
    public Task<long> EndStreamAsync() =>
        session.PublishToAsync(connection, "stream_end", new JsonObject { ["session_id"] = session.Id }, EnvelopeShape.Wrapped);
}

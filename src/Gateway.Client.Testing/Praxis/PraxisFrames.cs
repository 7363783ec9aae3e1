using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>The frames both Praxis handlers send (<see cref="Frame"/>: <c>{"type", "payload"}</c>), and the payloads they carry.</summary>
internal static class PraxisFrames
{
    public static string Frame(string type, JsonNode? payload, string? correlationId = null)
    {
        var frame = new JsonObject { ["type"] = type, ["payload"] = payload };
        if (correlationId is not null)
        {
            frame["correlation_id"] = correlationId;
        }

        return frame.ToJsonString();
    }

    public static string Welcome() => Frame("chatMessage", new JsonObject { ["content"] = "Connected to Praxis Agent", ["sender"] = "system", ["type"] = "system" });

    public static JsonObject DslProgress(string command, string message) =>
        new() { ["stage"] = "analyzing", ["message"] = message, ["details"] = new JsonObject { ["command"] = command } };

    /// <summary>The fallback result of a handler with no agent attached.</summary>
    public static JsonObject DslResult(string command) => new()
    {
        ["success"] = true,
        ["command"] = command,
        ["matchedAgents"] = new JsonArray("praxis-agent-1"),
        ["requiredMCPTools"] = new JsonArray("read_file", "write_file"),
        ["workflowSuggestion"] = new JsonObject
        {
            ["nodes"] = new JsonArray(new JsonObject { ["id"] = "agent1", ["type"] = "agent", ["label"] = "Process Command" }),
            ["edges"] = new JsonArray(),
        },
        ["processTime"] = 0.1,
        ["fallback"] = true,
    };

    public static JsonObject WorkflowStart(string workflowId, JsonNode? nodes, JsonNode? edges, DateTimeOffset now) => new()
    {
        ["workflowId"] = workflowId,
        ["executionId"] = Guid.NewGuid().ToString(),
        ["nodes"] = nodes ?? new JsonArray(),
        ["edges"] = edges ?? new JsonArray(),
        ["startTime"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + "Z",
    };

    public static string Error(string message, string code, DateTimeOffset? timestamp = null)
    {
        var payload = new JsonObject { ["message"] = message, ["code"] = code };
        if (timestamp is { } at)
        {
            payload["timestamp"] = at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return Frame("error", payload);
    }

    public static string? Text(JsonElement obj, string name, string? missing = null) =>
        obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) ? missing
        : value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();

    public static JsonNode? Node(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? JsonNode.Parse(value.GetRawText()) : null;
}

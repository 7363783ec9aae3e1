using System.Net.WebSockets;
using System.Text.Json;

namespace Gateway.Client.Testing;

/// <summary>
/// The server's side of one connection to the live Praxis handler (<c>PraxisAPIServer._handle_websocket_connection</c>,
/// praxis-py-sdk 3f5a88c), frame for frame, with no agent attached: nothing on connect; one frame at a time,
/// in order; <c>DSL_COMMAND</c> → <c>dslProgress</c> + <c>dslResult</c>, <c>CHAT_MESSAGE</c> → <c>chatMessage</c>,
/// <c>EXECUTE_WORKFLOW</c> → <c>workflowStart</c>, anything else → the welcome notice; invalid JSON →
/// <c>error PARSE_ERROR</c>; a non-object frame or payload, or a binary frame → <c>error INTERNAL_ERROR</c>.
/// It never closes and never pings at the application level.
/// </summary>
internal sealed class PraxisLiveConversation
{
    private readonly TestGateway _gateway;
    private readonly TestConnection _connection;

    public PraxisLiveConversation(TestGateway gateway, TestConnection connection)
    {
        _gateway = gateway;
        _connection = connection;
    }

    public async Task RunAsync()
    {
        _gateway.OnHandshake(_connection);
        _connection.HandshakeAnswered.TrySetResult();
        await FrameLoop.RunAsync(_gateway, _connection, HandleAsync, UnreadableAsync).ConfigureAwait(false);
    }

    private async Task<bool> UnreadableAsync(WebSocketMessageType type)
    {
        // Starlette's receive_text on a binary message raises KeyError('text'), caught by the handler's outer except.
        await SendAsync(type == WebSocketMessageType.Text
            ? PraxisFrames.Error("Invalid JSON format", "PARSE_ERROR")
            : PraxisFrames.Error("'text'", "INTERNAL_ERROR")).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> HandleAsync(JsonElement frame)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            await SendAsync(PraxisFrames.Error($"'{PythonType(frame)}' object has no attribute 'get'", "INTERNAL_ERROR")).ConfigureAwait(false);
            return true;
        }

        var type = frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : string.Empty;
        var payload = frame.TryGetProperty("payload", out var p) ? p : default;
        var needsPayload = type is "DSL_COMMAND" or "CHAT_MESSAGE" or "EXECUTE_WORKFLOW";
        if (needsPayload && payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            await SendAsync(PraxisFrames.Error($"'{PythonType(payload)}' object has no attribute 'get'", "INTERNAL_ERROR")).ConfigureAwait(false);
            return true;
        }

        switch (type)
        {
            case "DSL_COMMAND":
                var command = PraxisFrames.Text(payload, "command", string.Empty)!;
                await SendAsync(PraxisFrames.Frame("dslProgress", PraxisFrames.DslProgress(command, $"Processing DSL command: {command}"))).ConfigureAwait(false);
                await SendAsync(PraxisFrames.Frame("dslResult", PraxisFrames.DslResult(command))).ConfigureAwait(false);
                break;
            case "CHAT_MESSAGE":
                var content = PraxisFrames.Text(payload, "content", string.Empty);
                await SendAsync(PraxisFrames.Frame("chatMessage", new System.Text.Json.Nodes.JsonObject
                {
                    ["content"] = $"I received your message: {content}",
                    ["sender"] = "assistant",
                    ["type"] = "text",
                })).ConfigureAwait(false);
                break;
            case "EXECUTE_WORKFLOW":
                var workflow = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("workflow", out var w) ? w : default;
                if (workflow.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
                {
                    await SendAsync(PraxisFrames.Error($"'{PythonType(workflow)}' object has no attribute 'get'", "INTERNAL_ERROR")).ConfigureAwait(false);
                    break;
                }

                await SendAsync(PraxisFrames.Frame("workflowStart", PraxisFrames.WorkflowStart(
                    PraxisFrames.Text(workflow, "id", "test-workflow")!,
                    PraxisFrames.Node(workflow, "nodes"),
                    PraxisFrames.Node(workflow, "edges"),
                    _gateway.Options.TimeProvider.GetUtcNow()))).ConfigureAwait(false);
                break;
            default:
                // "Send welcome message if first connection": what the handler answers to any other type.
                await SendAsync(PraxisFrames.Welcome()).ConfigureAwait(false);
                break;
        }

        return true;
    }

    private Task<bool> SendAsync(string frame) => _connection.SendTextAsync(frame);

    private static string PythonType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "list",
        JsonValueKind.String => "str",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "int" : "float",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "NoneType",
    };
}

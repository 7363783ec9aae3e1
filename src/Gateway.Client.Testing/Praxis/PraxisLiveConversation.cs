using System.Net.WebSockets;
using System.Text.Json;

namespace Gateway.Client.Testing;

/// <summary>
/// The server's side of one connection to the live Praxis handler (<c>PraxisAPIServer._handle_websocket_connection</c>,
/// praxis-py-sdk 3f5a88c), frame for frame, with no agent attached: nothing on connect; one frame at a time,
/// in order; <c>DSL_COMMAND</c> → <c>dslProgress</c> + <c>dslResult</c>, <c>CHAT_MESSAGE</c> → <c>chatMessage</c>,
/// <c>EXECUTE_WORKFLOW</c> → <c>workflowStart</c>, anything else → the welcome notice; invalid JSON →
/// <c>error PARSE_ERROR</c>; a non-object frame or payload, or a binary frame → <c>error INTERNAL_ERROR</c>.
/// It never closes and never pings at the application level. While a test holds its answers (<c>HoldPraxisAnswers</c>)
/// it goes on reading and answers afterwards, in order.
/// </summary>
internal sealed class PraxisLiveConversation
{
    private readonly TestGateway _gateway;
    private readonly TestConnection _connection;
    private readonly PraxisServerState _state;
    private Task _held = Task.CompletedTask; // answers held back (HoldPraxisAnswers), each after the one before

    public PraxisLiveConversation(TestGateway gateway, TestConnection connection)
    {
        _gateway = gateway;
        _connection = connection;
        _state = PraxisServerState.Of(gateway);
    }

    public async Task RunAsync()
    {
        _gateway.OnHandshake(_connection);
        _connection.HandshakeAnswered.TrySetResult();
        await FrameLoop.RunAsync(_gateway, _connection, frame => InOrderAsync(() => AnswerAsync(frame)), type => InOrderAsync(() => AnswerUnreadableAsync(type))).ConfigureAwait(false);
    }

    /// <summary>Answers now, or, while answers are held (or held ones are still going out), after them: always in the order read.</summary>
    private async Task<bool> InOrderAsync(Func<Task> answer)
    {
        var released = _state.AnswersReleased;
        if (released.IsCompleted && _held.IsCompleted)
        {
            await answer().ConfigureAwait(false);
        }
        else
        {
            _held = AnswerLaterAsync(_held, released, answer);
        }

        return true;
    }

    private async Task AnswerLaterAsync(Task before, Task released, Func<Task> answer)
    {
        try
        {
            await before.ConfigureAwait(false);
            await released.WaitAsync(_gateway.Stopping).ConfigureAwait(false);
            await answer().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The gateway stopped while the answers were held: they are never sent.
        }
    }

    private Task AnswerUnreadableAsync(WebSocketMessageType type) =>
        // Starlette's receive_text on a binary message raises KeyError('text'), caught by the handler's outer except.
        SendAsync(type == WebSocketMessageType.Text
            ? PraxisFrames.Error("Invalid JSON format", "PARSE_ERROR")
            : PraxisFrames.Error("'text'", "INTERNAL_ERROR"));

    private async Task AnswerAsync(JsonElement frame)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            await SendAsync(PraxisFrames.Error($"'{PythonType(frame)}' object has no attribute 'get'", "INTERNAL_ERROR")).ConfigureAwait(false);
            return;
        }

        var type = frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : string.Empty;
        var payload = frame.TryGetProperty("payload", out var p) ? p : default;
        var needsPayload = type is "DSL_COMMAND" or "CHAT_MESSAGE" or "EXECUTE_WORKFLOW";
        if (needsPayload && payload.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            await SendAsync(PraxisFrames.Error($"'{PythonType(payload)}' object has no attribute 'get'", "INTERNAL_ERROR")).ConfigureAwait(false);
            return;
        }

        switch (type)
        {
            case "DSL_COMMAND":
                var command = PraxisFrames.Text(payload, "command", string.Empty)!;
                await SendAsync(PraxisFrames.Frame("dslProgress", PraxisFrames.DslProgress(command, $"Processing DSL command: {command}"))).ConfigureAwait(false);
                await SendAsync(PraxisFrames.Frame("dslResult", PraxisFrames.DslResult(command))).ConfigureAwait(false);
                break;
            case "CHAT_MESSAGE":
                await ChatAsync(PraxisFrames.Text(payload, "content", string.Empty)!).ConfigureAwait(false);
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
    }

    /// <summary>
    /// <c>CHAT_MESSAGE</c>: with no agent set (<see cref="TestGatewayOptions.Agent"/>), the real handler's answer with no agent
    /// attached, <c>I received your message: …</c>; with one, its reply as the <c>chatMessage</c>'s content. A refusal
    /// (<see cref="TestAgentRejection"/>) is answered as the handler answers a command it could not process (<c>type:"error"</c>),
    /// any other failure as its outer handler does (<c>error INTERNAL_ERROR</c>).
    /// </summary>
    private async Task ChatAsync(string content)
    {
        if (!_gateway.Options.AgentIsSet)
        {
            await SendAsync(PraxisFrames.Frame("chatMessage", new System.Text.Json.Nodes.JsonObject
            {
                ["content"] = $"I received your message: {content}",
                ["sender"] = "assistant",
                ["type"] = "text",
            })).ConfigureAwait(false);
            return;
        }

        var (reply, failure) = await PraxisTurnOutput.RunAsync(_gateway, _connection, content).ConfigureAwait(false);
        await SendAsync(failure switch
        {
            null => PraxisFrames.Frame("chatMessage", new System.Text.Json.Nodes.JsonObject { ["content"] = reply, ["sender"] = "assistant", ["type"] = "text" }),
            TestAgentRejection => PraxisFrames.Frame("chatMessage", new System.Text.Json.Nodes.JsonObject
            {
                ["content"] = $"Error processing command: {failure.Message}",
                ["sender"] = "assistant",
                ["type"] = "error",
            }),
            _ => PraxisFrames.Error(failure.Message, "INTERNAL_ERROR"),
        }).ConfigureAwait(false);
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

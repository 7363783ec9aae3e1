using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// The server's side of one connection to the documented Praxis protocol (the upstream <c>WebSocketManager</c>,
/// praxis-py-sdk 3f5a88c): full → close 1008 "Maximum connections reached"; otherwise the welcome notice on
/// connect; <c>PING</c> → <c>PONG</c> with <c>correlation_id</c> = the ping's <c>id</c>; <c>SUBSCRIBE_EVENTS</c> /
/// <c>UNSUBSCRIBE_EVENTS</c> acknowledged by a system <c>chatMessage</c>; commands answered through the event bus
/// (to every connection whose filter takes the bus event); errors as <c>error WEBSOCKET_ERROR</c> with a timestamp.
/// Bus event names are not checked against the upstream enum (not in the reference); any non-empty name is taken.
/// </summary>
internal sealed class PraxisDocumentedConversation
{
    private static readonly HashSet<string> ClientTypes = new(StringComparer.Ordinal)
    {
        "DSL_COMMAND", "EXECUTE_WORKFLOW", "CHAT_MESSAGE", "SUBSCRIBE_EVENTS", "UNSUBSCRIBE_EVENTS", "PING",
    };

    private static readonly HashSet<string> ServerTypes = new(StringComparer.Ordinal)
    {
        "dslProgress", "dslResult", "workflowStart", "workflowProgress", "workflowComplete", "workflowError",
        "nodeStatusUpdate", "chatMessage", "tool_result", "eventStream", "PONG", "error",
    };

    private readonly TestGateway _gateway;
    private readonly TestConnection _connection;
    private readonly PraxisServerState _state;

    public PraxisDocumentedConversation(TestGateway gateway, TestConnection connection)
    {
        _gateway = gateway;
        _connection = connection;
        _state = PraxisServerState.Of(gateway);
    }

    private DateTimeOffset Now => _gateway.Options.TimeProvider.GetUtcNow();

    public async Task RunAsync()
    {
        if (_gateway.Connections.Count(c => c != _connection && c.IsOpen) >= _state.MaxConnections)
        {
            await _connection.CloseAsync(1008, "Maximum connections reached").ConfigureAwait(false);
            return;
        }

        _gateway.OnHandshake(_connection);
        await SendAsync(PraxisFrames.Welcome()).ConfigureAwait(false);
        _connection.HandshakeAnswered.TrySetResult();
        try
        {
            await FrameLoop.RunAsync(_gateway, _connection, HandleAsync, UnreadableAsync).ConfigureAwait(false);
        }
        finally
        {
            _state.Subscriptions.TryRemove(_connection, out _);
            _state.LastPing.TryRemove(_connection, out _);
        }
    }

    /// <summary>Documented heartbeat: a connection whose last <c>PING</c> is more than three intervals old is dropped (one that never pinged is kept).</summary>
    public static Task? Heartbeat(TestGateway gateway, TestConnection connection, DateTimeOffset now) =>
        PraxisServerState.Of(gateway).LastPing.TryGetValue(connection, out var last) && now - last > gateway.Options.HeartbeatInterval * 3
            ? connection.CloseAsync(1000, "Heartbeat timeout")
            : null;

    private async Task<bool> UnreadableAsync(WebSocketMessageType type)
    {
        if (type == WebSocketMessageType.Text)
        {
            await SendAsync(Error("Invalid message format: Expecting value")).ConfigureAwait(false);
            return true;
        }

        // receive_text on a binary message raises outside the per-message handler: the client is disconnected.
        await _connection.CloseAsync(1000, "Message handling error: 'text'").ConfigureAwait(false);
        return false;
    }

    private async Task<bool> HandleAsync(JsonElement frame)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            await _connection.CloseAsync(1000, "Message handling error: argument after ** must be a mapping").ConfigureAwait(false);
            return false;
        }

        var id = PraxisFrames.Text(frame, "id") ?? Guid.NewGuid().ToString();
        if (!frame.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String
            || (frame.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Object))
        {
            await SendAsync(Error("Invalid message format: 1 validation error for WebSocketMessage")).ConfigureAwait(false);
            return true;
        }

        var type = t.GetString()!;
        var payload = frame.TryGetProperty("payload", out var body) ? body : default;
        if (!ClientTypes.Contains(type))
        {
            await SendAsync(Error(ServerTypes.Contains(type) ? $"No handler for message type: {type}" : $"Invalid message type: {type}")).ConfigureAwait(false);
            return true;
        }

        switch (type)
        {
            case "PING":
                _state.LastPing[_connection] = Now;
                await SendAsync(PraxisFrames.Frame("PONG", new JsonObject { ["timestamp"] = Now.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }, id)).ConfigureAwait(false);
                break;
            case "SUBSCRIBE_EVENTS":
            case "UNSUBSCRIBE_EVENTS":
                await ChangeSubscriptionsAsync(payload, subscribe: type == "SUBSCRIBE_EVENTS").ConfigureAwait(false);
                break;
            case "DSL_COMMAND":
                await RunCommandAsync(PraxisFrames.Text(payload, "command", string.Empty)!).ConfigureAwait(false);
                break;
            case "CHAT_MESSAGE":
                var content = PraxisFrames.Text(payload, "content", string.Empty)!;
                if (PraxisFrames.Text(payload, "sender", "user") == "user")
                {
                    if (content.Length > 0)
                    {
                        await ChatAsync(content).ConfigureAwait(false);
                    }

                    await RunCommandAsync(content).ConfigureAwait(false);
                }

                break;
            case "EXECUTE_WORKFLOW":
                var workflow = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("workflow", out var w) && w.ValueKind == JsonValueKind.Object ? w : default;
                var workflowId = PraxisFrames.Text(workflow, "id") ?? PraxisFrames.Text(payload, "workflowId") ?? Guid.NewGuid().ToString();
                await _gateway.PublishPraxisBusEventAsync("workflow.started", "workflowStart", PraxisFrames.WorkflowStart(
                    workflowId, PraxisFrames.Node(workflow, "nodes") ?? PraxisFrames.Node(payload, "nodes"), PraxisFrames.Node(workflow, "edges") ?? PraxisFrames.Node(payload, "edges"), Now)).ConfigureAwait(false);
                break;
        }

        return true;
    }

    /// <summary>
    /// A user's chat message: the documented server's answer, <c>Processing: …</c>, or, with an agent set
    /// (<see cref="TestGatewayOptions.Agent"/>), the agent's reply in its place; a refusal is a <c>chatMessage</c> with
    /// <c>type:"error"</c>, another failure the server's <c>error</c>.
    /// </summary>
    private async Task ChatAsync(string content)
    {
        if (!_gateway.Options.AgentIsSet)
        {
            await SendAsync(PraxisFrames.Frame("chatMessage", new JsonObject { ["content"] = $"Processing: {content}", ["sender"] = "assistant" })).ConfigureAwait(false);
            return;
        }

        var (reply, failure) = await PraxisTurnOutput.RunAsync(_gateway, _connection, content).ConfigureAwait(false);
        await SendAsync(failure switch
        {
            null => PraxisFrames.Frame("chatMessage", new JsonObject { ["content"] = reply, ["sender"] = "assistant" }),
            TestAgentRejection => PraxisFrames.Frame("chatMessage", new JsonObject { ["content"] = failure.Message, ["sender"] = "assistant", ["type"] = "error" }),
            _ => Error(failure.Message),
        }).ConfigureAwait(false);
    }

    /// <summary>The bus carries the command to the orchestrator, whose progress and result reach every connection that takes them.</summary>
    private async Task RunCommandAsync(string command)
    {
        await _gateway.PublishPraxisBusEventAsync("dsl.command.progress", "dslProgress", PraxisFrames.DslProgress(command, "Processing DSL command...")).ConfigureAwait(false);
        await _gateway.PublishPraxisBusEventAsync("dsl.command.completed", "dslResult", PraxisFrames.DslResult(command)).ConfigureAwait(false);
    }

    private async Task ChangeSubscriptionsAsync(JsonElement payload, bool subscribe)
    {
        var requested = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("event_types", out var list) ? list : default;
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (requested.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in requested.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
                {
                    await SendAsync(Error($"Invalid event types: {item.GetRawText()} is not a valid EventType")).ConfigureAwait(false);
                    return;
                }

                names.Add(item.GetString()!);
            }
        }

        // A connection's own set starts empty: once it subscribes, only what it subscribed to reaches it.
        var subscribed = _state.Subscriptions.GetOrAdd(_connection, static _ => new HashSet<string>(StringComparer.Ordinal));
        lock (subscribed)
        {
            if (subscribe)
            {
                subscribed.UnionWith(names);
            }
            else
            {
                subscribed.ExceptWith(names);
            }
        }

        var content = subscribe ? $"Subscribed to {names.Count} event types" : $"Unsubscribed from {names.Count} event types";
        await SendAsync(PraxisFrames.Frame("chatMessage", new JsonObject { ["content"] = content, ["sender"] = "system", ["type"] = "system" })).ConfigureAwait(false);
    }

    private string Error(string message) => PraxisFrames.Error(message, "WEBSOCKET_ERROR", Now);

    private Task<bool> SendAsync(string frame) => _connection.SendTextAsync(frame);
}

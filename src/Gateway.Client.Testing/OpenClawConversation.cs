using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// The server's side of one OpenClaw v4 connection, written from what gateway 2026.9.6 does on the wire:
/// challenge first, then a <c>connect</c> request (client id from a closed list, token, version range),
/// <c>hello-ok</c>, then <c>req</c>/<c>res</c> and events numbered per connection.
/// </summary>
internal sealed class OpenClawConversation
{
    /// <summary>The client ids the gateway accepts; anything else is closed with 1008.</summary>
    private static readonly HashSet<string> KnownClientIds = new(StringComparer.Ordinal)
    {
        "gateway-client", "cli", "webchat", "webchat-ui", "openclaw-control-ui", "openclaw-macos", "openclaw-ios", "openclaw-android", "node-host", "test",
    };

    private readonly TestGateway _gateway;
    private readonly TestConnection _connection;
    private readonly TestGatewayOptions _options;
    private bool _isAdmin; // operator.admin may abort another connection's run

    public OpenClawConversation(TestGateway gateway, TestConnection connection)
    {
        _gateway = gateway;
        _connection = connection;
        _options = gateway.Options;
    }

    public async Task RunAsync()
    {
        await SendAsync(new JsonObject
        {
            ["type"] = "event",
            ["event"] = "connect.challenge",
            ["payload"] = new JsonObject { ["nonce"] = Guid.NewGuid().ToString(), ["ts"] = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() },
        }).ConfigureAwait(false);

        await FrameLoop.RunAsync(_gateway, _connection, HandleAsync).ConfigureAwait(false);
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Integer(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private async Task<bool> HandleAsync(JsonElement frame)
    {
        if (Text(frame, "type") != "req")
        {
            return true;
        }

        var id = Text(frame, "id");
        var method = Text(frame, "method");
        var parameters = frame.TryGetProperty("params", out var p) ? p : default;
        if (_connection.Session is null)
        {
            if (method != "connect")
            {
                await RefuseAsync(id, "INVALID_REQUEST", "connect first", null, 1008, "connect required").ConfigureAwait(false);
                return false;
            }

            return await ConnectAsync(id, parameters).ConfigureAwait(false);
        }

        _gateway.Track(() => AnswerAsync(id, method ?? string.Empty, parameters));
        return true;
    }

    private async Task<bool> ConnectAsync(string? id, JsonElement parameters)
    {
        if (_gateway.TryTakeOpenClawUnavailable())
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "res",
                ["id"] = id,
                ["ok"] = false,
                ["error"] = new JsonObject
                {
                    ["code"] = "UNAVAILABLE",
                    ["message"] = "gateway starting; retry shortly",
                    ["retryable"] = true,
                    ["retryAfterMs"] = 500,
                    ["details"] = new JsonObject { ["reason"] = "startup-sidecars" },
                },
            }).ConfigureAwait(false);
            await _connection.CloseAsync(1013, "gateway starting").ConfigureAwait(false);
            return false;
        }

        var client = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("client", out var c) ? c : default;
        if (Text(client, "id") is not { } clientId || !KnownClientIds.Contains(clientId))
        {
            await _connection.CloseAsync(1008, "invalid client id").ConfigureAwait(false);
            return false;
        }

        var min = Integer(parameters, "minProtocol") ?? 0;
        var max = Integer(parameters, "maxProtocol") ?? 0;
        if (min > _options.OpenClawProtocol || max < _options.OpenClawProtocol)
        {
            await RefuseAsync(id, "INVALID_REQUEST", "protocol mismatch", new JsonObject
            {
                ["code"] = "PROTOCOL_MISMATCH",
                ["clientMinProtocol"] = min,
                ["clientMaxProtocol"] = max,
                ["expectedProtocol"] = _options.OpenClawProtocol,
                ["minimumProbeProtocol"] = _options.OpenClawProtocol - 1,
            }, 1002, "protocol mismatch").ConfigureAwait(false);
            return false;
        }

        var auth = parameters.TryGetProperty("auth", out var a) ? a : default;
        if (_options.Token is { } expected && Text(auth, "token") != expected)
        {
            await RefuseAsync(id, "INVALID_REQUEST", "unauthorized: gateway token mismatch (provide gateway auth token)", new JsonObject
            {
                ["code"] = "AUTH_TOKEN_MISMATCH",
                ["authReason"] = "token_mismatch",
                ["recommendedNextStep"] = "update_auth_credentials",
            }, 1008, "unauthorized: gateway token mismatch").ConfigureAwait(false);
            return false;
        }

        // Registered before hello-ok goes out, so an event published the moment the client sees hello-ok
        // reaches it; event sends wait for HandshakeAnswered, so none can overtake the answer.
        _connection.Protocol = _options.OpenClawProtocol;
        _connection.Session = _gateway.ResolveSession(_connection.ConnectionId).Session;
        _gateway.OnHandshake(_connection);
        var role = Text(parameters, "role") ?? "operator";
        var scopes = parameters.TryGetProperty("scopes", out var s) && s.ValueKind == JsonValueKind.Array ? s.Clone() : default;
        _isAdmin = scopes.ValueKind == JsonValueKind.Array && scopes.EnumerateArray().Any(x => x.ValueKind == JsonValueKind.String && x.GetString() == "operator.admin");
        var helloOk = new JsonObject
        {
            ["type"] = "hello-ok",
            ["protocol"] = _options.OpenClawProtocol,
            ["server"] = new JsonObject
            {
                ["version"] = "test-gateway",
                ["bootId"] = _gateway.BootId,
                ["connId"] = _connection.ConnectionId,
            },
            ["features"] = new JsonObject
            {
                ["methods"] = new JsonArray("health", "status", "sessions.list"),
                ["events"] = new JsonArray("tick", "health", "shutdown"),
            },
            ["snapshot"] = new JsonObject
            {
                ["presence"] = new JsonArray(),
                ["health"] = new JsonObject { ["ok"] = true },
                ["stateVersion"] = new JsonObject { ["presence"] = 0, ["health"] = 0 },
                ["uptimeMs"] = 1,
            },
            ["auth"] = new JsonObject { ["role"] = role, ["scopes"] = scopes.ValueKind == JsonValueKind.Array ? JsonNode.Parse(scopes.GetRawText()) : new JsonArray() },
            ["policy"] = new JsonObject
            {
                ["maxPayload"] = _options.MaxPayload,
                ["maxBufferedBytes"] = 1024 * 1024,
                ["tickIntervalMs"] = (long)_options.HeartbeatInterval.TotalMilliseconds,
            },
        };
        _gateway.HandshakeRewrite?.Invoke(helloOk);
        if (_gateway.HandshakePrelude is { } prelude)
        {
            await _connection.SendTextAsync(prelude).ConfigureAwait(false);
        }

        await SendAsync(new JsonObject { ["type"] = "res", ["id"] = id, ["ok"] = true, ["payload"] = helloOk }).ConfigureAwait(false);
        _connection.HandshakeAnswered.TrySetResult();
        return true;
    }

    private async Task AnswerAsync(string? id, string method, JsonElement parameters)
    {
        OpenClawRun? start = null;
        try
        {
            JsonNode? payload = method switch
            {
                "health" => new JsonObject { ["ok"] = true, ["ts"] = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() },
                "status" => new JsonObject { ["runtimeVersion"] = "test-gateway" },
                "sessions.list" => new JsonObject { ["count"] = 0, ["sessions"] = new JsonArray() },
                _ => null,
            };
            if (payload is null)
            {
                if (_gateway.FindTwoStageMethod(method) is { } twoStage)
                {
                    await SendAsync(new JsonObject { ["type"] = "res", ["id"] = id, ["ok"] = true, ["payload"] = new JsonObject { ["status"] = "accepted", ["runId"] = Guid.NewGuid().ToString("N") } }).ConfigureAwait(false);
                    payload = await twoStage(parameters, _gateway.Stopping).ConfigureAwait(false);
                }
                else if (_gateway.FindMethod(method) is { } handler)
                {
                    payload = await handler(parameters, _gateway.Stopping).ConfigureAwait(false);
                }
                else
                {
                    // The chat methods are built in; a method a test registered under the same name takes their place.
                    switch (method)
                    {
                        case "chat.send":
                            (payload, start) = _gateway.OpenClawChat.Send(parameters, _connection);
                            break;
                        case "chat.abort":
                            payload = await _gateway.OpenClawChat.AbortAsync(parameters, _connection, _isAdmin).ConfigureAwait(false);
                            break;
                        case "chat.history":
                            payload = _gateway.OpenClawChat.History(parameters);
                            break;
                        default:
                            throw new TestGatewayMethodException("INVALID_REQUEST", $"unknown method: {method}");
                    }
                }
            }

            await SendAsync(new JsonObject { ["type"] = "res", ["id"] = id, ["ok"] = true, ["payload"] = payload }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var (code, message) = TestGatewayMethodException.AnswerFor(ex, "UNAVAILABLE");
            var error = new JsonObject { ["code"] = code, ["message"] = message };
            var response = new JsonObject { ["type"] = "res", ["id"] = id, ["ok"] = false };
            if (ex is TestGatewayMethodException { Details: { } details })
            {
                error["details"] = details.DeepClone();
            }

            if (ex is TestGatewayMethodException { Payload: { } failedPayload })
            {
                response["payload"] = failedPayload.DeepClone();
            }

            response["error"] = error;
            await SendAsync(response).ConfigureAwait(false);
        }

        // The run starts once its "started" answer is out, so no event of it precedes the answer on this connection.
        if (start is not null)
        {
            _gateway.Track(start.RunAsync);
        }
    }

    private async Task RefuseAsync(string? id, string code, string message, JsonObject? details, int closeCode, string reason)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (details is not null)
        {
            error["details"] = details;
        }

        await SendAsync(new JsonObject { ["type"] = "res", ["id"] = id, ["ok"] = false, ["error"] = error }).ConfigureAwait(false);
        await _connection.CloseAsync(closeCode, reason).ConfigureAwait(false);
    }

    private Task<bool> SendAsync(JsonObject frame) => _connection.SendTextAsync(frame.ToJsonString());

    internal static JsonObject Event(string name, JsonNode? payload, long seq) => new()
    {
        ["type"] = "event",
        ["event"] = name,
        ["payload"] = payload,
        ["seq"] = seq,
        ["stateVersion"] = new JsonObject { ["presence"] = 0, ["health"] = seq.ToString(CultureInfo.InvariantCulture).Length },
    };
}

using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// The server's side of one connection: authentication, the handshake (hello or legacy join), then
/// turns, aborts, leave, pings and requests. Written from the contract (docs/protocol.md), independently of the client.
/// </summary>
internal sealed class ConnectionConversation
{
    private static readonly string[] Methods = { "message", "leave", "abort", "ping", "pong" };
    private static readonly string[] Events =
    {
        "response", "message", "error", "token_stream", "stream_end", "status", "aborted", "no_active_turn", "left",
    };

    /// <summary>A message without <c>content</c> is taken as empty text, as the real server's <c>data.get("content", "")</c>.</summary>
    private static readonly JsonElement EmptyContent = JsonSerializer.SerializeToElement(string.Empty);

    private readonly TestGateway _gateway;
    private readonly TestConnection _connection;
    private readonly TestGatewayOptions _options;

    public ConnectionConversation(TestGateway gateway, TestConnection connection)
    {
        _gateway = gateway;
        _connection = connection;
        _options = gateway.Options;
    }

    public async Task RunAsync()
    {
        if (!await AuthenticateAsync().ConfigureAwait(false))
        {
            return;
        }

        if (await FrameLoop.RunAsync(_gateway, _connection, HandleAsync).ConfigureAwait(false))
        {
            await DrainUntilClosedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the server closed, reads (and discards) until the client's close answer, bounded. Closing a
    /// TCP socket with unread input makes the kernel send a reset, which can destroy the close frame and
    /// the error sent just before it.
    /// </summary>
    private async Task DrainUntilClosedAsync()
    {
        var scratch = new byte[4096];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(_gateway.Stopping);
        bound.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            while (_connection.Socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await _connection.Socket.ReceiveAsync(scratch, bound.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _connection.ClientCloseStatus = result.CloseStatus;
                    return;
                }
            }
        }
        catch (Exception ex) when (TestConnection.IsConnectionFailure(ex))
        {
            // The client is gone, or never answered: either way the connection ends now.
        }
    }

    private static string? TypeOf(JsonElement frame) =>
        frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    private static long? Integer(JsonElement frame, string name) =>
        frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static string? Text(JsonElement frame, string name) =>
        frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Checks the query token (or header, when allowed); on failure sends hello_error before the client speaks, then closes with 4003.</summary>
    private async Task<bool> AuthenticateAsync()
    {
        if (_options.Token is null)
        {
            return true;
        }

        _connection.Query.TryGetValue("token", out var presented);
        if (presented is null && _options.AcceptAuthorizationHeader
            && _connection.Headers.TryGetValue("authorization", out var header) && header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            presented = header["Bearer ".Length..];
        }

        if (presented == _options.Token)
        {
            return true;
        }

        var code = presented is null ? "auth_required" : "auth_unauthorized";
        await SendAsync(new JsonObject
        {
            ["type"] = "hello_error",
            ["code"] = code,
            ["message"] = presented is null ? "A token is required" : "Invalid token",
            ["next_step"] = "reauthenticate",
            ["next"] = "reauthenticate",
        }).ConfigureAwait(false);
        await _connection.CloseAsync(4003, code).ConfigureAwait(false);
        await DrainUntilClosedAsync().ConfigureAwait(false);
        return false;
    }

    /// <summary>Handles one frame; false ends the conversation.</summary>
    private async Task<bool> HandleAsync(JsonElement frame)
    {
        var type = TypeOf(frame);
        if (_connection.Session is null)
        {
            switch (type)
            {
                case "hello" when _options.LegacyOnly:
                    if (_options.LegacyHelloBehavior == LegacyHelloBehavior.Error)
                    {
                        await SendAsync(new JsonObject { ["type"] = "error", ["message"] = "unknown message type: hello" }).ConfigureAwait(false);
                    }

                    return true;
                case "hello":
                    return await HelloAsync(frame).ConfigureAwait(false);
                case "join":
                    await JoinAsync(frame).ConfigureAwait(false);
                    return true;
                case "ping":
                    await SendAsync(new JsonObject { ["type"] = "pong" }).ConfigureAwait(false);
                    return true;
                default:
                    return true;
            }
        }

        var session = _connection.Session;
        switch (type)
        {
            case "message":
                await MessageAsync(session, frame.TryGetProperty("content", out var content) ? content.Clone() : EmptyContent).ConfigureAwait(false);
                break;
            case "abort":
                await AbortAsync(session, Text(frame, "reason") ?? "user").ConfigureAwait(false);
                break;
            case "leave":
                await SendAsync(new JsonObject { ["type"] = "left", ["session_id"] = session.Id }).ConfigureAwait(false);
                break;
            case "ping":
                await SendAsync(new JsonObject { ["type"] = "pong" }).ConfigureAwait(false);
                break;
            case "req" when _connection.Protocol >= 2 && !_connection.IsLegacy:
                _gateway.Track(() => AnswerRequestAsync(session, frame));
                break;
        }

        return true;
    }

    private async Task<bool> HelloAsync(JsonElement hello)
    {
        // PraisonAI drops the socket with 1000 when the versions are not JSON integers.
        if (Integer(hello, "protocol_min") is not { } clientMin || Integer(hello, "protocol_max") is not { } clientMax)
        {
            await _connection.CloseAsync((int)WebSocketCloseStatus.NormalClosure, "invalid hello").ConfigureAwait(false);
            return false;
        }

        if (_gateway.TryTakeHandshakeDelay(out var delay))
        {
            await Task.Delay(delay, _options.TimeProvider, _gateway.Stopping).ConfigureAwait(false);
        }

        if (_gateway.TryTakeRejection(out var rejection))
        {
            await RejectAsync(rejection!).ConfigureAwait(false);
            return rejection!.CloseCode is null;
        }

        var agentId = Text(hello, "agent_id");
        if (_options.AgentIds is { } known && (agentId is null || !known.Contains(agentId)))
        {
            await RejectAsync(new HandshakeRejection("agent_not_found", $"No agent '{agentId}'", "do_not_retry")).ConfigureAwait(false);
            return true;
        }

        var low = Math.Max(clientMin, _options.ProtocolMin);
        var high = Math.Min(clientMax, _options.ProtocolMax);
        if (low > high)
        {
            var nextStep = clientMax < _options.ProtocolMin ? "upgrade_client" : "downgrade_client";
            await SendAsync(new JsonObject
            {
                ["type"] = "hello_error",
                ["code"] = "protocol_unsupported",
                ["message"] = $"Client protocol {clientMin}..{clientMax} is not supported; server supports {_options.ProtocolMin}..{_options.ProtocolMax}",
                ["next_step"] = nextStep,
                ["next"] = nextStep,
                ["protocol_min"] = _options.ProtocolMin,
                ["protocol_max"] = _options.ProtocolMax,
            }).ConfigureAwait(false);
            return true;
        }

        var protocol = (int)high;
        var requestedId = Text(hello, "session_id");
        var since = requestedId is null ? null : Integer(hello, "since");
        await _gateway.RestartGate.WaitAsync(_gateway.Stopping).ConfigureAwait(false);
        var (session, resumed) = _gateway.ResolveSession(requestedId);
        Joined(session, resumed, Text(hello, "agent_id"));
        await session.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var ok = new JsonObject
            {
                ["type"] = "hello_ok",
                ["protocol"] = protocol,
                ["features"] = new JsonObject
                {
                    ["methods"] = new JsonArray(Methods.Concat(protocol >= 2 ? new[] { "req", "resync" } : Array.Empty<string>()).Select(m => (JsonNode?)m).ToArray()),
                    ["events"] = new JsonArray(Events.Select(e => (JsonNode?)e).ToArray()),
                },
                ["policy"] = new JsonObject
                {
                    ["max_payload"] = _options.MaxPayload,
                    ["max_buffered_bytes"] = 1024 * 1024,
                    ["max_queued_frames"] = 1000,
                    ["heartbeat_ms"] = (long)_options.HeartbeatInterval.TotalMilliseconds,
                },
                ["session_id"] = session.Id,
                ["resumed"] = resumed,
                ["cursor"] = session.Head,
            };
            if (protocol >= 2)
            {
                ok["epoch"] = session.Epoch;
                ok["oldest_cursor"] = session.OldestRetained;
                ok["snapshot"] = ServerFrames.Snapshot(session);
            }

            _gateway.HandshakeRewrite?.Invoke(ok);
            if (_gateway.HandshakePrelude is { } prelude)
            {
                await _connection.SendTextAsync(prelude).ConfigureAwait(false);
            }

            Register(session, protocol, legacy: false, since);
            await SendAsync(ok).ConfigureAwait(false);
            if (resumed && since is { } from)
            {
                foreach (var retained in session.RetainedAfter(from))
                {
                    await SendReplayAsync(retained, legacy: false).ConfigureAwait(false);
                }
            }

            Bind(session);
        }
        finally
        {
            session.Gate.Release();
            _gateway.RestartGate.Release();
        }

        return true;
    }

    private async Task JoinAsync(JsonElement join)
    {
        var clientMin = Integer(join, "min_version") ?? 1;
        var clientMax = Integer(join, "max_version") ?? clientMin;
        var low = Math.Max(clientMin, _options.ProtocolMin);
        var high = Math.Min(clientMax, _options.ProtocolMax);
        if (low > high)
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "error",
                ["code"] = "version_unsupported",
                ["message"] = $"Versions {clientMin}..{clientMax} are not supported",
                ["server_min_version"] = _options.ProtocolMin,
                ["server_max_version"] = _options.ProtocolMax,
            }).ConfigureAwait(false);
            return;
        }

        var requestedId = Text(join, "session_id");
        var since = requestedId is null ? null : Integer(join, "since");
        await _gateway.RestartGate.WaitAsync(_gateway.Stopping).ConfigureAwait(false);
        var (session, resumed) = _gateway.ResolveSession(requestedId);
        Joined(session, resumed, Text(join, "agent_id"));
        await session.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var oldest = session.OldestRetained;
            Register(session, (int)high, legacy: true, since);
            var resyncRequired = since is { } s && (!resumed || (s < session.Head && s + 1 < oldest));
            await SendAsync(new JsonObject
            {
                ["type"] = "joined",
                ["session_id"] = session.Id,
                ["agent_id"] = Text(join, "agent_id"),
                ["resumed"] = resumed,
                ["cursor"] = session.Head,
                ["oldest_cursor"] = oldest,
                ["resync_required"] = resyncRequired,
                ["sequence"] = oldest - 1,
                ["protocol_version"] = high,
                ["server_min_version"] = _options.ProtocolMin,
                ["server_max_version"] = _options.ProtocolMax,
                ["presence"] = new JsonArray(),
                ["health"] = new JsonObject { ["status"] = "healthy" },
            }).ConfigureAwait(false);

            if (resyncRequired)
            {
                await SendAsync(new JsonObject { ["type"] = "snapshot", ["state"] = ServerFrames.Snapshot(session) }).ConfigureAwait(false);
            }
            else if (resumed && since is { } from)
            {
                foreach (var retained in session.RetainedAfter(from))
                {
                    await SendReplayAsync(retained, legacy: true).ConfigureAwait(false);
                }
            }

            Bind(session);
        }
        finally
        {
            session.Gate.Release();
            _gateway.RestartGate.Release();
        }
    }

    /// <summary>
    /// Counts the handshake as accepted before its answer goes out: a client that acts the moment it
    /// reads the answer finds its connection among the gateway's handshakes (a drain notice reaches it).
    /// </summary>
    private void Register(TestSession session, int protocol, bool legacy, long? since)
    {
        _connection.Protocol = protocol;
        _connection.IsLegacy = legacy;
        _connection.ResumedFrom = since;
        _connection.Session = session;
        _gateway.OnHandshake(_connection);
    }

    /// <summary>After the answer and its replay: live events flow, and notices that wait for the answer go out.</summary>
    private void Bind(TestSession session)
    {
        session.Bind(_connection);
        _connection.HandshakeAnswered.TrySetResult();
    }

    private async Task RejectAsync(HandshakeRejection rejection)
    {
        var frame = new JsonObject
        {
            ["type"] = "hello_error",
            ["code"] = rejection.Code,
            ["message"] = rejection.Message,
        };
        if (rejection.NextStep is { } next)
        {
            frame["next_step"] = next;
            frame["next"] = next;
        }

        if (rejection.RetryAfterSeconds is { } retry)
        {
            frame["retry_after_seconds"] = retry;
        }

        await SendAsync(frame).ConfigureAwait(false);
        if (rejection.CloseCode is { } code)
        {
            await _connection.CloseAsync(code, rejection.Code).ConfigureAwait(false);
        }
    }

    /// <summary>A session joined: remember its agent, and see whether a resume finds its turn orphaned (the session is then wedged).</summary>
    private void Joined(TestSession session, bool resumed, string? agentId)
    {
        session.AgentId ??= agentId;
        if (resumed)
        {
            session.Turns.OnResumed(_connection);
        }
    }

    /// <summary>
    /// A user message, as the real server takes it (<c>_process_agent_message</c>): <c>stop</c> aborts; otherwise it is recorded and
    /// answered <c>response</c> <c>accepted</c> "Started processing." when no turn runs (the turn then starts), or, while one runs
    /// (or for ever once the session is wedged), an unnumbered <c>status</c> and <c>accepted</c> "Message queued.".
    /// </summary>
    private async Task MessageAsync(TestSession session, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String && content.GetString()!.Trim().ToLowerInvariant() is "stop" or "/stop")
        {
            await AbortAsync(session, "user").ConfigureAwait(false);
            return;
        }

        session.AddMessage("user", content.ValueKind == JsonValueKind.String ? content.GetString()! : content.GetRawText());
        var admission = session.Turns.Admit(content, _connection);
        if (admission != PraisonAITurnQueue.Admission.Started)
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "status",
                ["source"] = session.AgentId,
                ["message"] = "Thinking... (I've added your new message to the queue to process next).",
            }).ConfigureAwait(false);
        }

        // Numbered before the runner starts, so the acceptance always precedes the turn's first stream event.
        await session.PublishToAsync(_connection, "response", new JsonObject
        {
            ["status"] = "accepted",
            ["content"] = admission == PraisonAITurnQueue.Admission.Started ? "Started processing." : "Message queued.",
        }, EnvelopeShape.Flat).ConfigureAwait(false);
        if (admission == PraisonAITurnQueue.Admission.Started)
        {
            var connection = _connection;
            _gateway.Track(() => PraisonAITurnRunner.RunQueueAsync(_gateway, session, connection));
        }
    }

    /// <summary>
    /// <c>abort</c> (or <c>stop</c>): <c>aborted</c> when a turn runs, else <c>no_active_turn</c>. The answer goes out before the
    /// turn is cancelled, so it precedes the turn's final ("Turn cancelled: reason.", outcome ok, as the real server sends).
    /// The <c>reason</c> field is this gateway's addition (the real frame has only <c>type</c> and <c>session_id</c>).
    /// </summary>
    private async Task AbortAsync(TestSession session, string reason)
    {
        var active = session.Turns.TryAbort(reason);
        var answer = new JsonObject { ["type"] = active is null ? "no_active_turn" : "aborted", ["session_id"] = session.Id };
        if (active is not null)
        {
            answer["reason"] = reason;
        }

        await SendAsync(answer).ConfigureAwait(false);
        try
        {
            active?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The turn finished in the meantime.
        }
    }

    private async Task AnswerRequestAsync(TestSession session, JsonElement request)
    {
        var id = Text(request, "id");
        var method = Text(request, "method") ?? string.Empty;
        var parameters = request.TryGetProperty("params", out var p) ? p : default;
        JsonObject response;
        try
        {
            JsonNode? result;
            if (method == "resync")
            {
                result = new JsonObject { ["snapshot"] = ServerFrames.Snapshot(session), ["cursor"] = session.Head, ["epoch"] = session.Epoch };
            }
            else if (_gateway.FindMethod(method) is { } handler)
            {
                result = await handler(parameters, _gateway.Stopping).ConfigureAwait(false);
            }
            else
            {
                throw new TestGatewayMethodException("unknown_method", $"Unknown method '{method}'");
            }

            response = new JsonObject { ["type"] = "res", ["id"] = id, ["ok"] = true, ["result"] = result };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var (code, message) = TestGatewayMethodException.AnswerFor(ex, "internal_error");
            response = new JsonObject
            {
                ["type"] = "res",
                ["id"] = id,
                ["ok"] = false,
                ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
            };
        }

        await SendAsync(response).ConfigureAwait(false);
    }

    private Task<bool> SendAsync(JsonObject frame) => _connection.SendTextAsync(frame.ToJsonString());

    private Task<bool> SendReplayAsync(RetainedEvent retained, bool legacy)
    {
        var frame = ServerFrames.Replay(retained, legacy).ToJsonString();
        return retained.Undecodable ? _connection.SendUtf8TextAsync(ServerFrames.WithInvalidUtf8(frame)) : _connection.SendTextAsync(frame);
    }
}

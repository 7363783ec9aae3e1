using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// OpenClaw mode: the gateway's chat (<c>chat.send</c>, <c>chat.abort</c>, <c>chat.history</c>), as gateway 2026.9.6 answers them:
/// runs keyed by their idempotency key (a key runs the agent once, ever: a repeat is answered from the run), each session's
/// transcript, and who may abort what. Session keys are canonical (<c>x</c> → <c>agent:main:x</c>).
/// </summary>
internal sealed class OpenClawChat(TestGateway gateway)
{
    private readonly Dictionary<string, OpenClawRun> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AwaitableList<TestChatMessage>> _transcripts = new(StringComparer.Ordinal);

    /// <summary>The canonical session key: one already scoped to an agent (<c>agent:…</c>) as is, any other under the default agent.</summary>
    public static string Canonical(string sessionKey) =>
        sessionKey.StartsWith("agent:", StringComparison.Ordinal) ? sessionKey : $"agent:main:{sessionKey}";

    /// <summary>
    /// <c>chat.send</c>: the answer, and the run to start once it has gone out (null for a repeat, which never runs the agent again).
    /// </summary>
    public (JsonObject Answer, OpenClawRun? Start) Send(JsonElement parameters, TestConnection sender)
    {
        var sessionKey = Required(parameters, "sessionKey", "chat.send");
        var message = Required(parameters, "message", "chat.send");
        var key = Required(parameters, "idempotencyKey", "chat.send");
        var canonical = Canonical(sessionKey);
        lock (_runs)
        {
            if (_runs.TryGetValue(key, out var earlier))
            {
                if (earlier.Message != message || earlier.SessionKey != canonical)
                {
                    throw new TestGatewayMethodException(
                        "INVALID_REQUEST",
                        "This message ID was already used for different input. Check the conversation history and use a new message ID to send again.")
                    {
                        Details = new JsonObject { ["reason"] = "chat-request-conflict" },
                    };
                }

                return (earlier.RepeatAnswer(), null);
            }

            var run = new OpenClawRun(gateway, this, key, canonical, message, sender.ConnectionId);
            _runs[key] = run;
            Record(canonical, "user", message);
            return (new JsonObject { ["runId"] = key, ["status"] = "started" }, run);
        }
    }

    /// <summary>
    /// <c>chat.abort {sessionKey, runId?}</c>: the named run (or, without <c>runId</c>, every running run of the session) ends
    /// <c>aborted</c>, if the requester sent it or is an admin; another connection is refused <c>unauthorized</c>.
    /// </summary>
    public async Task<JsonObject> AbortAsync(JsonElement parameters, TestConnection requester, bool isAdmin)
    {
        var canonical = Canonical(Required(parameters, "sessionKey", "chat.abort"));
        var runId = parameters.TryGetProperty("runId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        List<OpenClawRun> targets;
        lock (_runs)
        {
            targets = runId is null
                ? _runs.Values.Where(x => x.SessionKey == canonical && x.State == OpenClawRun.RunState.Running && (isAdmin || x.Owner == requester.ConnectionId)).ToList()
                : _runs.TryGetValue(runId, out var run) && run.State == OpenClawRun.RunState.Running ? new List<OpenClawRun> { run } : new List<OpenClawRun>();
        }

        if (runId is not null && targets.Count == 1)
        {
            if (targets[0].SessionKey != canonical)
            {
                throw new TestGatewayMethodException("INVALID_REQUEST", "runId does not match sessionKey");
            }

            if (!isAdmin && targets[0].Owner != requester.ConnectionId)
            {
                throw new TestGatewayMethodException("INVALID_REQUEST", "unauthorized");
            }
        }

        var aborted = new JsonArray();
        foreach (var target in targets)
        {
            if (await target.AbortAsync().ConfigureAwait(false))
            {
                aborted.Add(target.RunId);
            }
        }

        return new JsonObject { ["ok"] = true, ["aborted"] = aborted.Count > 0, ["runIds"] = aborted };
    }

    /// <summary><c>chat.history {sessionKey}</c>: the transcript, whether a run is active, and the newest active run's text so far.</summary>
    public JsonObject History(JsonElement parameters)
    {
        var canonical = Canonical(Required(parameters, "sessionKey", "chat.history"));
        var messages = new JsonArray();
        OpenClawRun? inFlight;
        lock (_runs)
        {
            if (_transcripts.TryGetValue(canonical, out var transcript))
            {
                foreach (var message in transcript.Snapshot())
                {
                    messages.Add(new JsonObject
                    {
                        ["role"] = message.Role,
                        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = message.Text }),
                        ["timestamp"] = message.Timestamp.ToUnixTimeMilliseconds(),
                    });
                }
            }

            inFlight = _runs.Values.Where(x => x.SessionKey == canonical && x.State == OpenClawRun.RunState.Running).MaxBy(x => x.StartedAt);
        }

        var sessionInfo = new JsonObject { ["key"] = canonical, ["hasActiveRun"] = inFlight is not null };
        var answer = new JsonObject { ["sessionKey"] = canonical, ["messages"] = messages, ["sessionInfo"] = sessionInfo };
        if (inFlight is not null)
        {
            sessionInfo["status"] = "running";
            answer["inFlightRun"] = new JsonObject { ["runId"] = inFlight.RunId, ["text"] = inFlight.Text, ["startedAt"] = inFlight.StartedAt };
        }

        return answer;
    }

    /// <summary>The run with that id (its idempotency key), if any.</summary>
    public OpenClawRun? FindRun(string runId)
    {
        lock (_runs)
        {
            return _runs.TryGetValue(runId, out var run) ? run : null;
        }
    }

    /// <summary>A session's transcript, oldest first.</summary>
    public IReadOnlyList<TestChatMessage> Transcript(string sessionKey) => TranscriptOf(Canonical(sessionKey)).Snapshot();

    /// <summary>Waits for the <paramref name="ordinal"/>-th message of a session's transcript.</summary>
    public Task<TestChatMessage> WaitForMessageAsync(string sessionKey, int ordinal, CancellationToken cancellationToken) =>
        TranscriptOf(Canonical(sessionKey)).WaitForCountAsync(ordinal, cancellationToken);

    public void Record(string canonicalKey, string role, string text) =>
        TranscriptOf(canonicalKey).Add(new TestChatMessage(role, text, gateway.Options.TimeProvider.GetUtcNow()));

    private AwaitableList<TestChatMessage> TranscriptOf(string canonicalKey)
    {
        lock (_runs)
        {
            if (!_transcripts.TryGetValue(canonicalKey, out var transcript))
            {
                _transcripts[canonicalKey] = transcript = new AwaitableList<TestChatMessage>();
            }

            return transcript;
        }
    }

    /// <summary>A required string parameter; a missing one is refused as the real schema check words it.</summary>
    private static string Required(JsonElement parameters, string name, string method) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new TestGatewayMethodException("INVALID_REQUEST", $"invalid {method} params: must have required property '{name}'");
}

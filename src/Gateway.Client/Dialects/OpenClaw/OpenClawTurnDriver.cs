using System.Text;
using System.Text.Json;
using Gateway.Client.Engine;
using Gateway.Client.OpenClaw;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.OpenClaw;

/// <summary>
/// Turns as OpenClaw runs them: <c>chat.send</c> with an idempotency key that is also the run id, then <c>chat</c> and
/// <c>agent</c> events naming the run. A run survives its sender's disconnect, so a dropped turn goes on over the next
/// connection: <c>chat.send</c> again with the same key (never a second run) says whether it still runs, and a run that
/// ended meanwhile is read back from <c>chat.history</c>. Text is taken from the whole text each delta carries, never by
/// the per-run number (the last delta and the final share one), so no piece is delivered twice and none is lost.
/// </summary>
internal sealed class OpenClawTurnDriver : ITurnDriver
{
    public async Task StartAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var key = run.Settings.IdempotencyKey ?? Guid.NewGuid().ToString("N");
        services.Router.Locked(() =>
        {
            // Sent from here on: a connection that ends before the answer leaves a run to pick up (the key makes that safe).
            run.TurnId = key;
            run.Sent = true;
            run.SentOn = services.LiveConnection;
            run.SessionId = run.Settings.SessionKey;
        });
        var answer = await SendAsync(services, run, cancellationToken).ConfigureAwait(false);
        await OnAnswerAsync(services, run, answer, resumed: false, cancellationToken).ConfigureAwait(false);
    }

    public void OnEvent(TurnRouter router, IReadOnlyList<TurnRun> runs, GatewayEvent e)
    {
        if (e.Type is not (OpenClawEventTypes.Chat or OpenClawEventTypes.Agent) || e.Data.ValueKind != JsonValueKind.Object
            || Text(e.Data, "runId") is not { } runId || Find(runs, runId) is not { } run)
        {
            return;
        }

        if (e.Type == OpenClawEventTypes.Chat)
        {
            OnChat(router, run, e);
        }
        else
        {
            OnAgent(router, run, e);
        }
    }

    public void OnConnectionEnded(TurnRouter router, IReadOnlyList<TurnRun> runs, object connection)
    {
        // A run goes on at the gateway; the next connection picks it up.
        foreach (var run in runs)
        {
            if (run is { Ended: false, Sent: true })
            {
                run.AwaitingConnection = true;
            }
        }
    }

    public void OnRunEnded()
    {
        // Nothing kept: runs are found by their id.
    }

    public async Task OnReconnectedAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        JsonElement answer;
        try
        {
            answer = await SendAsync(services, run, cancellationToken).ConfigureAwait(false);
        }
        catch (GatewayConnectionException) when (!cancellationToken.IsCancellationRequested)
        {
            // This connection ended too before the gateway answered: the run survives that as well, and the next
            // connection asks again (the client's run ending ends the turn, Lost, on its own).
            services.Router.Locked(() => run.AwaitingConnection = !run.Ended);
            return;
        }

        await OnAnswerAsync(services, run, answer, resumed: true, cancellationToken).ConfigureAwait(false);
    }

    public Task OnStuckAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnTimedOut(TurnRun run)
    {
        // Nothing is matched by order here: a turn that timed out leaves nothing behind for the next one.
    }

    public async Task AbortAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        // The run id is the key, known before chat.send is answered: an abort may overtake the answer (a run that has not
        // started is not found, and aborts nothing).
        var runId = services.Router.Locked(() => run.TurnId);
        if (runId is null)
        {
            return;
        }

        // From another connection than the sender's the gateway refuses this without operator.admin: best effort.
        await services.Client.RequestAsync("chat.abort", JsonObjectBuilder.Build(w =>
        {
            w.WriteString("sessionKey", run.Settings.SessionKey);
            w.WriteString("runId", runId);
        }), cancellationToken).ConfigureAwait(false);
    }

    private static Task<JsonElement> SendAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var parameters = JsonObjectBuilder.Build(w =>
        {
            w.WriteString("sessionKey", run.Settings.SessionKey);
            w.WriteString("message", run.Message);
        });
        var options = new OpenClawRequestOptions { IdempotencyKey = run.TurnId, Timeout = run.Settings.AcceptTimeout };
        return services.Client.RequestAsync("chat.send", parameters, options, cancellationToken);
    }

    private static async Task OnAnswerAsync(TurnServices services, TurnRun run, JsonElement answer, bool resumed, CancellationToken cancellationToken)
    {
        var status = answer.ValueKind == JsonValueKind.Object ? Text(answer, "status") : null;
        var router = services.Router;
        switch (status)
        {
            case "timeout":
                router.TryEnd(run, () => Resume(run, resumed).Final(GatewayTurnStatus.Cancelled, reason: "the run was aborted (" + (Text(answer, "summary") ?? "timeout") + ")"));
                return;
            case "error":
                router.TryEnd(run, () => Resume(run, resumed).Final(GatewayTurnStatus.Failed, errorMessage: Text(answer, "summary") ?? "the run ended in an error"));
                return;
            case "ok":
                // The run ended while no connection saw its final: read the answer back from the session's history.
                var text = await FinalTextAsync(services, run, cancellationToken).ConfigureAwait(false);
                router.Locked(() =>
                {
                    if (!run.Ended)
                    {
                        Resume(run, resumed);
                        EnsureAccepted(router, run, status);
                        TopUp(router, run, text, null);
                        router.TryEnd(run, () => run.Final(GatewayTurnStatus.Completed, text ?? run.Text.ToString(), reason: text is null ? "the run had ended; its answer could not be read back from chat.history" : null));
                    }
                });
                return;
            default:
                router.Locked(() =>
                {
                    if (run.Ended)
                    {
                        return;
                    }

                    // in_flight after a reconnect: the run goes on (the router said so when the connection came).
                    EnsureAccepted(router, run, status);
                });
                return;
        }
    }

    private static TurnRun Resume(TurnRun run, bool resumed)
    {
        run.Resumed |= resumed;
        return run;
    }

    private static async Task<string?> FinalTextAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var history = await services.Client.RequestAsync("chat.history", JsonObjectBuilder.Build(w => w.WriteString("sessionKey", run.Settings.SessionKey)), cancellationToken).ConfigureAwait(false);
        if (history.ValueKind != JsonValueKind.Object || !history.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        string? last = null;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || Text(message, "role") != "assistant")
            {
                continue;
            }

            var text = MessageText(message);
            if (message.TryGetProperty("__openclaw", out var meta) && meta.ValueKind == JsonValueKind.Object && Text(meta, "runId") == run.TurnId)
            {
                return text;
            }

            last = text ?? last;
        }

        return last;
    }

    private static void OnChat(TurnRouter router, TurnRun run, GatewayEvent e)
    {
        var payload = e.Data;
        switch (Text(payload, "state"))
        {
            case "delta":
                var whole = payload.TryGetProperty("message", out var m) ? MessageText(m) : null;
                if (whole is null && Text(payload, "deltaText") is { } piece)
                {
                    whole = payload.TryGetProperty("replace", out var r) && r.ValueKind == JsonValueKind.True ? piece : run.Text + piece;
                }

                EnsureAccepted(router, run, null);
                if (!TopUp(router, run, whole, e))
                {
                    router.Touch(run);
                }

                break;
            case "final":
                var final = payload.TryGetProperty("message", out var fm) ? MessageText(fm) : null;
                TopUp(router, run, final, e);
                router.TryEnd(run, () => run.Final(GatewayTurnStatus.Completed, final ?? run.Text.ToString(), e));
                break;
            case "error":
                router.TryEnd(run, () => run.Final(GatewayTurnStatus.Failed, null, e, Text(payload, "errorKind"), Text(payload, "errorMessage") ?? "the run ended in an error"));
                break;
            case "aborted":
                router.TryEnd(run, () => run.Final(GatewayTurnStatus.Cancelled, null, e, reason: run.AbortRequested ? "aborted at the caller's request" : "the run was aborted" + (Text(payload, "errorMessage") is { } why ? ": " + why : string.Empty)));
                break;
            case "status":
                EnsureAccepted(router, run, null);
                router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, Text(payload, "phase") ?? "status", e, turnId: run.TurnId));
                break;
            default:
                router.Touch(run);
                break;
        }
    }

    private static void OnAgent(TurnRouter router, TurnRun run, GatewayEvent e)
    {
        var payload = e.Data;
        var data = payload.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        EnsureAccepted(router, run, null);
        switch (Text(payload, "stream"))
        {
            case "thinking" when data.ValueKind == JsonValueKind.Object:
                var reasoning = Text(data, "text") is { } so && so.StartsWith(run.Reasoning.ToString(), StringComparison.Ordinal) && so.Length > run.Reasoning.Length
                    ? so.Substring(run.Reasoning.Length)
                    : Text(data, "delta");
                if (!string.IsNullOrEmpty(reasoning))
                {
                    run.Reasoning.Append(reasoning);
                    router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.ReasoningDelta, reasoning, e, turnId: run.TurnId));
                }
                else
                {
                    router.Touch(run);
                }

                break;
            case "tool" when data.ValueKind == JsonValueKind.Object:
                var phase = Text(data, "phase");
                if (phase is "start" or "result")
                {
                    var result = phase == "result";
                    JsonElement? args = data.TryGetProperty("args", out var a) && a.ValueKind != JsonValueKind.Null ? a.Clone() : null;
                    JsonElement? value = result && data.TryGetProperty("result", out var v) ? v.Clone() : null;
                    var isError = data.TryGetProperty("isError", out var ie) && ie.ValueKind == JsonValueKind.True;
                    var call = new GatewayTurnToolCall(Text(data, "toolCallId"), Text(data, "name") ?? string.Empty, args, value, isError);
                    router.Post(run, new GatewayTurnUpdate(result ? GatewayTurnUpdateKind.ToolResult : GatewayTurnUpdateKind.ToolCall, null, e, call, turnId: run.TurnId));
                }
                else
                {
                    router.Touch(run);
                }

                break;
            default:
                // lifecycle, assistant (its text comes again as chat deltas), usage: the run is alive.
                router.Touch(run);
                break;
        }
    }

    /// <summary>Delivers what <paramref name="whole"/> (the whole text so far) adds to what was delivered; false when nothing.</summary>
    private static bool TopUp(TurnRouter router, TurnRun run, string? whole, GatewayEvent? e)
    {
        if (whole is null)
        {
            return false;
        }

        if (!StartsWith(whole, run.Text))
        {
            // The gateway rewrote the text already delivered (a replacing delta): what was delivered cannot be taken back.
            // Said at once, and again in the outcome; the deltas go on from the new text, and the final has the whole answer.
            run.Rewritten = true;
            run.Text.Clear().Append(whole);
            router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, "The agent rewrote its answer so far; the final update has the whole answer.", e, turnId: run.TurnId));
            return true;
        }

        var delivered = run.Text.Length;
        if (whole.Length <= delivered)
        {
            return false;
        }

        var piece = whole.Substring(delivered);
        run.Text.Append(piece);
        router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.TextDelta, piece, e, turnId: run.TurnId));
        return true;
    }

    private static bool StartsWith(string whole, StringBuilder prefix)
    {
        if (whole.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (whole[i] != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first sign the gateway took the run (the answer to chat.send, or an event that got here first): one Accepted update.</summary>
    private static void EnsureAccepted(TurnRouter router, TurnRun run, string? status)
    {
        if (!run.Accepted)
        {
            run.Accepted = true;
            router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Accepted, status, turnId: run.TurnId));
        }
    }

    private static TurnRun? Find(IReadOnlyList<TurnRun> runs, string runId)
    {
        foreach (var run in runs)
        {
            if (!run.Ended && run.TurnId == runId)
            {
                return run;
            }
        }

        return null;
    }

    /// <summary>The text of a chat message: its <c>content</c> string, or its text parts joined.</summary>
    private static string? MessageText(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content))
        {
            return null;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && Text(part, "type") == "text" && Text(part, "text") is { } piece)
            {
                text.Append(piece);
            }
        }

        return text.ToString();
    }


    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

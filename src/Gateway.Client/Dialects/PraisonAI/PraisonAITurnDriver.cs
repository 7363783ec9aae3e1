using System.Text.Json;
using Gateway.Client.Engine;
using Gateway.Client.PraisonAI;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>
/// Turns as the PraisonAI gateway runs them: a <c>message</c> frame with no turn id, answered by order within the
/// session (<c>response</c> accepted, the stream events, <c>response</c> final). A turn's frames follow the socket that
/// sent it, so a drop loses the rest of the turn for good, and the session it ran in cannot run another one (the
/// server restores its "a turn is running" flag and never restarts the queue): the next turn moves to a new session.
/// </summary>
internal sealed class PraisonAITurnDriver : ITurnDriver
{
    private const string Queued = "Message queued.";

    private readonly SemaphoreSlim _order = new(1, 1);
    private readonly HashSet<string> _stuck = new(StringComparer.Ordinal); // under the router's lock

    public async Task StartAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        await MoveOffStuckSessionAsync(services, run, cancellationToken).ConfigureAwait(false);
        await SendAsync(services, run, cancellationToken).ConfigureAwait(false);
    }

    public void OnEvent(TurnRouter router, IReadOnlyList<TurnRun> runs, GatewayEvent e)
    {
        // A replayed frame belongs to a turn of an earlier connection, and those ended with it.
        if (e.IsReplay)
        {
            return;
        }

        var session = e.Context.SessionId;
        switch (e.Type)
        {
            case PraisonAIEventTypes.Response:
                OnResponse(router, runs, e, session);
                break;
            case "aborted":
                if (Running(runs, session) is { } aborted)
                {
                    router.TryEnd(aborted, () => aborted.Final(GatewayTurnStatus.Cancelled, @event: e, reason: aborted.AbortRequested ? "aborted at the caller's request" : "the gateway aborted the turn (" + (Text(e, "reason") ?? "no reason given") + ")"));
                }

                break;
            case "error":
                if (Waiting(runs, session) is { } refused)
                {
                    router.TryEnd(refused, () => refused.Final(GatewayTurnStatus.Failed, @event: e, errorCode: Text(e, "code"), errorMessage: Text(e, "message") ?? e.Data.GetRawText()));
                    router.Release(refused);
                }

                break;
            default:
                if (Running(runs, session) is { Ended: false } run && UpdateFor(e) is { } update)
                {
                    // (A turn the client ended that the server still runs takes its own frames: they go nowhere.)
                    run.QueuedAlone = false;
                    if (update.Kind == GatewayTurnUpdateKind.TextDelta)
                    {
                        run.Text.Append(update.Text);
                    }

                    if (update.Kind == GatewayTurnUpdateKind.Status && update.Text is null)
                    {
                        router.Touch(run); // stream_end: the final follows
                    }
                    else
                    {
                        router.Post(run, update);
                    }
                }

                break;
        }
    }

    public void OnConnectionEnded(TurnRouter router, TurnRun run, object connection)
    {
        if (!run.Sent || !ReferenceEquals(run.SentOn, connection))
        {
            return;
        }

        // The rest of this turn goes to the socket that sent it, which is gone: it will never arrive. The session was
        // running it, so it cannot run another turn (that holds for a turn the client had already ended, too).
        if (run.SessionId is { } session)
        {
            _stuck.Add(session);
        }

        if (run.Ended)
        {
            router.Release(run);
            return;
        }

        run.Ended = true;
        run.Owed = false;

        run.Queue.Post(TurnItem.For(run.Final(
            GatewayTurnStatus.Lost,
            reason: run.Accepted
                ? "the connection dropped in the middle of the turn, and PraisonAI sends the rest of a turn only to the socket that sent it"
                : "the connection dropped before the gateway took the message; it may or may not have run",
            answerLocation: TurnRouter.AnswerLocationOf(run))));
    }

    public Task OnReconnectedAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task OnStuckAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var session = services.Router.Locked(() =>
        {
            if (run.Ended || run.SessionId is null)
            {
                return null;
            }

            _stuck.Add(run.SessionId);
            run.Sent = false; // it never ran there, and never will: it is sent again in the new session
            run.Owed = false;
            run.Accepted = false;
            return run.SessionId;
        });
        if (session is null)
        {
            return;
        }

        var why = $"the gateway queued the message behind a turn that never ends (nothing followed within {run.Settings.QueuedTimeout})";
        if (!run.Settings.NewSessionWhenStuck)
        {
            services.Router.TryEnd(run, () => run.Final(GatewayTurnStatus.Failed, reason: $"session {session} is stuck: {why}; GatewayTurnOptions.NewSessionWhenStuck is off"));
            return;
        }

        services.Router.Locked(() => services.Router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, $"Session {session} is stuck ({why}); going on in a new session.")));
        await services.Supervisor.SwitchSessionAsync(session, why, cancellationToken).ConfigureAwait(false);
        await SendAsync(services, run, cancellationToken).ConfigureAwait(false);
    }

    public async Task AbortAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        // An abort stops the session's running turn: only worth sending when that is this one, on the connection it runs on.
        var running = services.Router.Locked(() => run.Sent && run.Accepted && !services.Router.HasEarlierUnfinished(run) && ReferenceEquals(run.SentOn, services.LiveConnection));
        if (!running)
        {
            return;
        }

        using var output = new PooledBufferWriter();
        PraisonAIFrameWriter.WriteAbort(output, "user");
        await services.Supervisor.SendAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async Task MoveOffStuckSessionAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var session = services.Session?.SessionId;
        var stuck = session is not null && services.Router.Locked(() => _stuck.Contains(session));
        if (!stuck)
        {
            return;
        }

        const string Why = "a turn there was lost to a dropped connection, and PraisonAI never runs another turn in such a session";
        if (!run.Settings.NewSessionWhenStuck)
        {
            throw new TurnRefusedException($"session {session} cannot run another turn: {Why}; GatewayTurnOptions.NewSessionWhenStuck is off");
        }

        await services.Supervisor.SwitchSessionAsync(session!, Why, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        using var output = new PooledBufferWriter();
        PraisonAIFrameWriter.WriteMessage(output, run.Message);

        // One turn written at a time: the order of the writes is the order answers are matched in.
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            services.Router.Locked(() =>
            {
                run.SessionId = services.Session?.SessionId;
                run.SentOn = services.LiveConnection;
                run.Sent = true;
                run.Owed = true; // the server answers every message in order: this one holds its place until its final
            });
            await services.Supervisor.SendAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            services.Router.Locked(() =>
            {
                // Written: on the connection (and in the session) that is live now, which a reconnect during the wait may have changed.
                run.SessionId = services.Session?.SessionId ?? run.SessionId;
                run.SentOn = services.LiveConnection ?? run.SentOn;
            });
        }
        catch
        {
            services.Router.Locked(() => run.Sent = run.Owed = false);
            throw;
        }
        finally
        {
            _order.Release();
        }
    }

    private static void OnResponse(TurnRouter router, IReadOnlyList<TurnRun> runs, GatewayEvent e, string? session)
    {
        var status = Text(e, "status");
        var content = Text(e, "content");
        if (status == "accepted")
        {
            if (Waiting(runs, session) is { } run)
            {
                run.Accepted = true;
                if (run.Ended)
                {
                    return; // a turn the client ended before the server took it: it runs all the same
                }

                if (content == Queued && !router.HasEarlierUnfinished(run))
                {
                    // Queued behind nothing of ours: a turn the server thinks is running. If nothing follows, the session is stuck.
                    run.QueuedAlone = true;
                    run.QueuedAt = router.Time.GetTimestamp();
                }

                router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Accepted, content, e));
            }

            return;
        }

        if (status != "final" || First(runs, session, r => r.Sent) is not { } ended)
        {
            return;
        }

        if (ended.Ended)
        {
            // The final of a turn the client ended (cancelled, timed out) while the server ran it: it is not the next turn's.
            router.Release(ended);
            return;
        }

        var outcome = e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.Object
            ? Text(o, "status")
            : Text(e, "outcome");
        var text = content ?? ended.Text.ToString();
        router.TryEnd(ended, () => outcome switch
        {
            "rejected" => ended.Final(GatewayTurnStatus.Rejected, text, e, errorMessage: content),
            "error" => ended.Final(GatewayTurnStatus.Failed, text, e, errorMessage: content),
            _ => ended.Final(GatewayTurnStatus.Completed, text, e),
        });
        router.Release(ended);
    }

    private static GatewayTurnUpdate? UpdateFor(GatewayEvent e) => e.Type switch
    {
        PraisonAIEventTypes.TokenStream => Delta(GatewayTurnUpdateKind.TextDelta, e),
        "reasoning_stream" => Delta(GatewayTurnUpdateKind.ReasoningDelta, e),
        "tool_call_stream" => new GatewayTurnUpdate(GatewayTurnUpdateKind.ToolCall, null, e, ToolCallOf(e, result: false)),
        "tool_result_stream" => new GatewayTurnUpdate(GatewayTurnUpdateKind.ToolResult, null, e, ToolCallOf(e, result: true)),
        "tool_progress_stream" or "retry_stream" or "model_fallback_stream" or "todo_stream" => new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, Text(e, "content") ?? e.Type, e),
        "stream_error" => new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, "stream error: " + (Text(e, "error") ?? "unknown"), e),
        PraisonAIEventTypes.StreamEnd => new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, null, e),
        _ => null,
    };

    private static GatewayTurnUpdate? Delta(GatewayTurnUpdateKind kind, GatewayEvent e) =>
        Text(e, "content") is { Length: > 0 } text ? new GatewayTurnUpdate(kind, text, e) : null;

    private static GatewayTurnToolCall ToolCallOf(GatewayEvent e, bool result)
    {
        var call = e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("tool_call", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        if (call.ValueKind != JsonValueKind.Object)
        {
            return new GatewayTurnToolCall(null, string.Empty, null, null, false);
        }

        var name = Text(call, "name") ?? (call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? Text(f, "name") : null);
        JsonElement? arguments = call.TryGetProperty("arguments", out var a) && a.ValueKind != JsonValueKind.Null ? a.Clone() : null;
        JsonElement? value = result && call.TryGetProperty("result", out var r) && r.ValueKind != JsonValueKind.Null ? r.Clone() : null;
        return new GatewayTurnToolCall(Text(call, "id"), name ?? string.Empty, arguments, value, false);
    }

    /// <summary>The oldest turn of the session the server has not taken yet (one the client ended included: the server answers it all the same).</summary>
    private static TurnRun? Waiting(IReadOnlyList<TurnRun> runs, string? session) => First(runs, session, r => r.Sent && !r.Accepted);

    /// <summary>The oldest taken, unfinished turn of the session: the one the server runs now.</summary>
    private static TurnRun? Running(IReadOnlyList<TurnRun> runs, string? session) => First(runs, session, r => r.Sent && r.Accepted);

    private static TurnRun? First(IReadOnlyList<TurnRun> runs, string? session, Func<TurnRun, bool> test)
    {
        foreach (var run in runs)
        {
            if ((!run.Ended || run.Owed) && run.SessionId == session && test(run))
            {
                return run;
            }
        }

        return null;
    }

    private static string? Text(GatewayEvent e, string name) =>
        (e.Data.ValueKind == JsonValueKind.Object ? Text(e.Data, name) : null) ?? (e.Frame.ValueKind == JsonValueKind.Object ? Text(e.Frame, name) : null);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

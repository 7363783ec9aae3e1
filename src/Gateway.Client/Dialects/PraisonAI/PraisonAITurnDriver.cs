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
    private const string Cancelled = "Turn cancelled";

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly HashSet<string> _stuck = new(StringComparer.Ordinal); // under the router's lock

    // The turns the gateway holds, in the order they were written (under the router's lock). A turn the client ended
    // itself (cancelled, timed out) stays here until the gateway's final for it, or its connection's end: the gateway
    // still answers it in its place in the order, and those answers must not be taken for the next turn's.
    private readonly List<TurnRun> _order = new();

    public async Task StartAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        await MoveOffStuckSessionAsync(services, run, cancellationToken).ConfigureAwait(false);
        await SendAsync(services, run, cancellationToken).ConfigureAwait(false);
    }

    public void OnEvent(TurnRouter router, IReadOnlyList<TurnRun> runs, GatewayEvent e) => OnEvent(router, e);

    private void OnEvent(TurnRouter router, GatewayEvent e)
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
                OnResponse(router, e, session);
                break;
            case "aborted":
                // The gateway's final for the aborted turn ("Turn cancelled: …") follows: the turn keeps its place until then.
                if (Running(session) is { } aborted)
                {
                    router.TryEnd(aborted, () => aborted.Final(GatewayTurnStatus.Cancelled, @event: e, reason: aborted.AbortRequested ? "aborted at the caller's request" : "the gateway aborted the turn"));
                }

                break;
            case "error":
                // An error before acceptance answers the oldest message the gateway has not taken; it never will now.
                if (Waiting(session) is { } refused)
                {
                    _order.Remove(refused);
                    router.TryEnd(refused, () => refused.Final(GatewayTurnStatus.Failed, @event: e, errorCode: Text(e, "code"), errorMessage: Text(e, "message") ?? e.Data.GetRawText()));
                }

                break;
            default:
                if (Running(session) is { Ended: false } run && UpdateFor(e) is { } update)
                {
                    run.QueuedAlone = false;
                    run.Started = true;
                    if (!run.Accepted)
                    {
                        // A queue already running may start the message before its "accepted" answer goes out: the turn is
                        // taken all the same, and its acceptance comes first here (the answer, when it comes, only says so again).
                        run.Accepted = true;
                        router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Accepted));
                    }

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

    public void OnConnectionEnded(TurnRouter router, IReadOnlyList<TurnRun> runs, object connection)
    {
        // Whatever the gateway still owed the turns written on that connection went to it, and is gone with it.
        var stuckBefore = new HashSet<string>(_stuck, StringComparer.Ordinal);
        foreach (var run in _order.Where(r => ReferenceEquals(r.SentOn, connection)).ToList())
        {
            _order.Remove(run);
            if (run.SessionId is not { } session)
            {
                continue;
            }

            if (!run.Ended && !run.Started && stuckBefore.Contains(session))
            {
                // The client is leaving a session whose queue never moves: a message queued there never ran, and never
                // will. It goes to the next connection's (new) session instead of being lost.
                run.Sent = false;
                run.Accepted = false;
                run.AcceptAnswered = false;
                run.QueuedAlone = false;
                run.SentOn = null;
                run.AwaitingConnection = true;
                continue;
            }

            // The gateway still holds this turn (running, queued, or ended by the client but not by the gateway): a session
            // resumed now would be stuck behind it for ever.
            _stuck.Add(session);
            if (!run.Ended)
            {
                run.Ended = true;
                run.Queue.Post(TurnItem.For(run.Final(
                    GatewayTurnStatus.Lost,
                    reason: run.Accepted
                        ? "the connection ended in the middle of the turn, and PraisonAI sends the rest of a turn only to the socket that sent it"
                        : "the connection ended before the gateway took the message; it may or may not have run",
                    answerLocation: TurnRouter.AnswerLocationOf(run))));
            }
        }
    }

    public void OnRunEnded() => _order.Clear(); // the sessions found stuck stay so: a later ConnectAsync may resume one

    public async Task OnReconnectedAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        // Only a turn moved off a session being left waits for a connection: it is written in the new session now.
        if (!services.Router.Locked(() => !run.Ended && !run.Sent))
        {
            return;
        }

        await MoveOffStuckSessionAsync(services, run, cancellationToken).ConfigureAwait(false);
        services.Router.Locked(() => run.AcceptFrom = services.Router.Time.GetTimestamp());
        await SendAsync(services, run, cancellationToken).ConfigureAwait(false);
    }

    public async Task OnStuckAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var session = services.Router.Locked(() =>
        {
            if (run.Ended || run.SessionId is null)
            {
                return null;
            }

            _stuck.Add(run.SessionId);
            _order.Remove(run);
            run.Sent = false; // it never ran there, and never will: it is sent again in the new session
            run.Accepted = false;
            run.AcceptAnswered = false;
            run.AcceptFrom = services.Router.Time.GetTimestamp(); // the new session gets the whole acceptance bound
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

    /// <summary>A turn written to the gateway takes its place in the order (under the router's lock).</summary>
    internal void Track(TurnRun run)
    {
        run.Sent = true;
        _order.Add(run);
    }

    /// <summary>A turn whose frame was not written after all (the connection was closing) leaves the order (under the router's lock).</summary>
    internal void Untrack(TurnRun run)
    {
        run.Sent = false;
        run.SentOn = null;
        _order.Remove(run);
    }

    /// <summary>
    /// A turn's message, claimed on the connection it is about to be written on, just before the write (as a request is):
    /// matched from then on in that connection's session, and settled by that connection's end.
    /// </summary>
    private sealed class TurnWrite : IWriteClaim
    {
        private readonly PraisonAITurnDriver _driver;
        private readonly TurnRouter _router;
        private readonly TurnRun _run;

        public TurnWrite(PraisonAITurnDriver driver, TurnRouter router, TurnRun run)
        {
            _driver = driver;
            _router = router;
            _run = run;
        }

        public bool TryClaim(LiveConnection live) => _router.Locked(() =>
        {
            if (live.Socket.IsClosing || _run.Ended)
            {
                return false;
            }

            _run.SessionId = live.Session.SessionId;
            _run.SentOn = live;
            _driver.Track(_run);
            return true;
        });

        public void Release(LiveConnection live) => _router.Locked(() => _driver.Untrack(_run));
    }

    public void OnTimedOut(TurnRun run)
    {
        // The gateway did not take the message, or went silent mid-turn: whatever it still holds of this turn would be
        // matched, by order, to the next one, and a session whose queue does not move never answers again. Move on.
        if (run.Sent && run.SessionId is { } session)
        {
            _stuck.Add(session);
        }
    }

    public async Task AbortAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        // An abort stops the session's running turn: only worth sending when that is this one, on the connection it runs on.
        var running = services.Router.Locked(() => run.Accepted && ReferenceEquals(Running(run.SessionId), run) && ReferenceEquals(run.SentOn, services.LiveConnection));
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
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await services.Supervisor.WriteTurnAsync(output.WrittenMemory, new TurnWrite(this, services.Router, run), cancellationToken).ConfigureAwait(false);
        }
        catch (GatewayConnectionException unknown) when (unknown.OutcomeUnknown)
        {
            // Written part-way: the gateway may have the message and run it there, which leaves the session as stuck as a
            // turn lost mid-way. (Its connection's end already took the turn out of the order and said so.)
            services.Router.Locked(() =>
            {
                if (run.SessionId is { } session)
                {
                    _stuck.Add(session);
                }
            });
            throw;
        }
        finally
        {
            _writing.Release();
        }
    }

    private void OnResponse(TurnRouter router, GatewayEvent e, string? session)
    {
        var status = Text(e, "status");
        var content = Text(e, "content");
        if (status == "accepted")
        {
            if (Waiting(session) is { } run)
            {
                run.AcceptAnswered = true;
                if (run.Ended || run.Accepted)
                {
                    return; // ended by the client while waiting (it keeps its place, silently), or already running
                }

                run.Accepted = true;
                if (content == Queued && !HasEarlier(run))
                {
                    // Queued behind nothing of ours: a turn the server thinks is running. If nothing follows, the session is stuck.
                    run.QueuedAlone = true;
                    run.QueuedAt = router.Time.GetTimestamp();
                }

                router.Post(run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Accepted, content, e));
            }

            return;
        }

        if (status != "final" || First(session, r => r.Sent) is not { } ended)
        {
            return;
        }

        _order.Remove(ended);

        var outcome = e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.Object
            ? Text(o, "status")
            : Text(e, "outcome");
        var text = content ?? ended.Text.ToString();
        router.TryEnd(ended, () => outcome switch
        {
            "rejected" => ended.Final(GatewayTurnStatus.Rejected, text, e, errorMessage: content),
            "error" => ended.Final(GatewayTurnStatus.Failed, text, e, errorMessage: content),

            // An aborted turn's final says ok, with this text (the gateway swallows the cancellation).
            _ when content is not null && content.StartsWith(Cancelled, StringComparison.Ordinal) => ended.Final(GatewayTurnStatus.Cancelled, ended.Text.ToString(), e, reason: "the gateway aborted the turn: " + content),
            _ => ended.Final(GatewayTurnStatus.Completed, text, e),
        });
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
        JsonElement? arguments = call.TryGetProperty("arguments", out var a) && a.ValueKind != JsonValueKind.Null ? Arguments(a) : null;
        JsonElement? value = result && call.TryGetProperty("result", out var r) && r.ValueKind != JsonValueKind.Null ? r.Clone() : null;
        return new GatewayTurnToolCall(Text(call, "id"), name ?? string.Empty, arguments, value, false);
    }

    /// <summary>
    /// A tool call's arguments: the model's delta carries them as JSON text, the result event as an object. Text that is a
    /// whole JSON object or array is given as that value; anything else (a chunk of a streamed call) as the text.
    /// </summary>
    private static JsonElement Arguments(JsonElement arguments)
    {
        if (arguments.ValueKind == JsonValueKind.String && arguments.GetString()?.TrimStart() is { Length: > 1 } text && text[0] is '{' or '[')
        {
            try
            {
                using var parsed = JsonDocument.Parse(text);
                return parsed.RootElement.Clone();
            }
            catch (JsonException)
            {
                // A chunk of a streamed call: kept as the text it is.
            }
        }

        return arguments.Clone();
    }

    /// <summary>The oldest message of the session whose "accepted" answer has not come (ended by the client or not).</summary>
    private TurnRun? Waiting(string? session) => First(session, r => r.Sent && !r.AcceptAnswered);

    /// <summary>The oldest turn of the session the gateway has not ended: it runs one turn at a time, in order, so this one.</summary>
    private TurnRun? Running(string? session) => First(session, r => r.Sent);

    /// <summary>Whether the gateway holds a turn written before <paramref name="run"/> in its session.</summary>
    private bool HasEarlier(TurnRun run) => !ReferenceEquals(First(run.SessionId, r => r.Sent), run);

    private TurnRun? First(string? session, Func<TurnRun, bool> test)
    {
        foreach (var run in _order)
        {
            if (run.SessionId == session && test(run))
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

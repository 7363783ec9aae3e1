using System.Text.Json;
using Gateway.Client.Engine;
using Gateway.Client.Praxis;
using Gateway.Client.Wire;

namespace Gateway.Client.Dialects.Praxis;

/// <summary>
/// Turns as Praxis runs them: a <c>CHAT_MESSAGE</c> request whose answer (a <c>chatMessage</c>, or with an agent a
/// <c>dslResult</c>, after <c>dslProgress</c> reports) is the whole reply. Praxis has no acceptance, no stream of
/// deltas, no abort and no resume: a drop before the answer loses the turn.
/// </summary>
internal sealed class PraxisTurnDriver : ITurnDriver
{
    public async Task StartAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken)
    {
        var router = services.Router;
        router.Locked(() =>
        {
            // Nothing says "accepted": the answer is the turn. Only the silence bound applies.
            run.Accepted = true;
            run.Sent = true;
            run.SentOn = services.LiveConnection;
        });
        var options = new GatewayRequestOptions
        {
            // The turn's own loop bounds the silence (each progress report moves it on) and cancels the request when it
            // ends; a total deadline here would end a long run that keeps reporting progress.
            Timeout = Timeout.InfiniteTimeSpan,
            Progress = new ProgressToTurn(router, run),
        };
        var answer = await services.Client.RequestAsync(PraxisCommands.ChatMessage, JsonObjectBuilder.Build(w => w.WriteString("content", run.Message)), options, cancellationToken).ConfigureAwait(false);
        var text = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : answer.GetRawText();
        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("type", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == "error")
        {
            // An error chat: the agent could not answer.
            router.TryEnd(run, () => run.Final(GatewayTurnStatus.Failed, string.Empty, errorMessage: text));
            return;
        }

        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
        {
            var error = answer.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            router.TryEnd(run, () => run.Final(GatewayTurnStatus.Failed, text, errorMessage: error ?? "the command failed"));
            return;
        }

        router.Locked(() =>
        {
            if (!run.Ended)
            {
                run.Text.Append(text);
                router.TryEnd(run, () => run.Final(GatewayTurnStatus.Completed, text));
            }
        });
    }

    public void OnEvent(TurnRouter router, IReadOnlyList<TurnRun> runs, GatewayEvent e)
    {
        // Answers reach the turn through its request; the events in between are the server's own.
    }

    public void OnConnectionEnded(TurnRouter router, IReadOnlyList<TurnRun> runs, object connection)
    {
        // Each request settles itself (OutcomeUnknown): its turn ends when it does.
    }

    public void OnRunEnded()
    {
        // Nothing kept.
    }

    public Task OnReconnectedAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task OnStuckAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnTimedOut(TurnRun run)
    {
        // Nothing is matched by order here: a turn that timed out leaves nothing behind for the next one.
    }

    public Task AbortAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken) => Task.CompletedTask;


    /// <summary>A <c>dslProgress</c> report becomes a status update (never after the turn ended).</summary>
    private sealed class ProgressToTurn : IProgress<GatewayRequestProgress>
    {
        private readonly TurnRouter _router;
        private readonly TurnRun _run;

        public ProgressToTurn(TurnRouter router, TurnRun run)
        {
            _router = router;
            _run = run;
        }

        public void Report(GatewayRequestProgress value) => _router.Locked(() =>
        {
            if (!_run.Ended)
            {
                var message = value.Data.ValueKind == JsonValueKind.Object && value.Data.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                _router.Post(_run, new GatewayTurnUpdate(GatewayTurnUpdateKind.Status, message ?? value.Data.GetRawText()));
            }
        });
    }
}

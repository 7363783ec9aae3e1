using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// The real server's <c>_run_session_queue</c>: runs a session's queued messages one after another for the connection that started
/// the queue, each ending with <c>response</c> <c>final</c> after its stream events, and records each reply in the session's history
/// (once its final has gone out or been lost).
/// </summary>
internal static class PraisonAITurnRunner
{
    public static async Task RunQueueAsync(TestGateway gateway, TestSession session, TestConnection connection)
    {
        var content = session.Turns.First();
        while (await RunTurnAsync(gateway, session, connection, content).ConfigureAwait(false) is { } reply
            && session.Turns.Complete(session, reply, out content))
        {
        }
    }

    /// <summary>Runs one turn to its final frame; returns its reply, or null when the gateway is stopping.</summary>
    private static async Task<string?> RunTurnAsync(TestGateway gateway, TestSession session, TestConnection connection, System.Text.Json.JsonElement content)
    {
        var output = new PraisonAITurnOutput(session, connection);
        var turn = new TestAgentTurn(output, session.Id, content);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(gateway.Stopping);
        session.Turns.BeginTurn(cancel);
        string? reply = null;
        Exception? failure = null;
        try
        {
            reply = await gateway.Options.Agent.RunTurnAsync(turn, cancel.Token).ConfigureAwait(false);
            await output.EndStreamAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        var abortReason = session.Turns.EndTurn(cancel);
        if (gateway.Stopping.IsCancellationRequested)
        {
            return null;
        }

        // _drive_turn turns a cancelled turn into text and no exception, so its outcome stays "ok"; an agent error is
        // "Error: …" with outcome "error"; a refusal (the admission gate's) is its message with "rejected".
        var (text, status) = failure switch
        {
            null => (reply ?? string.Empty, "ok"),
            OperationCanceledException when abortReason is not null => ($"Turn cancelled: {abortReason}.", "ok"),
            TestAgentRejection rejection => (rejection.Message, "rejected"),
            _ => ($"Error: {failure.Message}", "error"),
        };
        await session.PublishToAsync(connection, "response", new JsonObject
        {
            ["status"] = "final",
            ["content"] = text,
            ["outcome"] = new JsonObject { ["status"] = status },
        }, EnvelopeShape.Flat).ConfigureAwait(false);
        return text;
    }
}

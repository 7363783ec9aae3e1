namespace Gateway.Client.InteropTests;

/// <summary>
/// Agent turns (<see cref="GatewayClient.AskAsync"/>) against the real PraisonAI gateway and its echo agent
/// (<c>echo: content</c> in two <c>token_stream</c> deltas; content starting with <c>slow</c> takes 3 s): a turn, a
/// turn lost to a drop and the next turn (in a new session, or refused), a turn the caller cancels, and turns in a
/// row and in flight together. Where the network must misbehave, a <see cref="LoopbackProxy"/> stands in between.
/// </summary>
[Collection("real gateway")]
public sealed class PraisonAiTurnInteropTests : IClassFixture<PraisonAiFixture>
{
    private readonly PraisonAiFixture _fixture;

    public PraisonAiTurnInteropTests(PraisonAiFixture fixture) => _fixture = fixture;

    private PraisonAiGateway Gateway => _fixture.Gateway;

    private static CancellationToken Limit(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [PraisonAiFact]
    public async Task A_turn_streams_accepted_then_its_deltas_then_one_final_and_completes_with_the_echo()
    {
        await using var client = new GatewayClient(Gateway.ClientOptions());
        await client.ConnectAsync(Limit());

        var turn = TurnReader.Ask(client, "hello");
        var outcome = await turn.OutcomeAsync(Limit());

        var updates = turn.Updates;
        Assert.True(GatewayTurnStatus.Completed == outcome.Status, turn.Describe());
        Assert.Equal("echo: hello", outcome.Text);
        Assert.Equal("echo: hello", turn.DeltaText);
        Assert.Equal(["echo: ", "hello"], updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text));
        Assert.Equal(GatewayTurnUpdateKind.Accepted, updates[0].Kind);
        Assert.Equal("Started processing.", updates[0].Text);
        Assert.All(updates.Skip(1).SkipLast(1), u => Assert.Equal(GatewayTurnUpdateKind.TextDelta, u.Kind));
        var final = Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Same(final, updates[^1]);
        Assert.Equal("echo: hello", final.Text);
        Assert.All(updates.SkipLast(1), u => Assert.Null(u.Outcome));
        Assert.Equal("ok", final.Event!.Frame.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Equal(client.Session!.SessionId, outcome.SessionId);
        Assert.Null(outcome.TurnId);
        Assert.False(outcome.Resumed);
    }

    [PraisonAiFact]
    public async Task Two_turns_in_a_row_each_complete_with_their_own_echo()
    {
        await using var client = new GatewayClient(Gateway.ClientOptions());
        await client.ConnectAsync(Limit());

        var first = await TurnReader.Ask(client, "one").OutcomeAsync(Limit());
        var second = TurnReader.Ask(client, "two");
        var secondOutcome = await second.OutcomeAsync(Limit());

        Assert.Equal((GatewayTurnStatus.Completed, "echo: one"), (first.Status, first.Text));
        Assert.Equal((GatewayTurnStatus.Completed, "echo: two"), (secondOutcome.Status, secondOutcome.Text));
        Assert.Equal("echo: two", second.DeltaText);
        Assert.Equal("Started processing.", second.Updates[0].Text);
        Assert.Equal(first.SessionId, secondOutcome.SessionId);
    }

    [PraisonAiFact]
    public async Task Two_turns_in_flight_at_once_are_matched_by_order_the_second_queued_then_run()
    {
        await using var client = new GatewayClient(Gateway.ClientOptions());
        await client.ConnectAsync(Limit());

        var first = TurnReader.Ask(client, "slow first");
        var second = TurnReader.Ask(client, "second");
        var firstOutcome = await first.OutcomeAsync(Limit());
        var secondOutcome = await second.OutcomeAsync(Limit());

        Assert.True(GatewayTurnStatus.Completed == firstOutcome.Status, first.Describe());
        Assert.True(GatewayTurnStatus.Completed == secondOutcome.Status, second.Describe());
        Assert.Equal(("echo: slow first", "echo: slow first"), (firstOutcome.Text, first.DeltaText));
        Assert.Equal(("echo: second", "echo: second"), (secondOutcome.Text, second.DeltaText));
        Assert.Equal("Started processing.", first.Updates[0].Text);
        Assert.Equal((GatewayTurnUpdateKind.Accepted, "Message queued."), (second.Updates[0].Kind, second.Updates[0].Text));
        Assert.Single(first.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Single(second.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
    }

    [PraisonAiFact]
    public async Task A_slow_turn_whose_connection_drops_is_lost_and_the_next_turn_is_answered_in_a_new_session()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        var session = client.Session!.SessionId;
        await using var log = new StreamRecorder(client);

        var lost = await AskAndDropMidTurnAsync(proxy, client, "slow lost one");
        await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit()); // back in the old session (resumed)

        var next = TurnReader.Ask(client, "after the loss");
        var nextOutcome = await next.OutcomeAsync(Limit());

        Assert.True(GatewayTurnStatus.Completed == nextOutcome.Status, next.Describe());
        Assert.Equal(("echo: after the loss", "echo: after the loss"), (nextOutcome.Text, next.DeltaText));
        Assert.NotEqual(session, nextOutcome.SessionId);
        Assert.Equal(client.Session!.SessionId, nextOutcome.SessionId);

        // The move was reported: a SessionAbandoned gap on the event stream, and a state change that says why.
        await log.WaitAsync(items => items.OfType<GapInfo>().Any(), Limit());
        var gap = Assert.Single(log.Gaps);
        Assert.Equal(GapReason.SessionAbandoned, gap.Reason);
        var left = Assert.Single(transitions.Transitions, t => t.Cause?.Message.Contains("Left session", StringComparison.Ordinal) == true);
        Assert.Equal((ConnectionState.Connected, ConnectionState.Reconnecting), (left.Previous, left.Current));
        Assert.Contains(session, left.Cause!.Message, StringComparison.Ordinal);
        Assert.Contains("lost to a dropped connection", left.Cause.Message, StringComparison.Ordinal);
        var joined = await transitions.WaitForAsync(ConnectionState.Connected, 3, Limit());
        Assert.Equal(ContinuityOutcome.SessionLost, joined.Continuity!.Outcome);
        Assert.Equal(GapReason.SessionAbandoned, joined.Continuity.Gap!.Reason);
        Assert.Equal(nextOutcome.SessionId, client.Session.SessionId);
        Assert.Equal(GatewayTurnStatus.Lost, lost.Status);
    }

    [PraisonAiFact]
    public async Task A_turn_asked_at_once_after_a_lost_one_is_answered_in_a_new_session()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        await client.ConnectAsync(Limit());
        var session = client.Session!.SessionId;
        await using var log = new StreamRecorder(client);

        // No wait for the reconnect: the next turn is asked while the client may still be on its way back.
        await AskAndDropMidTurnAsync(proxy, client, "slow lost three");
        var next = TurnReader.Ask(client, "straight after");
        var outcome = await next.OutcomeAsync(Limit());

        Assert.True(GatewayTurnStatus.Completed == outcome.Status, next.Describe());
        Assert.Equal(("echo: straight after", "echo: straight after"), (outcome.Text, next.DeltaText));
        Assert.NotEqual(session, outcome.SessionId);
        await log.WaitAsync(items => items.OfType<GapInfo>().Any(), Limit());
        Assert.Equal(GapReason.SessionAbandoned, Assert.Single(log.Gaps).Reason);
    }

    [PraisonAiFact]
    public async Task After_a_lost_turn_with_NewSessionWhenStuck_off_the_next_turn_fails_at_once_naming_the_cause()
    {
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        var session = client.Session!.SessionId;

        await AskAndDropMidTurnAsync(proxy, client, "slow lost two");
        await transitions.WaitForAsync(ConnectionState.Connected, 2, Limit());
        var sentBefore = proxy.LinkAt(2).SentByClient.Count;

        var next = TurnReader.Ask(client, "not sent", new GatewayTurnOptions { NewSessionWhenStuck = false });
        var outcome = await next.OutcomeAsync(Limit(10));

        Assert.Equal(GatewayTurnStatus.Failed, outcome.Status);
        Assert.Contains(session, outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("lost to a dropped connection", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("NewSessionWhenStuck", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(GatewayTurnUpdateKind.Final, Assert.Single(next.Updates).Kind);
        Assert.Equal(session, client.Session!.SessionId);
        Assert.Equal(sentBefore, proxy.LinkAt(2).SentByClient.Count); // nothing was written
    }

    [PraisonAiFact]
    public async Task A_turn_only_queued_in_a_wedged_session_moves_to_a_new_session_after_the_queued_bound_and_is_answered_there()
    {
        // Wedge a session as the real gateway does: a slow turn whose connection drops, then a resume of that session (the
        // gateway restores "a turn is running" and never restarts the queue: every message is only "Message queued.").
        string wedged;
        await using (var proxy = new LoopbackProxy(Gateway.Port))
        await using (var first = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port))))
        {
            await first.ConnectAsync(Limit());
            wedged = first.Session!.SessionId;
            await AskAndDropMidTurnAsync(proxy, first, "slow wedge");
        }

        // Another client, which knows nothing of the loss, resumes the session and asks.
        var options = Gateway.ClientOptions();
        options.ResumeFrom = new GatewayResumePoint(wedged, null, 0);
        await using var client = new GatewayClient(options);
        var transitions = new StateRecorder(client);
        await client.ConnectAsync(Limit());
        Assert.True(client.Session!.Resumed);
        await using var log = new StreamRecorder(client);

        var turn = TurnReader.Ask(client, "in a wedged session", new GatewayTurnOptions { QueuedTimeout = TimeSpan.FromSeconds(2) });
        var outcome = await turn.OutcomeAsync(Limit());

        Assert.True(GatewayTurnStatus.Completed == outcome.Status, turn.Describe());
        Assert.Equal(("echo: in a wedged session", "echo: in a wedged session"), (outcome.Text, turn.DeltaText));
        Assert.NotEqual(wedged, outcome.SessionId);
        var updates = turn.Updates;
        Assert.Equal((GatewayTurnUpdateKind.Accepted, "Message queued."), (updates[0].Kind, updates[0].Text));
        Assert.Equal(GatewayTurnUpdateKind.Status, updates[1].Kind);
        Assert.Contains(wedged, updates[1].Text, StringComparison.Ordinal);
        Assert.Equal((GatewayTurnUpdateKind.Accepted, "Started processing."), (updates[2].Kind, updates[2].Text));
        await log.WaitAsync(items => items.OfType<GapInfo>().Any(), Limit());
        Assert.Equal(GapReason.SessionAbandoned, Assert.Single(log.Gaps).Reason);
        var left = Assert.Single(transitions.Transitions, t => t.Cause?.Message.Contains("Left session " + wedged, StringComparison.Ordinal) == true);
        Assert.Contains("queued the message", left.Cause!.Message, StringComparison.Ordinal);
    }

    [PraisonAiFact]
    public async Task A_turn_the_caller_cancels_is_aborted_at_the_gateway_and_the_next_turn_gets_its_own_answer()
    {
        // The echo agent cannot be made to reject a turn: the real server answers outcome "rejected" only from its admission
        // gate, which the runner does not configure. What it can do is abort: the caller's token ends the turn Cancelled.
        await using var proxy = new LoopbackProxy(Gateway.Port);
        await using var client = new GatewayClient(Gateway.ClientOptions(PraisonAiGateway.UrlThrough(proxy.Port)));
        await client.ConnectAsync(Limit());
        await using var log = new StreamRecorder(client);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Limit());

        var turn = TurnReader.Ask(client, "slow cancelled", cancellationToken: cancel.Token);
        await turn.WaitForAsync(GatewayTurnUpdateKind.TextDelta, Limit());
        await cancel.CancelAsync();
        var outcome = await turn.OutcomeAsync(Limit());
        var aborted = await log.WaitForEventAsync(e => e.Type == "aborted", Limit());

        Assert.Equal(GatewayTurnStatus.Cancelled, outcome.Status);
        Assert.Contains("cancelled", outcome.Reason, StringComparison.Ordinal);
        Assert.Single(turn.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.StartsWith(outcome.Text, "echo: slow cancelled", StringComparison.Ordinal);
        Assert.Contains(proxy.LinkAt(1).SentByClient, text => text.Contains("\"abort\"", StringComparison.Ordinal));
        Assert.Equal(client.Session!.SessionId, aborted.Frame.GetProperty("session_id").GetString());

        // The next turn is answered with its own echo, not with what the gateway still sends for the cancelled one.
        var next = TurnReader.Ask(client, "after the abort");
        var nextOutcome = await next.OutcomeAsync(Limit());
        Assert.True(GatewayTurnStatus.Completed == nextOutcome.Status, next.Describe());
        Assert.Equal(("echo: after the abort", "echo: after the abort"), (nextOutcome.Text, next.DeltaText));
    }

    /// <summary>Asks a <c>slow</c> turn and drops every connection once its first text delta arrived; returns its outcome (Lost).</summary>
    private static async Task<GatewayTurnOutcome> AskAndDropMidTurnAsync(LoopbackProxy proxy, GatewayClient client, string message)
    {
        var session = client.Session!.SessionId;
        var turn = TurnReader.Ask(client, message);
        await turn.WaitForAsync(GatewayTurnUpdateKind.TextDelta, Limit());
        proxy.DropAll();
        var outcome = await turn.OutcomeAsync(Limit());

        Assert.True(GatewayTurnStatus.Lost == outcome.Status, turn.Describe());
        Assert.Equal($"the history of session {session}", outcome.AnswerLocation);
        Assert.Equal(session, outcome.SessionId);
        Assert.False(string.IsNullOrEmpty(outcome.Reason));
        Assert.StartsWith(outcome.Text, "echo: " + message, StringComparison.Ordinal);
        Assert.Equal(GatewayTurnUpdateKind.Accepted, turn.Updates[0].Kind);
        Assert.Single(turn.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        return outcome;
    }
}

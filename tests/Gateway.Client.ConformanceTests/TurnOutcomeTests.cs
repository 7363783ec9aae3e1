using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>Every outcome of an agent turn, for every dialect that has it (the table in docs/turns.md).</summary>
public class TurnOutcomeTests
{
    private static Task<List<GatewayTurnUpdate>> Collect(IAsyncEnumerable<GatewayTurnUpdate> turn) => AgentTurnTests.CollectAsync(turn);

    private static async Task<List<GatewayTurnUpdate>> ReadRestAsync(IAsyncEnumerator<GatewayTurnUpdate> reader, List<GatewayTurnUpdate> updates)
    {
        await using (reader)
        {
            while (await reader.MoveNextAsync())
            {
                updates.Add(reader.Current);
            }
        }

        return updates;
    }

    private static GatewayTurnOutcome FinalOf(List<GatewayTurnUpdate> updates)
    {
        var final = Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Same(final, updates[^1]);
        return final.Outcome!;
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task An_agent_that_fails_ends_the_turn_failed_with_the_servers_error(TestGatewayDialect dialect)
    {
        await using var scenario = await AgentTurnTests.StartAsync(dialect);

        var outcome = FinalOf(await Collect(scenario.Client.AskAsync("fail please", cancellationToken: Harness.Deadline())));

        Assert.Equal(GatewayTurnStatus.Failed, outcome.Status);
        Assert.Contains("the agent failed", outcome.ErrorMessage ?? outcome.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    public async Task Reasoning_and_the_tools_the_agent_runs_itself_come_as_their_own_updates_in_order(TestGatewayDialect dialect)
    {
        var agent = new ScriptedAgent(async (turn, ct) =>
        {
            await turn.StreamReasoningAsync("thinking it over");
            await turn.CallToolAsync("read_file", new System.Text.Json.Nodes.JsonObject { ["path"] = "notes.txt" }, "three lines", "call-7");
            await turn.StreamTokenAsync("done");
            return "echo: done";
        });
        await using var scenario = await AgentTurnTests.StartAsync(dialect, g => g.Agent = agent);
        agent.ReleaseAll();

        var updates = await Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));

        var kinds = updates.Select(u => u.Kind).Where(k => k is not (GatewayTurnUpdateKind.Status or GatewayTurnUpdateKind.Accepted)).ToList();
        Assert.Equal(new[] { GatewayTurnUpdateKind.TextDelta, GatewayTurnUpdateKind.ReasoningDelta, GatewayTurnUpdateKind.ToolCall, GatewayTurnUpdateKind.ToolResult, GatewayTurnUpdateKind.TextDelta, GatewayTurnUpdateKind.Final }, kinds);
        Assert.Equal("thinking it over", updates.Single(u => u.Kind == GatewayTurnUpdateKind.ReasoningDelta).Text);
        var call = updates.Single(u => u.Kind == GatewayTurnUpdateKind.ToolCall).ToolCall!;
        Assert.Equal(("read_file", "call-7", "notes.txt"), (call.Name, call.CallId, call.Arguments!.Value.GetProperty("path").GetString()));
        var result = updates.Single(u => u.Kind == GatewayTurnUpdateKind.ToolResult).ToolCall!;
        Assert.Equal(("read_file", "three lines"), (result.Name, result.Result!.Value.GetString()));
        Assert.Equal(GatewayTurnStatus.Completed, FinalOf(updates).Status);
    }

    [Fact]
    public async Task PraisonAI_a_rejected_turn_ends_rejected_with_the_servers_words()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI, g => g.Agent = agent);
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        agent.Reject(1, "the agent is busy");

        var outcome = FinalOf(await turn);
        Assert.Equal(GatewayTurnStatus.Rejected, outcome.Status);
        Assert.Contains("the agent is busy", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Praxis_an_error_chat_in_answer_ends_the_turn_failed()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.Praxis, g => g.Agent = agent);
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        agent.Reject(1, "no agent can take this");

        var outcome = FinalOf(await turn);
        Assert.Equal(GatewayTurnStatus.Failed, outcome.Status);
        Assert.Contains("no agent can take this", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_turn_goes_on_while_the_main_stream_is_full_and_unread_and_the_stream_reports_what_it_dropped()
    {
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI, client: o => o.EventBufferCapacity = 8);
        await scenario.Gateway.PublishMessagesAsync(scenario.SessionId, Enumerable.Range(1, 40).Select(i => i.ToString()).ToArray());

        var outcome = FinalOf(await Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline())));

        Assert.Equal((GatewayTurnStatus.Completed, "echo: hello"), (outcome.Status, outcome.Text));
        var gaps = new List<GapInfo>();
        scenario.Client.OnGap((gap, _) => { gaps.Add(gap); return Task.CompletedTask; });
        var events = await scenario.Client.ReadUntilAsync(StreamRecorder.IsFinal, Harness.Deadline()); // the stream still ends with the turn's final
        Assert.Contains(gaps, g => g.Reason == GapReason.ConsumerOverflow);
        Assert.True(events.Count <= 9, $"{events.Count} events held for a buffer of 8");
    }

    [Fact]
    public async Task OpenClaw_the_same_key_with_another_message_is_rejected_and_a_repeat_never_runs_the_agent_again()
    {
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.OpenClaw);
        var options = new GatewayTurnOptions { IdempotencyKey = "key-1" };
        var first = FinalOf(await Collect(scenario.Client.AskAsync("hello", options, Harness.Deadline())));
        var again = FinalOf(await Collect(scenario.Client.AskAsync("hello", options, Harness.Deadline())));
        var conflict = FinalOf(await Collect(scenario.Client.AskAsync("something else", options, Harness.Deadline())));

        Assert.Equal((GatewayTurnStatus.Completed, "key-1"), (first.Status, first.TurnId));
        Assert.Equal((GatewayTurnStatus.Completed, "echo: hello"), (again.Status, again.Text)); // read back from chat.history
        Assert.Equal(GatewayTurnStatus.Rejected, conflict.Status);
        Assert.Equal("INVALID_REQUEST", conflict.ErrorCode);
        Assert.Equal(2, scenario.Gateway.GetOpenClawChatHistory("main").Count); // one question, one answer: the agent ran once
    }

    [Theory]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task A_cancelled_turn_ends_cancelled_and_the_agent_is_aborted_where_the_dialect_can(TestGatewayDialect dialect)
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(dialect, g => g.Agent = agent);
        using var cancel = new CancellationTokenSource();
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: cancel.Token));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        cancel.Cancel();

        var outcome = FinalOf(await turn.WaitAsync(Harness.Deadline()));
        Assert.Equal(GatewayTurnStatus.Cancelled, outcome.Status);
        if (dialect == TestGatewayDialect.OpenClaw)
        {
            await agent.WaitForTurnEndedAsync(1, Harness.Deadline()); // chat.abort from the sending connection stopped it
        }
        else
        {
            agent.ReleaseAll(); // Praxis has no abort: the reply comes and is ignored
        }
    }

    [Fact]
    public async Task PraisonAI_a_drop_mid_turn_loses_it_and_the_next_turn_runs_in_a_new_session_reported_as_a_break()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI, g => g.Agent = agent, Harness.ImmediateReconnect, readStream: true);
        var firstSession = scenario.SessionId;
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        scenario.Gateway.Connections[^1].Drop();

        var lost = FinalOf(await turn);
        Assert.Equal(GatewayTurnStatus.Lost, lost.Status);
        Assert.Equal("echo: ", lost.Text); // what arrived before the loss
        Assert.Equal($"the history of session {firstSession}", lost.AnswerLocation);
        agent.ReleaseAll();
        await scenario.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline()); // resumed the old session

        var next = FinalOf(await Collect(scenario.Client.AskAsync("again", cancellationToken: Harness.Deadline())));
        Assert.Equal((GatewayTurnStatus.Completed, "echo: again"), (next.Status, next.Text));
        Assert.NotEqual(firstSession, next.SessionId);
        Assert.Equal(2, agent.TurnsStarted); // the lost turn and the next: the lost one was never sent again
        Assert.DoesNotContain(scenario.Gateway.GetSession(next.SessionId!).Messages, m => m.Text == "hello");
        Assert.Equal(scenario.Client.Session!.SessionId, next.SessionId);
        var gap = await scenario.Stream.WaitAsync(items => items.OfType<GapInfo>().Any(g => g.Reason == GapReason.SessionAbandoned), Harness.Deadline())
            .ContinueWith(_ => scenario.Stream.Gaps.Single(g => g.Reason == GapReason.SessionAbandoned));
        Assert.NotNull(gap);
        // The app's handlers run on the client's callback task: waited for, not read at once.
        await scenario.States.WaitForAsync(t => t.Current == ConnectionState.Reconnecting && t.Cause?.Message.Contains($"Left session {firstSession}", StringComparison.Ordinal) == true, 1, Harness.Deadline());
        var joined = await scenario.States.WaitForAsync(t => t.Current == ConnectionState.Connected && t.Continuity?.Outcome == ContinuityOutcome.SessionLost, 1, Harness.Deadline());
        Assert.Equal(GapReason.SessionAbandoned, joined.Continuity!.Gap!.Reason);
    }

    [Fact]
    public async Task PraisonAI_a_turn_asked_while_reconnecting_after_a_loss_never_goes_to_the_old_session()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI, g => g.Agent = agent, Harness.ImmediateReconnect);
        var firstSession = scenario.SessionId;
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        scenario.Gateway.Connections[^1].Drop();
        Assert.Equal(GatewayTurnStatus.Lost, FinalOf(await turn).Status); // at the drop, before any reconnect
        agent.ReleaseAll();

        var next = FinalOf(await Collect(scenario.Client.AskAsync("again", cancellationToken: Harness.Deadline())));

        Assert.Equal(GatewayTurnStatus.Completed, next.Status);
        Assert.NotEqual(firstSession, next.SessionId);
        Assert.DoesNotContain(scenario.Gateway.GetSession(firstSession).Messages, m => m.Text == "again");
        var joined = (await scenario.States.WaitForAsync(t => t.Current == ConnectionState.Connected && t.Continuity?.Outcome == ContinuityOutcome.SessionLost, 1, Harness.Deadline())).Continuity!;
        Assert.Equal(GapReason.SessionAbandoned, joined.Gap!.Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PraisonAI_a_message_only_queued_in_a_wedged_session_moves_to_a_new_session_after_the_queued_bound(bool newSessionWhenStuck)
    {
        // Another process lost a turn there: the gateway resumes the session with its queue stuck for ever.
        var echo = new EchoAgent();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, Agent = echo });
        var point = await AgentTurnTests.WedgeASessionAsync(gateway);

        var time = new ObservableFakeTimeProvider();
        await using var second = new GatewayClient(Harness.OptionsFor(gateway, o => { o.ResumeFrom = point; o.TimeProvider = time; }));
        var states = new StateRecorder(second);
        await second.ConnectAsync(Harness.Deadline());
        Assert.Equal(point!.SessionId, second.Session!.SessionId);
        // The queued bound longer than the acceptance bound: the new session still gets the whole acceptance bound.
        var options = new GatewayTurnOptions { AcceptTimeout = TimeSpan.FromSeconds(10), QueuedTimeout = TimeSpan.FromSeconds(11), IdleTimeout = TimeSpan.FromSeconds(13), NewSessionWhenStuck = newSessionWhenStuck };
        var turn = Collect(second.AskAsync("hello", options, Harness.Deadline()));
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(11), Harness.Deadline());
        time.Advance(TimeSpan.FromSeconds(11));

        var updates = await turn.WaitAsync(Harness.Deadline());
        Assert.Equal("Message queued.", updates[0].Text);
        var outcome = FinalOf(updates);
        if (!newSessionWhenStuck)
        {
            Assert.Equal(GatewayTurnStatus.Failed, outcome.Status);
            Assert.Contains("stuck", outcome.Reason, StringComparison.Ordinal);
            return;
        }

        Assert.Equal((GatewayTurnStatus.Completed, "echo: hello"), (outcome.Status, outcome.Text));
        Assert.NotEqual(point.SessionId, outcome.SessionId);
        Assert.Contains(updates, u => u.Kind == GatewayTurnUpdateKind.Status && u.Text!.Contains("stuck", StringComparison.Ordinal));
        await states.WaitForAsync(t => t.Current == ConnectionState.Reconnecting && t.Cause?.Message.Contains($"Left session {point.SessionId}", StringComparison.Ordinal) == true, 1, Harness.Deadline());
        echo.ReleaseSlowTurns();
    }

    [Fact]
    public async Task PraisonAI_with_NewSessionWhenStuck_off_the_turn_after_a_lost_one_fails_at_once_naming_the_cause()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI, g => g.Agent = agent, Harness.ImmediateReconnect);
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        scenario.Gateway.Connections[^1].Drop();
        Assert.Equal(GatewayTurnStatus.Lost, FinalOf(await turn).Status);
        await scenario.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());

        var next = FinalOf(await Collect(scenario.Client.AskAsync("again", new GatewayTurnOptions { NewSessionWhenStuck = false }, Harness.Deadline())));

        Assert.Equal(GatewayTurnStatus.Failed, next.Status);
        Assert.Contains("cannot run another turn", next.Reason, StringComparison.Ordinal);
        Assert.Contains("NewSessionWhenStuck", next.Reason, StringComparison.Ordinal);
        Assert.Single(scenario.Gateway.Sessions); // nothing was sent anywhere
    }

    [Fact]
    public async Task OpenClaw_a_drop_mid_turn_goes_on_over_the_next_connection_with_no_delta_twice()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.OpenClaw, g => g.Agent = agent, Harness.ImmediateReconnect);
        var turn = Collect(scenario.Client.AskAsync("hello there", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        scenario.Gateway.Connections[^1].Drop();
        await scenario.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
        agent.Release(1);

        var updates = await turn;
        var outcome = FinalOf(updates);
        Assert.Equal(GatewayTurnStatus.Completed, outcome.Status);
        Assert.True(outcome.Resumed);
        Assert.Contains(updates, u => u.Kind == GatewayTurnUpdateKind.Resumed);
        Assert.Equal("echo: hello there", outcome.Text);
        Assert.Equal(outcome.Text, string.Concat(updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text)));
        Assert.Equal(1, agent.TurnsStarted); // asked again with its key after the drop: the agent ran once
    }

    [Fact]
    public async Task OpenClaw_a_run_that_ended_while_no_connection_saw_it_is_read_back_from_the_history()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.OpenClaw, g => g.Agent = agent, Harness.ImmediateReconnect);
        var turn = Collect(scenario.Client.AskAsync("hello there", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        scenario.Gateway.RefuseUpgrades(503);
        scenario.Gateway.Connections[^1].Drop();
        await scenario.States.WaitForAsync(ConnectionState.Reconnecting, 1, Harness.Deadline());
        agent.Release(1);
        await scenario.Gateway.WaitForOpenClawChatMessageAsync("main", 2, Harness.Deadline()); // the answer, seen by no connection
        scenario.Gateway.AcceptUpgrades();

        var updates = await turn;
        var outcome = FinalOf(updates);
        Assert.Equal((GatewayTurnStatus.Completed, true, "echo: hello there"), (outcome.Status, outcome.Resumed, outcome.Text));
        Assert.Equal(outcome.Text, string.Concat(updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text)));
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task A_turn_the_client_disconnects_under_is_lost_with_what_arrived(TestGatewayDialect dialect)
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(dialect, g => g.Agent = agent);
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        await scenario.Client.DisconnectAsync(Harness.Deadline());

        var outcome = FinalOf(await turn.WaitAsync(Harness.Deadline()));
        Assert.Equal(GatewayTurnStatus.Lost, outcome.Status);
        Assert.False(string.IsNullOrEmpty(outcome.Reason));
        if (dialect != TestGatewayDialect.Praxis)
        {
            Assert.Equal("echo: ", outcome.Text); // what arrived before the end (Praxis streams nothing)
        }

        agent.ReleaseAll();
    }

    [Fact]
    public async Task Praxis_a_drop_before_the_answer_loses_the_turn()
    {
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.Praxis, g => g.Agent = agent, Harness.ImmediateReconnect);
        var turn = Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline()));
        await agent.WaitForFirstTokenAsync(1, Harness.Deadline());
        scenario.Gateway.Connections[^1].Drop();

        Assert.Equal(GatewayTurnStatus.Lost, FinalOf(await turn).Status);
        agent.ReleaseAll();
        await scenario.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
        Assert.Equal(1, agent.TurnsStarted); // never sent again on the new connection
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task A_turn_silent_mid_way_for_the_idle_bound_times_out(TestGatewayDialect dialect)
    {
        var time = new ObservableFakeTimeProvider();
        var agent = new ScriptedAgent();
        await using var scenario = await AgentTurnTests.StartAsync(dialect, g => g.Agent = agent, o => o.TimeProvider = time);
        var reader = scenario.Client.AskAsync("hello", new GatewayTurnOptions { IdleTimeout = TimeSpan.FromSeconds(7) }, Harness.Deadline()).GetAsyncEnumerator();
        var updates = new List<GatewayTurnUpdate>();
        Task<List<GatewayTurnUpdate>> rest;
        if (dialect != TestGatewayDialect.Praxis)
        {
            // The last thing the gateway says before its silence has reached the turn: the silence is counted from it.
            while (await reader.MoveNextAsync() && reader.Current.Kind != GatewayTurnUpdateKind.TextDelta)
            {
                updates.Add(reader.Current);
            }

            updates.Add(reader.Current);
            rest = ReadRestAsync(reader, updates); // the bound runs while the turn is read
        }
        else
        {
            rest = ReadRestAsync(reader, updates);
            await agent.WaitForFirstTokenAsync(1, Harness.Deadline()); // Praxis says nothing until its answer
        }

        await time.WaitForTimerAsync(TimeSpan.FromSeconds(7), Harness.Deadline());
        time.Advance(TimeSpan.FromSeconds(7));

        var outcome = FinalOf(await rest.WaitAsync(Harness.Deadline()));
        Assert.Equal(GatewayTurnStatus.TimedOut, outcome.Status);
        agent.ReleaseAll();
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task Several_turns_in_flight_each_get_their_own_answer(TestGatewayDialect dialect)
    {
        await using var scenario = await AgentTurnTests.StartAsync(dialect);

        var turns = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => Collect(scenario.Client.AskAsync($"turn {i}", cancellationToken: Harness.Deadline()))));

        for (var i = 0; i < turns.Length; i++)
        {
            var outcome = FinalOf(turns[i]);
            Assert.Equal((GatewayTurnStatus.Completed, $"echo: turn {i + 1}"), (outcome.Status, outcome.Text));
        }
    }
}

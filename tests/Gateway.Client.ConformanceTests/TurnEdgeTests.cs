using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>Turns at the edges a review found: left mid-way, asked while disconnected, huge bounds, a wedged session with two turns queued.</summary>
public class TurnEdgeTests
{
    private static Task<List<GatewayTurnUpdate>> Collect(IAsyncEnumerable<GatewayTurnUpdate> turn) => AgentTurnTests.CollectAsync(turn);

    [Fact]
    public async Task PraisonAI_a_turn_the_reader_left_and_then_a_drop_the_next_turn_is_answered_in_a_new_session()
    {
        var agent = new ScriptedAgent(); // the first turn holds (as an agent that ignores its cancel), the rest are released
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI, g => g.Agent = agent, Harness.ImmediateReconnect);
        var first = scenario.SessionId;
        await foreach (var update in scenario.Client.AskAsync("one", cancellationToken: Harness.Deadline()))
        {
            if (update.Kind == GatewayTurnUpdateKind.TextDelta)
            {
                break; // cancelled, aborted; the gateway still owes it a final
            }
        }

        scenario.Gateway.Connections[^1].Drop(); // before that final
        await scenario.States.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
        agent.ReleaseAll();

        var next = (await Collect(scenario.Client.AskAsync("two", cancellationToken: Harness.Deadline())))[^1].Outcome!;

        Assert.Equal((GatewayTurnStatus.Completed, "echo: two"), (next.Status, next.Text));
        Assert.NotEqual(first, next.SessionId);
    }

    [Fact]
    public async Task PraisonAI_a_turn_asked_while_disconnected_fails_unsent_and_leaves_the_session_usable()
    {
        await using var scenario = await AgentTurnTests.StartAsync(TestGatewayDialect.PraisonAI);
        var session = scenario.SessionId;
        await scenario.Client.DisconnectAsync(Harness.Deadline());

        var whileDown = (await Collect(scenario.Client.AskAsync("hello", cancellationToken: Harness.Deadline())))[^1].Outcome!;
        await scenario.Client.ConnectAsync(Harness.Deadline());
        var next = (await Collect(scenario.Client.AskAsync("again", cancellationToken: Harness.Deadline())))[^1].Outcome!;

        Assert.Equal(GatewayTurnStatus.Failed, whileDown.Status);
        Assert.Contains("could not be sent", whileDown.Reason, StringComparison.Ordinal);
        Assert.Equal((GatewayTurnStatus.Completed, session), (next.Status, next.SessionId)); // resumed, not abandoned
    }

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task A_bound_longer_than_any_timer_is_no_bound_and_never_throws_out_of_the_enumeration(TestGatewayDialect dialect)
    {
        await using var scenario = await AgentTurnTests.StartAsync(dialect);
        var options = new GatewayTurnOptions { IdleTimeout = TimeSpan.MaxValue, AcceptTimeout = TimeSpan.MaxValue, QueuedTimeout = TimeSpan.MaxValue };

        var outcome = (await Collect(scenario.Client.AskAsync("hello", options, Harness.Deadline())))[^1].Outcome!;

        Assert.Equal(GatewayTurnStatus.Completed, outcome.Status);
    }

    [Fact]
    public async Task PraisonAI_two_turns_queued_in_a_wedged_session_both_move_to_the_new_session_and_are_answered()
    {
        var echo = new EchoAgent();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, Agent = echo });
        var point = await AgentTurnTests.WedgeASessionAsync(gateway);

        var time = new ObservableFakeTimeProvider();
        await using var second = new GatewayClient(Harness.OptionsFor(gateway, o => { o.ResumeFrom = point; o.TimeProvider = time; Harness.ImmediateReconnect(o); }));
        await second.ConnectAsync(Harness.Deadline());
        var options = new GatewayTurnOptions { AcceptTimeout = TimeSpan.FromSeconds(10), QueuedTimeout = TimeSpan.FromSeconds(11), IdleTimeout = TimeSpan.FromSeconds(13) };
        var a = second.AskAsync("hello", options, Harness.Deadline()).GetAsyncEnumerator();
        Assert.True(await a.MoveNextAsync());
        Assert.Equal("Message queued.", a.Current.Text);
        var b = second.AskAsync("world", options, Harness.Deadline()).GetAsyncEnumerator();
        Assert.True(await b.MoveNextAsync());
        Assert.Equal("Message queued.", b.Current.Text); // queued behind the first: not stuck on its own
        var ra = Rest(a); // the bounds run while the turns are read
        var rb = Rest(b);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(11), Harness.Deadline());
        time.Advance(TimeSpan.FromSeconds(11));

        var ua = await ra;
        var ub = await rb;
        echo.ReleaseSlowTurns();
        Assert.Equal((GatewayTurnStatus.Completed, "echo: hello"), (ua[^1].Outcome!.Status, ua[^1].Outcome!.Text));
        Assert.Equal((GatewayTurnStatus.Completed, "echo: world"), (ub[^1].Outcome!.Status, ub[^1].Outcome!.Text));
        Assert.NotEqual(point!.SessionId, ub[^1].Outcome!.SessionId);
    }

    private static async Task<List<GatewayTurnUpdate>> Rest(IAsyncEnumerator<GatewayTurnUpdate> turn)
    {
        var updates = new List<GatewayTurnUpdate>();
        await using (turn)
        {
            while (await turn.MoveNextAsync().AsTask().WaitAsync(Harness.Deadline()))
            {
                updates.Add(turn.Current);
            }
        }

        return updates;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Xunit;

namespace Gateway.Client.ConformanceTests;

/// <summary>AskAsync against TestGateway: every turn ends with exactly one final update, for every dialect (docs/turns.md).</summary>
public class AgentTurnTests
{
    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    [InlineData(TestGatewayDialect.Praxis)]
    public async Task A_turn_streams_its_answer_and_ends_completed_once(TestGatewayDialect dialect)
    {
        await using var scenario = await StartAsync(dialect);
        var updates = await CollectAsync(scenario.Client.AskAsync("hello there", cancellationToken: Harness.Deadline()));

        var final = Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Same(final, updates[^1]);
        Assert.Equal(GatewayTurnStatus.Completed, final.Outcome!.Status);
        Assert.Equal("echo: hello there", final.Outcome.Text);
        Assert.All(updates.Where(u => u.Kind != GatewayTurnUpdateKind.Final), u => Assert.Null(u.Outcome));
        if (dialect != TestGatewayDialect.Praxis)
        {
            // The deltas add up to the answer, each piece once, after the acceptance.
            Assert.Equal(GatewayTurnUpdateKind.Accepted, updates[0].Kind);
            Assert.Equal("echo: hello there", string.Concat(updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text)));
        }
    }

    [Fact]
    public async Task A_turns_frames_also_reach_the_main_event_stream()
    {
        await using var scenario = await Scenario.StartAsync(readStream: true);
        var updates = await CollectAsync(scenario.Client.AskAsync("hi", cancellationToken: Harness.Deadline()));

        var final = updates[^1];
        var seen = await scenario.Stream.WaitForEventAsync(StreamRecorder.IsFinal, Harness.Deadline());
        Assert.Equal(final.Event!.Sequence, seen.Sequence);
        Assert.Contains(scenario.Stream.Events, e => e.Type == "token_stream");
    }

    [Fact]
    public async Task A_cancelled_turn_ends_cancelled_without_throwing_and_the_agent_is_aborted()
    {
        var agent = new ScriptedAgent(); // streams its first token, then holds until released or aborted
        await using var scenario = await Scenario.StartAsync(new TestGatewayOptions { Agent = agent });
        using var cancel = new CancellationTokenSource();
        var updates = new List<GatewayTurnUpdate>();
        await foreach (var update in scenario.Client.AskAsync("hold", cancellationToken: cancel.Token))
        {
            updates.Add(update);
            if (update.Kind == GatewayTurnUpdateKind.TextDelta)
            {
                cancel.Cancel();
            }
        }

        Assert.Equal(GatewayTurnStatus.Cancelled, updates[^1].Outcome!.Status);
        Assert.Equal("echo: ", updates[^1].Outcome!.Text);
        await agent.WaitForTurnEndedAsync(1, Harness.Deadline()); // never released: only the abort ends it
    }

    [Fact]
    public async Task A_turn_the_gateway_never_takes_times_out_on_the_accept_bound()
    {
        var time = new ObservableFakeTimeProvider();
        await using var scenario = await StartAsync(TestGatewayDialect.OpenClaw, client: o => o.TimeProvider = time);
        scenario.Gateway.RegisterSilentMethod("chat.send");
        var turn = CollectAsync(scenario.Client.AskAsync("hello", new GatewayTurnOptions { AcceptTimeout = TimeSpan.FromSeconds(5) }, Harness.Deadline()));

        await time.WaitForTimerAsync(TimeSpan.FromSeconds(5), Harness.Deadline());
        time.Advance(TimeSpan.FromSeconds(5));

        var final = (await turn)[^1];
        Assert.Equal(GatewayTurnStatus.TimedOut, final.Outcome!.Status);
        Assert.NotNull(final.Outcome.Reason);
    }

    /// <summary>A scenario in <paramref name="dialect"/>, its client set up to speak it (a token for OpenClaw, no agent id for Praxis).</summary>
    internal static Task<Scenario> StartAsync(TestGatewayDialect dialect, Action<TestGatewayOptions>? gateway = null, Action<GatewayClientOptions>? client = null, bool readStream = false)
    {
        // The agent set explicitly: the Praxis modes run it only then (otherwise they answer as the real handlers do with none).
        var gatewayOptions = new TestGatewayOptions { Dialect = dialect, EnableHeartbeat = false, Token = dialect == TestGatewayDialect.OpenClaw ? "turn-token" : null, Agent = new EchoAgent() };
        gateway?.Invoke(gatewayOptions);
        return Scenario.StartAsync(gatewayOptions, o =>
        {
            o.Dialect = dialect switch
            {
                TestGatewayDialect.OpenClaw => ProtocolDialect.OpenClaw,
                TestGatewayDialect.Praxis or TestGatewayDialect.PraxisDocumented => ProtocolDialect.Praxis,
                _ => ProtocolDialect.PraisonAI,
            };
            if (o.Dialect == ProtocolDialect.Praxis)
            {
                o.AgentId = null;
            }

            client?.Invoke(o);
        }, readStream: readStream);
    }

    /// <summary>
    /// Leaves a PraisonAI session wedged, as another process would: a <c>slow</c> turn (an <see cref="EchoAgent"/> holds it
    /// after its first token) whose connection drops. The gateway then resumes the session with its queue stuck for ever.
    /// </summary>
    /// <returns>Where to resume that session.</returns>
    internal static async Task<GatewayResumePoint> WedgeASessionAsync(TestGateway gateway)
    {
        await using var first = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));
        await first.ConnectAsync(Harness.Deadline());
        var reader = first.AskAsync("slow one", cancellationToken: Harness.Deadline()).GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync()); // accepted
        var point = reader.Current.Event!.ResumePoint!;
        Assert.True(await reader.MoveNextAsync()); // its first token: the agent now holds
        var connection = gateway.Connections[^1];
        connection.Drop();
        await connection.Closed.WaitAsync(Harness.Deadline());
        await reader.DisposeAsync();
        return point;
    }

    internal static async Task<List<GatewayTurnUpdate>> CollectAsync(IAsyncEnumerable<GatewayTurnUpdate> turn)
    {
        var updates = new List<GatewayTurnUpdate>();
        await foreach (var update in turn)
        {
            updates.Add(update);
        }

        return updates;
    }
}

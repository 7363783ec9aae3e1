using Gateway.Client.Testing;
using Xunit.Abstractions;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A seeded soak of agent turns with the connection dropped at random points in the middle of some of them: every
/// turn ends with exactly one final update, last, and none hangs (each is given a generous deadline, and a turn that
/// needed it would end Cancelled, which fails the test). The CI form runs 1,000 turns; TURN_SOAK_TURNS and
/// TURN_SOAK_SEED change it.
/// </summary>
[Collection(SerialCollection.Name)]
public class TurnSoakTests
{
    private readonly ITestOutputHelper _output;

    public TurnSoakTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(TestGatewayDialect.PraisonAI)]
    [InlineData(TestGatewayDialect.OpenClaw)]
    public async Task Every_turn_ends_with_one_outcome_and_none_hangs_while_connections_drop_mid_turn(TestGatewayDialect dialect)
    {
        var turns = Harness.Setting("TURN_SOAK_TURNS", 1_000);
        var seed = Harness.Setting("TURN_SOAK_SEED", 20261206);
        var random = new Random(seed);
        await using var scenario = await AgentTurnTests.StartAsync(dialect, client: Harness.ImmediateReconnect);
        var outcomes = new Dictionary<GatewayTurnStatus, int>();
        var drops = 0;
        for (var i = 0; i < turns; i++)
        {
            // Drop after the n-th update of this turn, for about one turn in eight.
            var dropAfter = random.Next(8) == 0 ? random.Next(1, 4) : -1;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var updates = new List<GatewayTurnUpdate>();
            await foreach (var update in scenario.Client.AskAsync($"turn {i}", cancellationToken: deadline.Token))
            {
                updates.Add(update);
                if (updates.Count == dropAfter && scenario.Gateway.Connections.LastOrDefault() is { } connection)
                {
                    connection.Drop();
                    drops++;
                }
            }

            var final = Assert.Single(updates, u => u.Kind == GatewayTurnUpdateKind.Final);
            Assert.Same(final, updates[^1]);
            Assert.True(final.Outcome!.Status != GatewayTurnStatus.Cancelled, $"turn {i} hung until its deadline: {string.Join(" | ", updates)}");
            Assert.True(final.Outcome.Status is GatewayTurnStatus.Completed or GatewayTurnStatus.Lost, $"turn {i}: {final.Outcome}");
            if (final.Outcome.Status == GatewayTurnStatus.Completed)
            {
                // No delta twice, none missing: the deltas add up to the answer.
                var described = string.Join(" | ", updates.Select(u => u.Event is { } e ? $"{u} <{System.Text.Encoding.UTF8.GetString(e.Utf8Frame.Span)}>" : u.ToString()));
                Assert.True(final.Outcome.Text == $"echo: turn {i}", $"turn {i}: {described}");
                Assert.True(final.Outcome.Text == string.Concat(updates.Where(u => u.Kind == GatewayTurnUpdateKind.TextDelta).Select(u => u.Text)), $"turn {i}: {described}");
            }

            outcomes[final.Outcome.Status] = outcomes.GetValueOrDefault(final.Outcome.Status) + 1;
        }

        _output.WriteLine($"{dialect}: {turns} turns, {drops} drops mid-turn, outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        Assert.True(drops > turns / 20, $"only {drops} drops: the soak did not test what it claims");
        Assert.True(outcomes.GetValueOrDefault(GatewayTurnStatus.Completed) > turns / 2);
    }
}

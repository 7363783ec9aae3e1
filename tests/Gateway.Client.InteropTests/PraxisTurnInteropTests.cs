namespace Gateway.Client.InteropTests;

/// <summary>
/// An agent turn (<see cref="GatewayClient.AskAsync"/>) against the real Praxis handler (praxis-py-sdk 3f5a88c, no agent
/// attached): <c>CHAT_MESSAGE</c> is answered by one <c>chatMessage</c> whose content is the whole reply.
/// </summary>
[Collection("real gateway")]
public sealed class PraxisTurnInteropTests : IClassFixture<PraxisFixture>
{
    private readonly PraxisFixture _fixture;

    public PraxisTurnInteropTests(PraxisFixture fixture) => _fixture = fixture;

    private PraxisAgent Agent => _fixture.Agent;

    private static CancellationToken Limit(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [PraxisFact]
    public async Task A_turn_completes_with_the_handlers_chat_message_reply()
    {
        await using var client = new GatewayClient(Agent.ClientOptions());
        await client.ConnectAsync(Limit());

        var turn = TurnReader.Ask(client, "hello there");
        var outcome = await turn.OutcomeAsync(Limit());

        // With no agent attached the handler answers every chat message itself: "I received your message: <content>".
        Assert.True(GatewayTurnStatus.Completed == outcome.Status, turn.Describe());
        Assert.Equal("I received your message: hello there", outcome.Text);
        var final = Assert.Single(turn.Updates, u => u.Kind == GatewayTurnUpdateKind.Final);
        Assert.Same(final, turn.Updates[^1]);
        Assert.Equal("I received your message: hello there", final.Text);
        Assert.Equal(1, Agent.FramesReceived("CHAT_MESSAGE"));

        // The next turn on the same connection gets its own answer.
        var next = await TurnReader.Ask(client, "again").OutcomeAsync(Limit());
        Assert.Equal((GatewayTurnStatus.Completed, "I received your message: again"), (next.Status, next.Text));
        Assert.Equal(1, client.Statistics.Connections);
    }
}

namespace Gateway.Client.Testing;

/// <summary>
/// The agent behind a <see cref="TestGateway"/>. For each user turn the gateway sends
/// <c>response</c> <c>accepted</c>, runs the agent (which streams events through the turn), then sends
/// <c>stream_end</c> and <c>response</c> <c>final</c> with the returned content. Abort cancels the token.
/// </summary>
public abstract class TestAgent
{
    /// <summary>Runs one turn and returns the final answer's content.</summary>
    public abstract Task<string> RunTurnAsync(TestAgentTurn turn, CancellationToken cancellationToken);
}

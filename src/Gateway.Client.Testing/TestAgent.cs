namespace Gateway.Client.Testing;

/// <summary>
/// The agent behind a <see cref="TestGateway"/>, in every dialect. PraisonAI: a <c>message</c> is answered <c>response</c>
/// <c>accepted</c>; the session's turns run one at a time, in order; the agent's output streams to the connection that sent the
/// message, then <c>stream_end</c> and <c>response</c> <c>final</c> with the returned content. OpenClaw: <c>chat.send</c> runs it
/// and its output is broadcast as <c>agent</c> and <c>chat</c> events. Praxis: <c>CHAT_MESSAGE</c> is answered with a
/// <c>chatMessage</c> carrying the returned content. Abort (and the gateway's disposal) cancels the token; throw
/// <see cref="TestAgentRejection"/> to refuse a turn and any other exception to fail it.
/// </summary>
public abstract class TestAgent
{
    /// <summary>Runs one turn and returns the final answer's content.</summary>
    public abstract Task<string> RunTurnAsync(TestAgentTurn turn, CancellationToken cancellationToken);
}

namespace Gateway.Client.Testing;

/// <summary>
/// Thrown by a <see cref="TestAgent"/> to end its turn as refused rather than failed: PraisonAI answers
/// <c>response</c> <c>final</c> with the message as content and <c>outcome.status</c> <c>rejected</c> (as its admission gate does);
/// OpenClaw ends the run with <c>chat</c> <c>state:"error"</c> and <c>errorKind:"rejected"</c> (it has no rejected state);
/// the live Praxis handler answers <c>chatMessage</c> with <c>type:"error"</c>. Any other exception ends the turn as an error.
/// </summary>
public sealed class TestAgentRejection : Exception
{
    /// <summary>Creates the rejection with the text the client is told.</summary>
    public TestAgentRejection(string message)
        : base(message)
    {
    }
}

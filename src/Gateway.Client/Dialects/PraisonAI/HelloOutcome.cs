namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>How the hello phase ended: a session, or a fall-back to the legacy join.</summary>
internal readonly struct HelloOutcome
{
    private HelloOutcome(HandshakeResult? result, Task<byte[]>? pendingReceive)
    {
        Result = result;
        PendingReceive = pendingReceive;
    }

    public HandshakeResult? Result { get; }

    /// <summary>A receive still in flight when hello timed out; the join phase awaits it first.</summary>
    public Task<byte[]>? PendingReceive { get; }

    public static HelloOutcome Success(HandshakeResult result) => new(result, null);

    public static HelloOutcome FallBack(Task<byte[]>? pendingReceive) => new(null, pendingReceive);
}

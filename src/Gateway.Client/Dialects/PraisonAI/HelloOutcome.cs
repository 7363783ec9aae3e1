namespace Gateway.Client.Dialects.PraisonAI;

/// <summary>How the hello phase ended: a session, or a fall-back to the legacy join.</summary>
internal readonly struct HelloOutcome
{
    private HelloOutcome(HandshakeResult? result, Task<byte[]>? pendingReceive, JoinCause joinCause)
    {
        Result = result;
        PendingReceive = pendingReceive;
        JoinCause = joinCause;
    }

    public HandshakeResult? Result { get; }

    /// <summary>A receive still in flight when hello timed out; the join phase awaits it first.</summary>
    public Task<byte[]>? PendingReceive { get; }

    /// <summary>Why the client falls back to <c>join</c>.</summary>
    public JoinCause JoinCause { get; }

    public static HelloOutcome Success(HandshakeResult result) => new(result, null, default);

    /// <summary>Nothing answered hello in time; <paramref name="pendingReceive"/> is the receive still waiting for it.</summary>
    public static HelloOutcome Unanswered(Task<byte[]>? pendingReceive) => new(null, pendingReceive, JoinCause.HelloUnanswered);

    /// <summary>The server answered hello with a legacy <c>error</c>.</summary>
    public static HelloOutcome AnsweredWithError() => new(null, null, JoinCause.HelloAnsweredWithError);
}

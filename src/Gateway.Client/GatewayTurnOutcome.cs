namespace Gateway.Client;

/// <summary>How an agent turn ended: on its <see cref="GatewayTurnUpdateKind.Final"/> update, and nowhere else.</summary>
public sealed class GatewayTurnOutcome
{
    internal GatewayTurnOutcome(GatewayTurnStatus status, string text, string? errorCode = null, string? errorMessage = null, string? reason = null, string? answerLocation = null, bool resumed = false, string? sessionId = null, string? turnId = null)
    {
        Status = status;
        Text = text;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Reason = reason;
        AnswerLocation = answerLocation;
        Resumed = resumed;
        SessionId = sessionId;
        TurnId = turnId;
    }

    /// <summary>How the turn ended.</summary>
    public GatewayTurnStatus Status { get; }

    /// <summary>The whole answer (<see cref="GatewayTurnStatus.Completed"/>), or the text that arrived before the turn ended otherwise.</summary>
    public string Text { get; }

    /// <summary>The server's error code, where it gave one (<see cref="GatewayTurnStatus.Failed"/>, <see cref="GatewayTurnStatus.Rejected"/>).</summary>
    public string? ErrorCode { get; }

    /// <summary>The server's error message, where it gave one.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Why the turn ended so, in words, when the client decided it (a loss, a bound, a cancellation, a stuck session).</summary>
    public string? Reason { get; }

    /// <summary>For a <see cref="GatewayTurnStatus.Lost"/> turn: where the answer may be found (the session's history, say).</summary>
    public string? AnswerLocation { get; }

    /// <summary>Whether the turn went on across a reconnect (a dialect that can resume a turn).</summary>
    public bool Resumed { get; }

    /// <summary>The session the turn ran in, where known.</summary>
    public string? SessionId { get; }

    /// <summary>The turn's id where the dialect has one (OpenClaw's run id).</summary>
    public string? TurnId { get; }

    /// <summary>Whether the agent answered (<see cref="GatewayTurnStatus.Completed"/>).</summary>
    public bool IsCompleted => Status == GatewayTurnStatus.Completed;

    /// <inheritdoc/>
    public override string ToString() => Status switch
    {
        GatewayTurnStatus.Completed => Resumed ? "completed (resumed)" : "completed",
        GatewayTurnStatus.Lost => $"lost: {Reason}{(AnswerLocation is null ? string.Empty : "; the answer may be in " + AnswerLocation)}",
        _ => $"{Status.ToString().ToLowerInvariant()}: {ErrorMessage ?? Reason ?? ErrorCode ?? "no reason given"}",
    };
}

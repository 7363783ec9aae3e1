namespace Gateway.Client;

/// <summary>How an agent turn ended (<see cref="GatewayTurnOutcome.Status"/>).</summary>
public enum GatewayTurnStatus
{
    /// <summary>The agent answered; <see cref="GatewayTurnOutcome.Text"/> is the whole answer.</summary>
    Completed,

    /// <summary>The server refused the turn (a policy, a busy agent); <see cref="GatewayTurnOutcome.ErrorMessage"/> says why, if it did.</summary>
    Rejected,

    /// <summary>The turn failed: the agent's or server's error (<see cref="GatewayTurnOutcome.ErrorCode"/>, <see cref="GatewayTurnOutcome.ErrorMessage"/>), or a cause the client names in <see cref="GatewayTurnOutcome.Reason"/>.</summary>
    Failed,

    /// <summary>The caller's token was cancelled; the agent's turn was aborted where the dialect can.</summary>
    Cancelled,

    /// <summary>
    /// The connection dropped and the dialect cannot resume the turn: <see cref="GatewayTurnOutcome.Text"/> is what arrived
    /// before the loss and <see cref="GatewayTurnOutcome.AnswerLocation"/> where the answer may be found.
    /// </summary>
    Lost,

    /// <summary>A bound ran out (<see cref="GatewayTurnOptions.AcceptTimeout"/>, <see cref="GatewayTurnOptions.IdleTimeout"/>); <see cref="GatewayTurnOutcome.Reason"/> names it.</summary>
    TimedOut,
}

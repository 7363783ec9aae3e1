using Microsoft.Extensions.AI;

namespace Gateway.Client.AI;

/// <summary>
/// The finish reason of a turn that did not complete (<see cref="ChatResponse.FinishReason"/>): one per
/// <see cref="GatewayTurnStatus"/>; a <see cref="GatewayTurnStatus.Completed"/> turn finishes with <see cref="ChatFinishReason.Stop"/>.
/// </summary>
public static class GatewayChatFinishReasons
{
    /// <summary><see cref="GatewayTurnStatus.Rejected"/>: the server refused the turn (<c>rejected</c>).</summary>
    public static ChatFinishReason Rejected { get; } = new("rejected");

    /// <summary><see cref="GatewayTurnStatus.Failed"/>: the agent's, the server's or the client's error (<c>failed</c>).</summary>
    public static ChatFinishReason Failed { get; } = new("failed");

    /// <summary><see cref="GatewayTurnStatus.Cancelled"/> by the gateway or another client (<c>cancelled</c>); the caller's own token throws instead.</summary>
    public static ChatFinishReason Cancelled { get; } = new("cancelled");

    /// <summary><see cref="GatewayTurnStatus.Lost"/>: the connection dropped and the dialect cannot resume the turn (<c>lost</c>).</summary>
    public static ChatFinishReason Lost { get; } = new("lost");

    /// <summary><see cref="GatewayTurnStatus.TimedOut"/>: a bound of <see cref="GatewayTurnOptions"/> ran out (<c>timed_out</c>).</summary>
    public static ChatFinishReason TimedOut { get; } = new("timed_out");

    /// <summary>The finish reason for a turn's status: <see cref="ChatFinishReason.Stop"/> for <see cref="GatewayTurnStatus.Completed"/>, else the one above.</summary>
    /// <param name="status">How the turn ended.</param>
    /// <returns>The finish reason.</returns>
    public static ChatFinishReason For(GatewayTurnStatus status) => status switch
    {
        GatewayTurnStatus.Completed => ChatFinishReason.Stop,
        GatewayTurnStatus.Rejected => Rejected,
        GatewayTurnStatus.Failed => Failed,
        GatewayTurnStatus.Cancelled => Cancelled,
        GatewayTurnStatus.Lost => Lost,
        GatewayTurnStatus.TimedOut => TimedOut,
        _ => new ChatFinishReason(status.ToString().ToLowerInvariant()),
    };
}

namespace Gateway.Client;

/// <summary>
/// A client that runs agent turns. <see cref="GatewayClient"/> implements it; <see cref="GatewayTurnExtensions.AskAsync"/>
/// reaches it from any <see cref="IGatewayClient"/>. Implement it on a fake of <see cref="IGatewayClient"/> to script turns
/// (build the updates with <see cref="GatewayModelFactory"/>).
/// </summary>
public interface IGatewayTurns
{
    /// <summary>Asks the agent and streams its turn; see <see cref="GatewayTurnExtensions.AskAsync"/>.</summary>
    /// <param name="message">The user's message.</param>
    /// <param name="options">The turn's settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn: it ends with a <see cref="GatewayTurnStatus.Cancelled"/> outcome.</param>
    /// <returns>The turn's updates; the last one, exactly once, carries the outcome.</returns>
    IAsyncEnumerable<GatewayTurnUpdate> AskAsync(string message, GatewayTurnOptions? options, CancellationToken cancellationToken);
}

namespace Gateway.Client;

/// <summary>Agent turns on any <see cref="IGatewayClient"/> (its interface is frozen at 1.0, so turns reach it here).</summary>
public static class GatewayTurnExtensions
{
    /// <summary>
    /// Asks the agent and streams its turn (docs/turns.md): the acceptance, text and reasoning deltas, tool calls and
    /// results in order, and last, exactly once, a <see cref="GatewayTurnUpdateKind.Final"/> update whose
    /// <see cref="GatewayTurnUpdate.Outcome"/> says how the turn ended (completed, rejected, failed, cancelled, lost, timed
    /// out). A turn never hangs: every wait is bounded by <paramref name="options"/>. Its events still appear in
    /// <see cref="IGatewayClient.ReadEventsAsync"/>; the turn has its own buffer, and neither reader holds up the other.
    /// Several turns may run at once; each dialect matches answers to turns the way its server does.
    /// </summary>
    /// <param name="client">A connected client (<see cref="IGatewayClient.ConnectAsync"/>) that implements <see cref="IGatewayTurns"/>.</param>
    /// <param name="message">The user's message.</param>
    /// <param name="options">The turn's settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn: it ends with a <see cref="GatewayTurnStatus.Cancelled"/> outcome (no exception), the agent aborted where the dialect can.</param>
    /// <returns>The turn's updates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (thrown when the enumeration starts).</exception>
    /// <exception cref="GatewayCapabilityException"><paramref name="client"/> does not implement <see cref="IGatewayTurns"/>, or its dialect has no chat turns.</exception>
    /// <exception cref="InvalidOperationException">The client was never connected, or has been disposed.</exception>
    public static IAsyncEnumerable<GatewayTurnUpdate> AskAsync(this IGatewayClient client, string message, GatewayTurnOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(client);
        Guard.NotNull(message);
        if (client is not IGatewayTurns turns)
        {
            throw new GatewayCapabilityException(nameof(GatewayCapabilities.ChatTurns), $"{client.GetType().Name} runs no agent turns: it does not implement IGatewayTurns. Use a GatewayClient, or implement IGatewayTurns on the fake.");
        }

        return turns.AskAsync(message, options, cancellationToken);
    }
}

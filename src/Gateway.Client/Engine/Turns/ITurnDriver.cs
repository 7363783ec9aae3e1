namespace Gateway.Client.Engine;

/// <summary>
/// A dialect's side of agent turns: how a turn is written, which events belong to which turn (the way its server
/// matches them), what a connection's end does to a turn, and how a turn is aborted or picked up again.
/// </summary>
internal interface ITurnDriver
{
    /// <summary>Writes the turn (and, where the answer to the write says so, marks it accepted). Throws what the send threw.</summary>
    Task StartAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken);

    /// <summary>An event the receive loop accepted, offered to the turns in flight (in the order they were sent). Under the router's lock; never throws.</summary>
    void OnEvent(TurnRouter router, IReadOnlyList<TurnRun> runs, GatewayEvent e);

    /// <summary>The connection <paramref name="connection"/> ended; <paramref name="runs"/> are the turns in flight. Once per connection, under the router's lock.</summary>
    void OnConnectionEnded(TurnRouter router, IReadOnlyList<TurnRun> runs, object connection);

    /// <summary>The client's run ended (a disconnect or a failure): whatever the dialect keeps per connection or session goes. Under the router's lock.</summary>
    void OnRunEnded();

    /// <summary>A new connection was adopted while <paramref name="run"/> waited for one (<see cref="TurnRun.AwaitingConnection"/>).</summary>
    Task OnReconnectedAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken);

    /// <summary>The server queued the turn and nothing followed within <see cref="GatewayTurnOptions.QueuedTimeout"/>.</summary>
    Task OnStuckAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken);

    /// <summary>The client ended <paramref name="run"/> on a bound (<see cref="GatewayTurnStatus.TimedOut"/>). Under the router's lock.</summary>
    void OnTimedOut(TurnRun run);

    /// <summary>Asks the server to stop the turn's agent, where the dialect can.</summary>
    Task AbortAsync(TurnServices services, TurnRun run, CancellationToken cancellationToken);
}

namespace Gateway.Client.Sessions;

/// <summary>
/// Passed to <see cref="GatewaySessionProcessor.EventHandler"/> for each event of an owned session, one at a time per
/// session. Call <see cref="CheckpointAsync"/> once the event is handled, so that a restart (here or on another instance)
/// resumes after it.
/// </summary>
public sealed class GatewaySessionEventArgs
{
    private readonly ProcessorSession _session;

    internal GatewaySessionEventArgs(ProcessorSession session, GatewayEvent gatewayEvent, IGatewayClient client)
    {
        _session = session;
        Event = gatewayEvent;
        Client = client;
    }

    /// <summary>The session's key.</summary>
    public string SessionKey => _session.Key;

    /// <summary>The event.</summary>
    public GatewayEvent Event { get; }

    /// <summary>The session's client, to send requests on it while this instance owns it.</summary>
    public IGatewayClient Client { get; }

    /// <summary>
    /// The lost-lease token: fires the moment this instance can no longer hold the session's lease (a renewal was
    /// refused, the lease ran out without a renewal, a checkpoint was refused, or the lease was released after a stop),
    /// so work on a session that is no longer this instance's stops.
    /// </summary>
    public CancellationToken CancellationToken => _session.Lost;

    /// <summary>
    /// Marks <see cref="Event"/> as handled. With <see cref="GatewaySessionProcessorOptions.CheckpointEvery"/> = 1 it is
    /// written now; otherwise it is written with its batch (every N events, or <see cref="GatewaySessionProcessorOptions.CheckpointInterval"/>
    /// after the first unwritten one), and at the latest when the processor stops. The write carries the session's lease
    /// token, so the store refuses it once another instance took the session. An event without a resume point (a dialect
    /// that cannot resume) is not written: the skip is logged.
    /// </summary>
    /// <exception cref="SessionOwnershipLostException">The store refused the write: another instance owns the session now.</exception>
    /// <exception cref="SessionStoreException">The store failed; the position stays pending and is written with the next checkpoint.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task CheckpointAsync(CancellationToken cancellationToken = default) => _session.CheckpointAsync(Event, cancellationToken);
}

namespace Gateway.Client.Engine;

/// <summary>
/// Where sends go: open with the live connection, waiting while one is being made, or closed with the
/// reason a send fails. Only <see cref="ClientState"/> moves it, under its lock; sends read it lock-free.
/// </summary>
internal sealed class SendGate
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _sendTimeout;
    private TaskCompletionSource<Connection> _live;

    public SendGate(TimeProvider clock, TimeSpan sendTimeout)
    {
        _clock = clock;
        _sendTimeout = sendTimeout;
        _live = Closed(new GatewayConnectionException("Cannot send: the client has not connected yet."));
    }

    /// <summary>Sends wait: a connection is being made.</summary>
    public void Wait() => Volatile.Write(ref _live, new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Sends go to <paramref name="connection"/>, and those waiting go now (the gate is opened only after <see cref="Wait"/>).</summary>
    public void Open(Connection connection) => Volatile.Read(ref _live).TrySetResult(connection);

    /// <summary>Sends fail with <paramref name="reason"/>, those waiting too.</summary>
    public void Close(GatewayConnectionException reason)
    {
        Volatile.Read(ref _live).TrySetObservedException(reason);
        Volatile.Write(ref _live, Closed(reason));
    }

    /// <summary>
    /// Sends one frame. While a connection is being made it waits for it (bounded by the token and
    /// <see cref="GatewayClientOptions.SendTimeout"/>), then sends once. A frame is never sent twice: it
    /// goes to the next connection only when nothing of it was written.
    /// <paramref name="maxPayload"/> gives the live session's <c>max_payload</c>, checked once a connection is there.
    /// </summary>
    public async Task SendAsync(ReadOnlyMemory<byte> utf8Frame, Func<long?> maxPayload, CancellationToken cancellationToken)
    {
        var deadline = TimeProviderDelay.DeadlineAfter(_clock, _sendTimeout);
        while (true)
        {
            var live = Volatile.Read(ref _live).Task;
            if (!await TimeProviderDelay.WaitUntilAsync(live, _clock, deadline, cancellationToken).ConfigureAwait(false))
            {
                throw NoConnectionInTime();
            }

            var connection = await live.ConfigureAwait(false);
            if (maxPayload() is { } limit && utf8Frame.Length > limit)
            {
                throw new GatewayPayloadTooLargeException(utf8Frame.Length, limit);
            }

            try
            {
                await connection.SendAsync(utf8Frame, deadline, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConnectionNotOpenException)
            {
                // Nothing was written: wait for the loop to retire this connection, then use the next one.
                if (!await TimeProviderDelay.WaitUntilAsync(connection.Retired, _clock, deadline, cancellationToken).ConfigureAwait(false))
                {
                    throw NoConnectionInTime();
                }
            }
        }
    }

    private TimeoutException NoConnectionInTime() =>
        new($"The client did not get a connection to send on within {_sendTimeout.TotalSeconds:0.###} s (SendTimeout); the frame was not sent.");

    private static TaskCompletionSource<Connection> Closed(GatewayConnectionException reason)
    {
        var gate = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.TrySetObservedException(reason);
        return gate;
    }
}

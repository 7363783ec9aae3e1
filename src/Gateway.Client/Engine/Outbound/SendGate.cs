namespace Gateway.Client.Engine;

/// <summary>
/// Where sends go: open with the live connection, waiting while one is being made, or closed with the
/// reason a send fails. Only <see cref="ClientState"/> moves it, under its lock; sends read it lock-free.
/// </summary>
internal sealed class SendGate
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _sendTimeout;
    private TaskCompletionSource<LiveConnection> _live;

    public SendGate(TimeProvider clock, TimeSpan sendTimeout)
    {
        _clock = clock;
        _sendTimeout = sendTimeout;
        _live = Closed(new GatewayConnectionException("Cannot send: the client has not connected yet."));
    }

    /// <summary>Sends wait: a connection is being made.</summary>
    public void Wait() => Volatile.Write(ref _live, new TaskCompletionSource<LiveConnection>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Sends go to <paramref name="live"/>, and those waiting go now (the gate is opened only after <see cref="Wait"/>).</summary>
    public void Open(LiveConnection live) => Volatile.Read(ref _live).TrySetResult(live);

    /// <summary>Sends fail with <paramref name="reason"/>, those waiting too.</summary>
    public void Close(GatewayConnectionException reason)
    {
        Volatile.Read(ref _live).TrySetObservedException(reason);
        Volatile.Write(ref _live, Closed(reason));
    }

    /// <summary>A deadline <see cref="GatewayClientOptions.SendTimeout"/> from now: how long a frame may wait to be written.</summary>
    public DateTimeOffset SendDeadline() => TimeProviderDelay.DeadlineAfter(_clock, _sendTimeout);

    /// <summary>
    /// The connection to write on: the live one, or the next once it is made (waiting no later than
    /// <paramref name="deadline"/> or the token). Skips <paramref name="retired"/>, a connection that was found
    /// closing with nothing written on it: it waits until the run loop has moved on from it.
    /// </summary>
    /// <exception cref="TimeoutException">No connection by the deadline; nothing was sent.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running (disconnected, failed, never connected).</exception>
    public async Task<LiveConnection> NextAsync(DateTimeOffset deadline, LiveConnection? retired, CancellationToken cancellationToken)
    {
        // Only while the gate still holds it: once the gate moved on (waiting, closed, the next connection) there is
        // nothing to wait for, and a run that ended must fail the send at once, not after SendTimeout.
        if (retired is not null && Holds(retired) && !await TimeProviderDelay.WaitUntilAsync(retired.Retired, _clock, deadline, cancellationToken).ConfigureAwait(false))
        {
            throw NoConnectionInTime();
        }

        var live = Volatile.Read(ref _live).Task;
        if (!await TimeProviderDelay.WaitUntilAsync(live, _clock, deadline, cancellationToken).ConfigureAwait(false))
        {
            throw NoConnectionInTime();
        }

        return await live.ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one frame. While a connection is being made it waits for it (bounded by the token and
    /// <see cref="GatewayClientOptions.SendTimeout"/>), then sends once (see <see cref="WriteAsync"/>).
    /// </summary>
    public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken) =>
        WriteAsync(utf8Frame, SendDeadline(), claim: null, cancellationToken);

    /// <summary>
    /// Writes one frame on one connection, never twice: the live one, or the next once it is made, all by
    /// <paramref name="deadline"/> or the token. A connection found closing with nothing written is passed over for
    /// the next. The live session's <c>max_payload</c> is checked once a connection is there. With a
    /// <paramref name="claim"/> the frame is a request: it claims each connection just before the write there, and
    /// releases it when nothing (or not all) of the frame went out there.
    /// </summary>
    /// <returns>The connection the frame was written on.</returns>
    public async Task<LiveConnection> WriteAsync(ReadOnlyMemory<byte> utf8Frame, DateTimeOffset deadline, IWriteClaim? claim, CancellationToken cancellationToken)
    {
        LiveConnection? notWritten = null;
        while (true)
        {
            var live = await NextAsync(deadline, notWritten, cancellationToken).ConfigureAwait(false);
            CheckPayload(live, utf8Frame.Length);
            if (claim is not null && !claim.TryClaim(live))
            {
                notWritten = live; // the connection has ended: nothing may be written on it
                continue;
            }

            try
            {
                if (claim is null)
                {
                    await live.Socket.SendAsync(utf8Frame, deadline, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await live.Socket.SendRequestAsync(utf8Frame, deadline, cancellationToken).ConfigureAwait(false);
                }

                return live;
            }
            catch (ConnectionNotOpenException)
            {
                // Nothing was written: wait for the loop to retire this connection, then use the next one. A claim made
                // here goes, so this connection's end cannot fail what it never carried.
                claim?.Release(live);
                notWritten = live;
            }
            catch
            {
                claim?.Release(live);
                throw;
            }
        }
    }

    /// <summary>Whether sends currently go to <paramref name="live"/>.</summary>
    private bool Holds(LiveConnection live) =>
        Volatile.Read(ref _live).Task is { Status: TaskStatus.RanToCompletion } open && ReferenceEquals(open.Result, live);

    /// <summary>The frame must fit the live session's <c>max_payload</c>.</summary>
    public static void CheckPayload(LiveConnection live, int length)
    {
        if (live.Session.Policy.MaxPayload is { } limit && length > limit)
        {
            throw new GatewayPayloadTooLargeException(length, limit);
        }
    }

    private TimeoutException NoConnectionInTime() =>
        new($"The client did not get a connection to send on within {_sendTimeout.TotalSeconds:0.###} s (SendTimeout); the frame was not sent.");

    private static TaskCompletionSource<LiveConnection> Closed(GatewayConnectionException reason)
    {
        var gate = new TaskCompletionSource<LiveConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.TrySetObservedException(reason);
        return gate;
    }
}

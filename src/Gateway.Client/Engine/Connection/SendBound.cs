namespace Gateway.Client.Engine;

/// <summary>
/// The send bound's timer target. A send still waiting for the lock is simply cancelled (nothing was
/// written). A send being written aborts the connection with the timeout as its reason, before anything
/// else can see the socket die, so the receive loop reports the timeout as the cause.
/// </summary>
internal sealed class SendBound(Connection connection, TimeSpan sendTimeout, CancellationTokenSource source)
{
    private TimeoutException? _reason;
    private volatile bool _writing;

    /// <summary>Whether the deadline passed.</summary>
    public bool Expired => Volatile.Read(ref _reason) is not null;

    /// <summary>The timeout, once the deadline passed.</summary>
    public TimeoutException? Reason => Volatile.Read(ref _reason);

    /// <summary>Set while the frame is being written to the socket.</summary>
    public bool Writing
    {
        set => _writing = value;
    }

    public void Expire()
    {
        var reason = new TimeoutException($"A send did not complete within {sendTimeout.TotalSeconds:0.###} s (SendTimeout): the gateway is not reading. The connection was aborted and is being resumed; the frame may or may not have reached the gateway.");
        Volatile.Write(ref _reason, reason);
        if (_writing)
        {
            connection.Abort(reason);
            return;
        }

        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The send finished first.
        }
    }
}

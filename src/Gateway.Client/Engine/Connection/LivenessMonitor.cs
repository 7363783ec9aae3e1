using Gateway.Client.Wire;

namespace Gateway.Client.Engine;

/// <summary>
/// Keeps one connection honest (docs/protocol.md, "Liveness"): every interval it sends a ping, and when nothing at
/// all has arrived for two intervals it aborts the connection as dead, so the supervisor resumes on a
/// new one. This is what catches a half-open connection, which never reports an error by itself. The
/// deadline has a timer of its own, set to two intervals after the last inbound frame, so a dead
/// connection is declared at 2× the heartbeat, not at the first ping tick after it.
/// </summary>
internal sealed class LivenessMonitor : IDisposable
{
    private readonly Connection _connection;
    private readonly TimeSpan _interval;
    private readonly byte[]? _ping;
    private readonly ITimer _timer;
    private readonly ITimer _deadline;
    private readonly object _gate = new();
    private bool _disposed;
    private int _sending;

    public LivenessMonitor(Connection connection, TimeSpan interval, byte[]? ping, TimeProvider clock)
    {
        _connection = connection;
        _interval = interval;
        _ping = ping;
        _timer = clock.CreateTimer(static state => ((LivenessMonitor)state!).Tick(), this, interval, interval);
        _deadline = clock.CreateTimer(static state => ((LivenessMonitor)state!).CheckDeadline(), this, interval + interval, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
            _deadline.Dispose();
        }
    }

    private void CheckDeadline()
    {
        var window = _interval + _interval;
        var silent = _connection.Clock.GetElapsedTime(_connection.LastInboundTimestamp);

        // While the consumer holds the receive loop up, nothing is read: silence proves nothing.
        if (silent >= window && !_connection.IsBackpressured)
        {
            _connection.Abort(new GatewayConnectionException(
                $"No frame arrived for {silent.TotalSeconds:0.###} s (twice the {_interval.TotalSeconds:0.###} s heartbeat): the connection is dead."));
            return;
        }

        // Next check: two intervals after the last frame (or one interval on, while backpressured).
        var next = silent >= window ? _interval : window - silent;
        lock (_gate)
        {
            if (!_disposed)
            {
                _deadline.Change(next, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Tick()
    {
        // One ping at a time: a send stuck behind a full socket must not pile up more. Dialects without a
        // client ping rely on the server's own periodic events.
        if (_ping is not null && Interlocked.Exchange(ref _sending, 1) == 0)
        {
            _ = PingAsync();
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await _connection.SendAsync(_ping!, _connection.Lifetime).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GatewayConnectionException or ConnectionNotOpenException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // The connection is ending; the supervisor hears about it from the receive loop.
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
        }
    }

    /// <summary>Writes the dialect's ping once, for reuse on every tick; null when the dialect has none.</summary>
    public static byte[]? BuildPing(Dialects.IDialect dialect)
    {
        using var buffer = new PooledBufferWriter(32);
        return dialect.WritePing(buffer) ? buffer.WrittenMemory.ToArray() : null;
    }
}

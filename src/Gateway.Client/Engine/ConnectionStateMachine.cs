using Gateway.Client.Diagnostics;

namespace Gateway.Client.Engine;

/// <summary>
/// The client's state. Every transition names the state it expects to leave, so a transition that
/// races another one fails loudly instead of overwriting it. Subscribers hear about transitions through
/// the callback dispatcher, in order, off the receive loop.
/// </summary>
internal sealed class ConnectionStateMachine
{
    private readonly object _gate = new();
    private readonly CallbackDispatcher _dispatcher;
    private readonly Action<ConnectionStateChangedEventArgs> _notify;
    private readonly ClientTelemetry? _telemetry;
    private ConnectionState _state = ConnectionState.Disconnected;

    public ConnectionStateMachine(CallbackDispatcher dispatcher, Action<ConnectionStateChangedEventArgs> notify, ClientTelemetry? telemetry = null)
    {
        _dispatcher = dispatcher;
        _notify = notify;
        _telemetry = telemetry;
    }

    public ConnectionState Current
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Moves from <paramref name="from"/> to <paramref name="to"/>; false (and no change) when the state is not <paramref name="from"/>.</summary>
    public bool TryTransition(ConnectionState from, ConnectionState to, Exception? cause = null, int attempt = 0, TimeSpan? retryDelay = null, ContinuityReport? continuity = null)
    {
        lock (_gate)
        {
            if (_state != from)
            {
                return false;
            }

            _state = to;
        }

        _telemetry?.StateChanged(from, to);

        var args = new ConnectionStateChangedEventArgs(from, to, cause, attempt, retryDelay, continuity);
        _dispatcher.Post(() => _notify(args));
        return true;
    }

    /// <summary>Like <see cref="TryTransition"/>, for transitions that cannot race: failing means a bug.</summary>
    public void Transition(ConnectionState from, ConnectionState to, Exception? cause = null, int attempt = 0, TimeSpan? retryDelay = null, ContinuityReport? continuity = null)
    {
        if (!TryTransition(from, to, cause, attempt, retryDelay, continuity))
        {
            throw new InvalidOperationException($"Invalid state transition {from} -> {to}: the client is {Current}.");
        }
    }
}

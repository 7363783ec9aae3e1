using Gateway.Client.Diagnostics;

namespace Gateway.Client.Engine;

/// <summary>
/// The one owner of what the client is: its state, the session, the live connection and the send gate (what
/// lives for one connection, its requests among it, is that <see cref="LiveConnection"/>'s). Every change happens under one lock and names the state it leaves
/// (a transition that races another fails loudly instead of overwriting it); nothing is awaited under
/// the lock. Subscribers hear of transitions through the callback dispatcher, in order, off the
/// receive loop; only of transitions: a state is never "entered" again (another attempt is not a state change).
/// </summary>
internal sealed class ClientState
{
    private readonly object _gate = new();
    private readonly CallbackDispatcher _dispatcher;
    private readonly Func<ConnectionStateChangedEventArgs, CancellationToken, Task> _notify;
    private readonly ClientTelemetry? _telemetry;
    private ConnectionState _state = ConnectionState.Disconnected;
    private GatewaySession? _session;
    private LiveConnection? _live;

    /// <param name="dispatcher">Where the notifications run.</param>
    /// <param name="notify">Tells the app's handlers of one transition (on the dispatcher, with its token).</param>
    /// <param name="options">The client's options.</param>
    /// <param name="telemetry">Counts clients by state.</param>
    public ClientState(CallbackDispatcher dispatcher, Func<ConnectionStateChangedEventArgs, CancellationToken, Task> notify, GatewayClientOptions options, ClientTelemetry? telemetry = null)
    {
        _dispatcher = dispatcher;
        _notify = notify;
        _telemetry = telemetry;
        Sends = new SendGate(options.TimeProvider, options.SendTimeout);
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

    /// <summary>What the server said in the latest successful handshake.</summary>
    public GatewaySession? Session => Volatile.Read(ref _session);

    /// <summary>The live connection, or null between connections.</summary>
    public LiveConnection? Live
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>Where sends go; moved only here.</summary>
    public SendGate Sends { get; }

    /// <summary>A run starts: from a resting state to <see cref="ConnectionState.Connecting"/>; sends wait for the connection.</summary>
    public void BeginRun()
    {
        lock (_gate)
        {
            Move(Leaving(ConnectionState.Disconnected, ConnectionState.Failed), ConnectionState.Connecting, null, 1, null, null);
            Sends.Wait();
        }
    }

    /// <summary>
    /// A handshake succeeded: the connection and its session are adopted, the state leaves
    /// <see cref="ConnectionState.Connecting"/> or <see cref="ConnectionState.Reconnecting"/> for
    /// <see cref="ConnectionState.Connected"/>, and sends go to the connection. False (nothing changed) once
    /// <paramref name="stop"/> fired: a disconnect that began meanwhile either finds this connection here or
    /// is seen here, never neither.
    /// </summary>
    public bool TryAdopt(LiveConnection live, ContinuityReport? continuity, CancellationToken stop)
    {
        lock (_gate)
        {
            if (stop.IsCancellationRequested)
            {
                return false;
            }

            Volatile.Write(ref _session, live.Session);
            _live = live;
            Move(Leaving(ConnectionState.Connecting, ConnectionState.Reconnecting), ConnectionState.Connected, null, 0, null, continuity);
            Sends.Open(live);
            return true;
        }
    }

    /// <summary>
    /// <paramref name="live"/> ended: if it is still the live connection, sends wait for the next one (it settles its
    /// own requests). Otherwise nothing changes: a run loop abandoned at disconnect must not reopen the gate of a run
    /// that has ended, or take a later run's connection away.
    /// </summary>
    public void ConnectionEnded(LiveConnection live)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_live, live))
            {
                return;
            }

            Sends.Wait();
            _live = null;
        }
    }

    /// <summary>
    /// Every retry the run schedules, in order with the notifications (the first of an outage also moves the state):
    /// for tests, which follow attempts and delays that the app hears of only in the logs and metrics.
    /// </summary>
    public event Action<ConnectionStateChangedEventArgs>? RetryScheduled;

    /// <summary>
    /// The run goes on after a connection ended or an attempt failed, unless <paramref name="stop"/> fired:
    /// to <see cref="ConnectionState.Reconnecting"/>, or, while the run has never connected
    /// (<paramref name="initial"/>, with <see cref="ReconnectOptions.RetryInitialConnect"/>), it stays
    /// <see cref="ConnectionState.Connecting"/>. Only a change of state is notified, so the first retry of an outage
    /// (with its attempt, delay and cause); later attempts are logged and counted by the run, not notified.
    /// </summary>
    public void Retrying(Exception? cause, int attempt, TimeSpan? retryDelay, bool initial, CancellationToken stop)
    {
        lock (_gate)
        {
            if (stop.IsCancellationRequested)
            {
                return;
            }

            var from = initial
                ? Leaving(ConnectionState.Connecting)
                : Leaving(ConnectionState.Connected, ConnectionState.Connecting, ConnectionState.Reconnecting);
            var to = initial ? ConnectionState.Connecting : ConnectionState.Reconnecting;
            if (from != to)
            {
                Move(from, to, cause, attempt, retryDelay, null);
            }

            if (RetryScheduled is { } observe)
            {
                var retry = new ConnectionStateChangedEventArgs(from, to, cause, attempt, retryDelay);
                _dispatcher.Post("a retry observer", () => observe(retry));
            }
        }
    }

    /// <summary>
    /// The one place a run ends, failed (<paramref name="failure"/>) or disconnected: sends fail with
    /// <paramref name="reason"/>, a connection still live ends (its waiting requests fail with
    /// <paramref name="requestsFailure"/>), and the state moves to <see cref="ConnectionState.Failed"/>
    /// or <see cref="ConnectionState.Disconnected"/> from wherever the run left it.
    /// </summary>
    public void EndRun(Exception? failure, GatewayConnectionException reason, GatewayConnectionException requestsFailure)
    {
        LiveConnection? live;
        lock (_gate)
        {
            live = _live;
            _live = null;
            Sends.Close(reason);
            var to = failure is null ? ConnectionState.Disconnected : ConnectionState.Failed;
            if (_state != to)
            {
                Move(_state, to, failure, 0, null, null);
            }
        }

        // Normally the run loop ended it already; a loop abandoned at disconnect may not have.
        live?.End(requestsFailure);
    }

    /// <summary>After a failed run, a disconnect moves the client to rest: <see cref="ConnectionState.Failed"/> to <see cref="ConnectionState.Disconnected"/>.</summary>
    public void AcknowledgeFailure()
    {
        lock (_gate)
        {
            if (_state == ConnectionState.Failed)
            {
                Move(ConnectionState.Failed, ConnectionState.Disconnected, null, 0, null, null);
            }
        }
    }

    /// <summary>The current state when it is one of <paramref name="expected"/>; anything else is a bug (the lock is held).</summary>
    private ConnectionState Leaving(params ConnectionState[] expected) =>
        Array.IndexOf(expected, _state) >= 0 ? _state : throw new InvalidOperationException($"Invalid state transition: the client is {_state}, expected {string.Join(" or ", expected)}.");

    /// <summary>Moves from <paramref name="from"/> (which the caller names) to <paramref name="to"/>; the lock is held.</summary>
    private void Move(ConnectionState from, ConnectionState to, Exception? cause, int attempt, TimeSpan? retryDelay, ContinuityReport? continuity)
    {
        if (_state != from || from == to)
        {
            throw new InvalidOperationException($"Invalid state transition {from} -> {to}: the client is {_state}.");
        }

        _state = to;
        _telemetry?.StateChanged(from, to);
        var args = new ConnectionStateChangedEventArgs(from, to, cause, attempt, retryDelay, continuity);
        _dispatcher.Post("OnStateChanged", ct => _notify(args, ct));
    }
}

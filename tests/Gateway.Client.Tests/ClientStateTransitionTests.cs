using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects.PraisonAI;
using Gateway.Client.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Client.Tests;

/// <summary>
/// The connection state machine, from a table and without a network: every operation from every state, each
/// either moving to the state the table names (and telling the OnStateChanged handlers, in order), leaving it as it is
/// (telling them nothing: another attempt is no transition), or refused with <see cref="InvalidOperationException"/>
/// and the state left as it was.
/// </summary>
public class ClientStateTransitionTests
{
    public enum Operation
    {
        BeginRun,
        Adopt,
        RetryWhileConnecting,
        Retry,
        EndRunFailed,
        EndRunDisconnected,
        AcknowledgeFailure,
    }

    private const ConnectionState Refused = (ConnectionState)(-1);
    private const ConnectionState Unchanged = (ConnectionState)(-2);

    private static readonly GatewayClientOptions Options = new() { Url = new Uri("ws://127.0.0.1/ws"), AgentId = "unit" };

    private static readonly ConnectionState[] States =
        { ConnectionState.Disconnected, ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Failed };

    /// <summary>The table: rows are the state left, columns the operations in <see cref="Operation"/> order.</summary>
    private static readonly Dictionary<ConnectionState, ConnectionState[]> Table = new()
    {
        //                                   BeginRun                     Adopt                      RetryWhileConnecting        Retry                          EndRunFailed            EndRunDisconnected             AcknowledgeFailure
        [ConnectionState.Disconnected] = new[] { ConnectionState.Connecting, Refused,                   Refused,                    Refused,                       ConnectionState.Failed, Unchanged,                     Unchanged },
        [ConnectionState.Connecting] = new[] { Refused,                      ConnectionState.Connected, Unchanged,                  ConnectionState.Reconnecting,  ConnectionState.Failed, ConnectionState.Disconnected,  Unchanged },
        [ConnectionState.Connected] = new[] { Refused,                       Refused,                   Refused,                    ConnectionState.Reconnecting,  ConnectionState.Failed, ConnectionState.Disconnected,  Unchanged },
        [ConnectionState.Reconnecting] = new[] { Refused,                    ConnectionState.Connected, Refused,                    Unchanged,                     ConnectionState.Failed, ConnectionState.Disconnected,  Unchanged },
        [ConnectionState.Failed] = new[] { ConnectionState.Connecting,       Refused,                   Refused,                    Refused,                       Unchanged,              ConnectionState.Disconnected,  ConnectionState.Disconnected },
    };

    public static TheoryData<ConnectionState, Operation, ConnectionState> Cells()
    {
        var cells = new TheoryData<ConnectionState, Operation, ConnectionState>();
        foreach (var from in States)
        {
            foreach (var operation in Enum.GetValues<Operation>())
            {
                cells.Add(from, operation, Table[from][(int)operation]);
            }
        }

        return cells;
    }

    private sealed class Machine : IAsyncDisposable
    {
        private readonly CallbackDispatcher _dispatcher = new(NullLogger.Instance, TimeProvider.System);
        private readonly List<ConnectionStateChangedEventArgs> _heard = new();

        public Machine()
        {
            State = new ClientState(_dispatcher, (args, _) =>
            {
                lock (_heard)
                {
                    _heard.Add(args);
                }

                return Task.CompletedTask;
            }, Options);
        }

        public ClientState State { get; }

        /// <summary>The transitions the handlers have heard, once every one posted so far has run.</summary>
        public async Task<IReadOnlyList<ConnectionStateChangedEventArgs>> HeardAsync()
        {
            Assert.True(await _dispatcher.DrainAsync(DateTimeOffset.UtcNow.AddSeconds(20), CancellationToken.None));
            lock (_heard)
            {
                return _heard.ToArray();
            }
        }

        public async Task ForgetHeardAsync()
        {
            await HeardAsync();
            lock (_heard)
            {
                _heard.Clear();
            }
        }

        public ValueTask DisposeAsync() => _dispatcher.DisposeAsync();
    }

    /// <summary>A connection's owner around a socket that was never opened: the state machine only holds it.</summary>
    private static LiveConnection Live()
    {
        var counters = new ClientCounters(new ClientTelemetry(Options));
        var pipeline = new InboundPipeline(new SequenceTracker(), PraisonAIDialect.Instance, counters, NullLogger.Instance, new EventBuffer(4, BackpressureMode.Wait, counters));
        return UnopenedConnection.Live(PraisonAIDialect.Instance, pipeline, Options);
    }

    /// <summary>Brings a new machine to <paramref name="state"/> through allowed transitions.</summary>
    private static void Reach(ClientState machine, ConnectionState state)
    {
        if (state == ConnectionState.Disconnected)
        {
            return;
        }

        machine.BeginRun();
        switch (state)
        {
            case ConnectionState.Connected:
                Assert.True(machine.TryAdopt(Live(), null, CancellationToken.None));
                break;
            case ConnectionState.Reconnecting:
                Assert.True(machine.TryAdopt(Live(), null, CancellationToken.None));
                machine.Retrying(new IOException("lost"), 1, TimeSpan.FromSeconds(1), initial: false, CancellationToken.None);
                break;
            case ConnectionState.Failed:
                machine.EndRun(new GatewayConnectionException("failed"), new GatewayConnectionException("x"), new GatewayConnectionException("y"));
                break;
        }

        Assert.Equal(state, machine.Current);
    }

    private static void Apply(ClientState machine, Operation operation)
    {
        switch (operation)
        {
            case Operation.BeginRun:
                machine.BeginRun();
                break;
            case Operation.Adopt:
                Assert.True(machine.TryAdopt(Live(), null, CancellationToken.None));
                break;
            case Operation.RetryWhileConnecting:
                machine.Retrying(new IOException("refused"), 2, TimeSpan.FromSeconds(1), initial: true, CancellationToken.None);
                break;
            case Operation.Retry:
                machine.Retrying(new IOException("lost"), 1, TimeSpan.FromSeconds(1), initial: false, CancellationToken.None);
                break;
            case Operation.EndRunFailed:
                machine.EndRun(new GatewayConnectionException("failed"), new GatewayConnectionException("x"), new GatewayConnectionException("y"));
                break;
            case Operation.EndRunDisconnected:
                machine.EndRun(null, new GatewayConnectionException("x"), new GatewayConnectionException("y"));
                break;
            case Operation.AcknowledgeFailure:
                machine.AcknowledgeFailure();
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_operation_from_every_state_moves_as_the_table_says_or_is_refused(ConnectionState from, Operation operation, ConnectionState expected)
    {
        await using var machine = new Machine();
        Reach(machine.State, from);
        await machine.ForgetHeardAsync();

        if (expected == Refused)
        {
            var refused = Assert.Throws<InvalidOperationException>(() => Apply(machine.State, operation));
            Assert.Contains($"the client is {from}", refused.Message, StringComparison.Ordinal);
            Assert.Equal(from, machine.State.Current);
            Assert.Empty(await machine.HeardAsync());
            return;
        }

        Apply(machine.State, operation);
        var heard = await machine.HeardAsync();
        if (expected == Unchanged)
        {
            Assert.Equal(from, machine.State.Current);
            Assert.Empty(heard);
            return;
        }

        Assert.Equal(expected, machine.State.Current);
        var transition = Assert.Single(heard);
        Assert.Equal(from, transition.Previous);
        Assert.Equal(expected, transition.Current);
    }

    [Fact]
    public async Task A_transition_the_run_loop_makes_after_a_disconnect_began_is_dropped()
    {
        await using var machine = new Machine();
        Reach(machine.State, ConnectionState.Connecting);
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();
        await machine.ForgetHeardAsync();

        Assert.False(machine.State.TryAdopt(Live(), null, stopped.Token));
        machine.State.Retrying(new IOException("lost"), 1, TimeSpan.FromSeconds(1), initial: false, stopped.Token);

        Assert.Equal(ConnectionState.Connecting, machine.State.Current);
        Assert.Null(machine.State.Live);
        Assert.Empty(await machine.HeardAsync());
    }

    [Theory]
    [InlineData(ConnectionState.Connecting, true)]
    [InlineData(ConnectionState.Reconnecting, false)]
    public async Task Another_attempt_is_no_transition_but_its_retry_is_still_reported(ConnectionState state, bool initial)
    {
        await using var machine = new Machine();
        var retries = new List<ConnectionStateChangedEventArgs>();
        machine.State.RetryScheduled += retry =>
        {
            lock (retries)
            {
                retries.Add(retry);
            }
        };
        Reach(machine.State, state);
        await machine.ForgetHeardAsync();

        machine.State.Retrying(new IOException("refused again"), 3, TimeSpan.FromSeconds(4), initial, CancellationToken.None);

        Assert.Equal(state, machine.State.Current);
        Assert.Empty(await machine.HeardAsync());
        lock (retries)
        {
            var retry = retries[^1];
            Assert.Equal((state, state, 3, TimeSpan.FromSeconds(4)), (retry.Previous, retry.Current, retry.Attempt, retry.RetryDelay));
            Assert.Equal("refused again", retry.Cause!.Message);
        }
    }

    [Fact]
    public async Task The_first_retry_of_an_outage_is_the_transition_and_carries_its_attempt_delay_and_cause()
    {
        await using var machine = new Machine();
        Reach(machine.State, ConnectionState.Connected);
        await machine.ForgetHeardAsync();

        machine.State.Retrying(new IOException("lost"), 1, TimeSpan.FromMilliseconds(412), initial: false, CancellationToken.None);

        var transition = Assert.Single(await machine.HeardAsync());
        Assert.Equal((ConnectionState.Connected, ConnectionState.Reconnecting, 1, TimeSpan.FromMilliseconds(412)), (transition.Previous, transition.Current, transition.Attempt, transition.RetryDelay));
        Assert.Equal("lost", transition.Cause!.Message);
    }

    [Fact]
    public async Task A_run_that_ends_ends_the_connection_still_live_and_what_waits_on_it()
    {
        await using var machine = new Machine();
        machine.State.BeginRun();
        var live = Live();
        Assert.True(machine.State.TryAdopt(live, null, CancellationToken.None));
        var waiting = live.Requests.TryRegister("r1", null, null, false)!;
        var unknown = new GatewayConnectionException("the client disconnected") { OutcomeUnknown = true };

        machine.State.EndRun(null, new GatewayConnectionException("Cannot send"), unknown);

        Assert.Null(machine.State.Live);
        Assert.Same(unknown, await Assert.ThrowsAsync<GatewayConnectionException>(() => waiting));
        Assert.True(live.Socket.IsClosing);
        Assert.Null(live.Requests.TryRegister("r2", null, null, false));
    }

    [Fact]
    public async Task A_connection_that_is_no_longer_the_live_one_changes_nothing_when_it_ends()
    {
        await using var machine = new Machine();
        machine.State.BeginRun();
        var abandoned = Live();
        Assert.True(machine.State.TryAdopt(abandoned, null, CancellationToken.None));
        machine.State.EndRun(null, new GatewayConnectionException("Cannot send: the client disconnected."), new GatewayConnectionException("y"));

        // A run loop abandoned at disconnect reaches the end of its connection only now.
        machine.State.ConnectionEnded(abandoned);
        var send = machine.State.Sends.NextAsync(DateTimeOffset.UtcNow.AddMinutes(1), abandoned, CancellationToken.None);
        Assert.True(send.IsCompleted); // the run has ended: no wait for the connection or the next one
        Assert.Contains("disconnected", (await Assert.ThrowsAsync<GatewayConnectionException>(() => send)).Message, StringComparison.Ordinal);

        // Nor does it take a later run's connection away.
        machine.State.BeginRun();
        var next = Live();
        Assert.True(machine.State.TryAdopt(next, null, CancellationToken.None));
        machine.State.ConnectionEnded(abandoned);
        Assert.Same(next, machine.State.Live);
        Assert.Same(next, await machine.State.Sends.NextAsync(DateTimeOffset.UtcNow.AddMinutes(1), null, CancellationToken.None));
    }
}

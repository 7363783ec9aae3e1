using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// When the app's callbacks run relative to each other and to the client's own calls (docs/callbacks.md): the
/// OnStateChanged handlers before ConnectAsync and DisconnectAsync return, one at a time and each awaited, never on the
/// receive loop; OnGap after the OnStateChanged handler that announced its reconnect, and several of either in
/// registration order.
/// </summary>
public class CallbackOrderingTests
{
    /// <summary>How long the client waits for the app's handlers; a value no other timer of these tests has, so its timer is the signal.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(7);

    /// <summary>
    /// A client on a fake clock whose OnStateChanged handler for <paramref name="blockOn"/> signals <paramref name="entered"/>
    /// and then awaits <paramref name="release"/> (a handler the app has not finished); every transition is recorded
    /// once its handler is done.
    /// </summary>
    private static GatewayClient BlockedClient(TestGateway gateway, ObservableFakeTimeProvider clock, ConnectionState blockOn, TaskCompletionSource entered, Task release, List<ConnectionState> seen)
    {
        var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
        }));
        client.OnStateChanged(async (e, _) =>
        {
            if (e.Current == blockOn)
            {
                entered.TrySetResult();
                await release;
            }

            lock (seen)
            {
                seen.Add(e.Current);
            }
        });
        return client;
    }

    [Fact]
    public async Task ConnectAsync_returns_after_the_OnStateChanged_handlers_up_to_Connected_have_run()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<ConnectionState>();
        await using var client = BlockedClient(gateway, clock, ConnectionState.Connected, entered, release.Task, seen);

        try
        {
            var connecting = client.ConnectAsync(Harness.Deadline());

            // ConnectAsync waits (bounded by CloseTimeout) for the Connected handler, which is still running.
            await entered.Task.WaitAsync(Harness.Deadline());
            await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
            Assert.False(connecting.IsCompleted);
            release.SetResult();
            await connecting;
        }
        finally
        {
            release.TrySetResult(); // a failed assertion must not leave the handler (and the client's dispose) waiting
        }

        lock (seen)
        {
            Assert.Equal(new[] { ConnectionState.Connecting, ConnectionState.Connected }, seen);
        }
    }

    [Fact]
    public async Task A_failed_ConnectAsync_throws_after_the_Failed_transition_was_reported()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        gateway.RefuseUpgrades(401);
        var clock = new ObservableFakeTimeProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<ConnectionState>();
        await using var client = BlockedClient(gateway, clock, ConnectionState.Failed, entered, release.Task, seen);

        try
        {
            var connecting = client.ConnectAsync(Harness.Deadline());

            await entered.Task.WaitAsync(Harness.Deadline());
            await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
            Assert.False(connecting.IsCompleted);
            release.SetResult();
            await Assert.ThrowsAsync<GatewayConnectionException>(() => connecting);
        }
        finally
        {
            release.TrySetResult();
        }

        lock (seen)
        {
            Assert.Equal(ConnectionState.Failed, seen[^1]);
        }
    }

    [Fact]
    public async Task DisconnectAsync_returns_after_the_OnStateChanged_handlers_up_to_Disconnected_have_run()
    {
        // Issue 25 measured DisconnectAsync returning before its handlers in 5 runs of 5.
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<ConnectionState>();
        await using var client = BlockedClient(gateway, clock, ConnectionState.Disconnected, entered, release.Task, seen);
        await client.ConnectAsync(Harness.Deadline());

        try
        {
            var disconnecting = client.DisconnectAsync(Harness.Deadline());

            // The Disconnected handler is running; DisconnectAsync waits for it (its CloseTimeout timer is set) instead of returning.
            await entered.Task.WaitAsync(Harness.Deadline());
            var first = await Task.WhenAny(disconnecting, clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline()));
            Assert.NotSame(disconnecting, first);
            Assert.False(disconnecting.IsCompleted);
            release.SetResult();
            await disconnecting;
        }
        finally
        {
            release.TrySetResult();
        }

        lock (seen)
        {
            Assert.Equal(new[] { ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnected }, seen);
        }
    }

    [Fact]
    public async Task A_handler_may_disconnect_the_client_without_waiting_for_itself()
    {
        // On a clock that never moves: were DisconnectAsync to wait for the handlers, this one among them, it would never return.
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { EnableHeartbeat = false }, o => o.TimeProvider = clock);
        var (gateway, client, states) = s;
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged(async (e, _) =>
        {
            if (e.Current == ConnectionState.Reconnecting)
            {
                await client.DisconnectAsync(CancellationToken.None); // the app gives up at the first drop
                handled.TrySetResult();
            }
        });

        await DropAndAwaitHandlerAsync(gateway, handled.Task, clock);

        Assert.Equal(ConnectionState.Disconnected, client.State);
        await states.WaitForAsync(ConnectionState.Disconnected, cancellationToken: Harness.Deadline());
    }

    [Fact]
    public async Task A_handler_may_connect_the_client_again_without_waiting_for_itself()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { EnableHeartbeat = false }, o =>
        {
            o.TimeProvider = clock;
            Harness.SingleAttempt(o);
        });
        var (gateway, client, states) = s;
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged(async (e, _) =>
        {
            if (e.Current == ConnectionState.Failed && !handled.Task.IsCompleted)
            {
                await client.ConnectAsync(CancellationToken.None); // the app starts over after a failure
                handled.TrySetResult();
            }
        });

        await DropAndAwaitHandlerAsync(gateway, handled.Task, clock);

        Assert.Equal(ConnectionState.Connected, client.State);
        await states.WaitForAsync(ConnectionState.Connected, 2, Harness.Deadline());
    }

    [Fact]
    public async Task Handlers_run_one_at_a_time_each_awaited_in_the_order_of_the_transitions_then_of_registration()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
        }));
        var log = new List<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Add(string entry)
        {
            lock (log)
            {
                log.Add(entry);
            }
        }

        client.OnStateChanged(async (e, _) =>
        {
            Add("first " + e.Current);
            if (e.Current == ConnectionState.Connecting)
            {
                await release.Task; // a handler that yields: nothing after it may start meanwhile
            }

            Add("first done " + e.Current);
        });
        client.OnStateChanged((e, _) =>
        {
            Add("second " + e.Current);
            return Task.CompletedTask;
        });

        try
        {
            var connecting = client.ConnectAsync(Harness.Deadline());

            // The handshake is over and ConnectAsync waits for the handlers (its CloseTimeout timer is set): the first
            // handler's Connecting call is still awaited, and nothing else has run.
            await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
            lock (log)
            {
                Assert.Equal(new[] { "first Connecting" }, log);
            }

            release.SetResult();
            await connecting;
        }
        finally
        {
            release.TrySetResult();
        }

        Assert.Equal(
            new[] { "first Connecting", "first done Connecting", "second Connecting", "first Connected", "first done Connected", "second Connected" },
            log);
    }

    [Fact]
    public async Task Handlers_never_run_on_the_receive_loop()
    {
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var (gateway, client, states) = s;
        var id = s.SessionId;
        var reading = client.ReadUntilAsync(e => e.Type == "message" && e.Sequence == 2, Harness.Deadline());
        await gateway.PublishMessagesAsync(id, "1");

        // The handler for the reconnection waits for an event that the new connection must receive while it waits.
        client.OnStateChanged(async (e, ct) =>
        {
            if (e.Current == ConnectionState.Connected)
            {
                await gateway.PublishMessagesAsync(id, "2");
                await reading.WaitAsync(ct);
            }
        });
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await states.WaitForAsync(ConnectionState.Connected, 2);

        Assert.Equal(new long?[] { 1, 2 }, (await reading).Select(e => e.Sequence));
    }

    [Fact]
    public async Task OnGap_runs_after_the_OnStateChanged_handler_that_announced_the_reconnect()
    {
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var (gateway, client, _) = s;
        var id = client.Session!.SessionId;
        var seen = new List<string>();
        client.OnStateChanged(async (e, _) =>
        {
            // The handler for Reconnecting is still running when the new connection's hole is already in the stream.
            if (e.Current == ConnectionState.Reconnecting)
            {
                await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
            }

            lock (seen)
            {
                seen.Add(e.Current.ToString());
            }
        });
        client.OnGap((gap, _) =>
        {
            lock (seen)
            {
                seen.Add("gap " + gap.Reason);
            }

            return Task.CompletedTask;
        });
        var reading = client.ReadAsync(2, Harness.Deadline()); // the consumer reads on throughout, as apps do
        await gateway.PublishMessagesAsync(id, "1");

        // The server loses the session's history while the connection is down: the reconnect reveals a hole.
        await gateway.RestartAsync(RestartMode.LoseHistory);
        await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        await gateway.PublishMessagesAsync(id, "after");
        await reading;

        lock (seen)
        {
            var gap = seen.FindIndex(x => x.StartsWith("gap", StringComparison.Ordinal));
            Assert.True(gap > 0, string.Join(", ", seen));
            Assert.Contains("Reconnecting", seen.Take(gap));
        }
    }

    [Fact]
    public async Task Several_gap_handlers_run_in_registration_order_in_stream_order()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = new List<string>();
        using var di = client.OnGap((gap, _) => { log.Add("di " + gap.Expected); return Task.CompletedTask; });   // as ConfigureClient would
        using var app = client.OnGap(async (gap, _) =>
        {
            await Task.Yield(); // awaited before the next handler and the next event
            log.Add("app " + gap.Expected);
        });
        using var last = client.OnGap((gap, _) => { log.Add("last " + gap.Expected); return Task.CompletedTask; });

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");
        await connection.SendTextAsync("""{"type":"message","seq":5}""");
        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            log.Add("event " + e.Sequence);
            if (e.Sequence == 5)
            {
                break;
            }
        }

        Assert.Equal(new[] { "event 1", "di 2", "app 2", "last 2", "event 5" }, log);
    }

    /// <summary>
    /// Drops the first connection and waits for the handler it sets off. The clock then passes the default CloseTimeout
    /// either way, so a failed wait never leaves the handler waiting on it.
    /// </summary>
    private static async Task DropAndAwaitHandlerAsync(TestGateway gateway, Task handled, ObservableFakeTimeProvider clock)
    {
        try
        {
            (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
            await handled.WaitAsync(Harness.Deadline());
        }
        finally
        {
            clock.Advance(TimeSpan.FromSeconds(5));
        }
    }
}

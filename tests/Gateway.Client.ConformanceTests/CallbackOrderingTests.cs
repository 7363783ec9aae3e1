using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// When the app's callbacks run relative to each other and to the client's own calls: StateChanged before
/// ConnectAsync returns, OnGap after the StateChanged that announced its reconnect, several gap handlers in
/// registration order, and none silently replaced.
/// </summary>
public class CallbackOrderingTests
{
    /// <summary>How long the client waits for the app's handlers; a value no other timer of these tests has, so its timer is the signal.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(7);

    /// <summary>
    /// A client on a fake clock whose StateChanged handler for <paramref name="blockOn"/> waits for <paramref name="release"/>
    /// (a handler the app has not finished); every transition is recorded once its handler is done.
    /// </summary>
    private static GatewayClient BlockedClient(TestGateway gateway, ObservableFakeTimeProvider clock, ConnectionState blockOn, ManualResetEventSlim release, List<ConnectionState> seen)
    {
        var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
        }));
        client.StateChanged += (_, e) =>
        {
            if (e.Current == blockOn)
            {
                release.Wait(Harness.Deadline());
            }

            lock (seen)
            {
                seen.Add(e.Current);
            }
        };
        return client;
    }

    [Fact]
    public async Task ConnectAsync_returns_after_the_StateChanged_handlers_up_to_Connected_have_run()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clock = new ObservableFakeTimeProvider();
        using var release = new ManualResetEventSlim();
        var seen = new List<ConnectionState>();
        await using var client = BlockedClient(gateway, clock, ConnectionState.Connected, release, seen);

        var connecting = client.ConnectAsync(Harness.Deadline());

        // ConnectAsync waits (bounded by CloseTimeout) for the Connected handler, which is still running.
        await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        release.Set();
        await connecting;

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
        using var release = new ManualResetEventSlim();
        var seen = new List<ConnectionState>();
        await using var client = BlockedClient(gateway, clock, ConnectionState.Failed, release, seen);

        var connecting = client.ConnectAsync(Harness.Deadline());

        await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        release.Set();
        await Assert.ThrowsAsync<GatewayConnectionException>(() => connecting);

        lock (seen)
        {
            Assert.Equal(ConnectionState.Failed, seen[^1]);
        }
    }

    [Fact]
    public async Task OnGap_runs_after_the_StateChanged_handler_that_announced_the_reconnect()
    {
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var (gateway, client, _) = s;
        var id = client.Session!.SessionId;
        var seen = new List<string>();
        client.StateChanged += (_, e) =>
        {
            // The handler for Reconnecting is still running when the new connection's hole is already in the stream.
            if (e.Current == ConnectionState.Reconnecting)
            {
                gateway.WaitForHandshakeAsync(2, Harness.Deadline()).Wait();
            }

            lock (seen)
            {
                seen.Add(e.Current.ToString());
            }
        };
        client.OnGap = (gap, _) =>
        {
            lock (seen)
            {
                seen.Add("gap " + gap.Reason);
            }

            return Task.CompletedTask;
        };
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
    public async Task Several_gap_handlers_run_in_registration_order_in_stream_order_and_none_is_replaced_silently()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = new List<string>();
        client.OnGap = (gap, _) => { log.Add("di " + gap.Expected); return Task.CompletedTask; };   // as ConfigureClient would
        using var app = client.AddGapHandler((gap, _) => { log.Add("app " + gap.Expected); return Task.CompletedTask; });
        var removed = client.AddGapHandler((_, _) => { log.Add("removed"); return Task.CompletedTask; });
        removed.Dispose();

        var error = Assert.Throws<InvalidOperationException>(() => client.OnGap = (_, _) => Task.CompletedTask);
        Assert.Contains("AddGapHandler", error.Message);

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

        Assert.Equal(new[] { "event 1", "di 2", "app 2", "event 5" }, log);

        // Replacing on purpose: null first.
        client.OnGap = null;
        client.OnGap = (_, _) => Task.CompletedTask;
        Assert.NotNull(client.OnGap);
    }
}

using Gateway.Client.Testing;
using Gateway.Client.TestSupport;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Every wait is bounded on the injected clock, whatever the app's code or the gateway does: a token
/// provider that ignores its token, an OnStateChanged handler that never returns, a gateway that stops
/// reading. Each test would hang (and fail at its safety deadline) without its bound.
/// </summary>
public class BoundedWaitTests
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(7);

    /// <summary>Sends bounded by <see cref="SendTimeout"/> on <paramref name="clock"/>; a dropped connection is resumed at once.</summary>
    private static void SendBoundedOn(ObservableFakeTimeProvider clock, GatewayClientOptions options)
    {
        Harness.ImmediateReconnect(options);
        options.TimeProvider = clock;
        options.SendTimeout = SendTimeout;
    }

    [Fact]
    public async Task A_cancelled_connect_returns_within_CloseTimeout_while_the_token_provider_ignores_its_token()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<string?>();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
            o.TokenProvider = _ =>
            {
                asked.TrySetResult();
                return new ValueTask<string?>(never.Task); // ignores its token
            };
        }));
        using var cancel = new CancellationTokenSource();

        var connecting = client.ConnectAsync(cancel.Token);
        await asked.Task.WaitAsync(Harness.Deadline());
        await cancel.CancelAsync();
        await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        clock.Advance(CloseTimeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting.WaitAsync(Harness.Deadline()));
        Assert.Equal(ConnectionState.Disconnected, client.State);
        Assert.Equal(0, gateway.AcceptedSockets);

        // The abandoned attempt is over for the client: dispose does not wait for it again.
        await client.DisposeAsync().AsTask().WaitAsync(Harness.Deadline());
    }

    [Fact]
    public async Task A_token_that_arrives_after_its_connect_was_abandoned_is_not_taken_for_the_next_runs_token()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var calls = 0;
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = new TaskCompletionSource<string?>(); // completes inline: the abandoned attempt resumes on this thread
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
            o.Reconnect.InitialDelay = TimeSpan.Zero;
            o.TokenProvider = _ =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    asked.TrySetResult();
                    return new ValueTask<string?>(late.Task); // ignores its token
                }

                return ValueTask.FromResult<string?>("current");
            };
        }));
        var states = new StateRecorder(client);
        using (var cancel = new CancellationTokenSource())
        {
            var abandoned = client.ConnectAsync(cancel.Token);
            await asked.Task.WaitAsync(Harness.Deadline());
            await cancel.CancelAsync();
            await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
            clock.Advance(CloseTimeout);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Harness.Deadline()));
        }

        await client.ConnectAsync(Harness.Deadline());
        late.SetResult("stale");

        // The gateway refuses the credentials; the provider still gives the token that was refused, so
        // the client stops. Had the stale answer been kept as the last token used, "current" would look
        // new and the client would retry with it.
        await (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).CloseAsync(4003, "token rejected");
        var afterRefusal = await states.WaitForAsync(s => s.Previous == ConnectionState.Connected, cancellationToken: Harness.Deadline());
        Assert.Equal(ConnectionState.Failed, afterRefusal.Current);
        Assert.Equal(1, gateway.AcceptedSockets);
    }

    [Fact]
    public async Task Dispose_returns_within_CloseTimeout_while_a_reconnects_token_provider_ignores_its_token()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var calls = 0;
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<string?>();
        var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
            o.Reconnect.InitialDelay = TimeSpan.Zero;
            o.TokenProvider = _ =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    return ValueTask.FromResult<string?>(null);
                }

                asked.TrySetResult();
                return new ValueTask<string?>(never.Task);
            };
        }));
        await client.ConnectAsync(Harness.Deadline());
        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await asked.Task.WaitAsync(Harness.Deadline());

        var disposing = client.DisposeAsync().AsTask();
        await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
        Assert.False(disposing.IsCompleted);
        clock.Advance(CloseTimeout);

        await disposing.WaitAsync(Harness.Deadline());
        Assert.Equal(ConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Dispose_returns_within_CloseTimeout_while_an_OnStateChanged_handler_never_returns()
    {
        var clock = new ObservableFakeTimeProvider();
        using var logs = new TestSupport.CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
        }), logs);
        client.OnStateChanged((e, _) =>
        {
            if (e.Current == ConnectionState.Connected)
            {
                blocked.TrySetResult();
                release.Wait(); // the app's handler hangs
            }

            return Task.CompletedTask;
        });
        // ConnectAsync waits for the OnStateChanged handlers up to Connected, but no longer than CloseTimeout.
        var connecting = client.ConnectAsync(Harness.Deadline());
        await blocked.Task.WaitAsync(Harness.Deadline());
        await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        clock.Advance(CloseTimeout);
        await connecting.WaitAsync(Harness.Deadline());
        Assert.Contains(logs.Entries, e => e.EventId == 31);

        var disposing = client.DisposeAsync().AsTask();
        await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
        Assert.False(disposing.IsCompleted);
        clock.Advance(CloseTimeout);
        await disposing.WaitAsync(Harness.Deadline());
        release.Set();

        Assert.Contains(logs.Entries, e => e.EventId == 21);
        Assert.Equal(ConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task DisconnectAsync_returns_within_CloseTimeout_without_throwing_while_its_OnStateChanged_handler_never_returns()
    {
        var clock = new ObservableFakeTimeProvider();
        using var logs = new TestSupport.CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = CloseTimeout;
        }), logs);
        client.OnStateChanged((e, _) =>
        {
            if (e.Current != ConnectionState.Disconnected)
            {
                return Task.CompletedTask;
            }

            blocked.TrySetResult();
            return never.Task; // the app's handler never finishes, and ignores its token
        });
        await client.ConnectAsync(Harness.Deadline());

        try
        {
            var disconnecting = client.DisconnectAsync(Harness.Deadline());
            await blocked.Task.WaitAsync(Harness.Deadline());
            await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
            Assert.False(disconnecting.IsCompleted);
            clock.Advance(CloseTimeout);

            await disconnecting.WaitAsync(Harness.Deadline());
            Assert.Equal(ConnectionState.Disconnected, client.State);
            Assert.Contains(logs.Entries, e => e.EventId == 31);
        }
        finally
        {
            never.TrySetResult(); // the client's dispose does not wait for it, on a clock that no longer moves
        }
    }

    [Fact]
    public async Task A_send_the_gateway_never_reads_fails_after_SendTimeout_and_the_connection_is_resumed()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, MaxPayload = 64 * 1024 * 1024 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => SendBoundedOn(clock, o)));
        var states = new StateRecorder(client);
        await client.ConnectAsync(Harness.Deadline());
        var first = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        first.StopReading(); // the socket's buffers fill and a send blocks

        // One frame larger than every socket buffer between the two ends (on Linux at most 4 MiB to send and
        // 32 MiB to receive) cannot finish; it is never given up before SendTimeout on the client's clock.
        // The clock moves once, by exactly SendTimeout: a loop of smaller sends that moved it whenever one was
        // under way also moved liveness, which could then retire the next connection too.
        var stuck = client.SendMessageAsync(new string('x', 40 * 1024 * 1024), Harness.Deadline());
        await clock.WaitForTimerAsync(SendTimeout, Harness.Deadline());
        Assert.False(stuck.IsCompleted);
        clock.Advance(SendTimeout);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => stuck.WaitAsync(Harness.Deadline()));
        Assert.Contains("SendTimeout", error.Message, StringComparison.Ordinal);
        await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        var down = await states.WaitForAsync(ConnectionState.Reconnecting);
        Assert.IsType<TimeoutException>(Assert.IsType<GatewayConnectionException>(down.Cause).InnerException);
        await client.SendMessageAsync("after", Harness.Deadline());
        Assert.Equal("after", (await gateway.Handshakes[1].WaitForFrameAsync("message", Harness.Deadline())).GetProperty("content").GetString());
    }

    [Fact]
    public async Task Events_keep_arriving_while_a_send_is_stuck_behind_a_gateway_that_stopped_reading_and_pings()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, MaxPayload = 64 * 1024 * 1024 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => SendBoundedOn(clock, o)));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        connection.StopReading();

        // One frame larger than every socket buffer between the two ends (on Linux at most 4 MiB to send
        // and 32 MiB to receive): it cannot be written while the gateway does not read.
        var stuck = client.SendMessageAsync(new string('x', 40 * 1024 * 1024), Harness.Deadline());
        await clock.WaitForTimerAsync(SendTimeout, Harness.Deadline());
        Assert.True(await connection.SendTextAsync("""{"type":"ping"}"""));
        await gateway.PublishMessagesAsync(client.Session!.SessionId, "during");

        // The pong waits for the stuck send off the receive loop, so the event behind the ping arrives.
        var during = Assert.Single(await client.ReadAsync(1, Harness.Deadline()));
        Assert.Equal(1, during.Sequence);
        Assert.False(stuck.IsCompleted);
        clock.Advance(SendTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => stuck.WaitAsync(Harness.Deadline()));
    }
}

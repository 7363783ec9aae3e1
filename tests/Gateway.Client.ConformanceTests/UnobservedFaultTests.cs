using Gateway.Client.Testing;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// No fault leaves a faulted task nobody observes. Each test drives one class of fault, disposes, then
/// forces every unreachable task to be finalized and asserts that none surfaced unobserved.
/// </summary>
[Collection(SerialCollection.Name)]
public class UnobservedFaultTests
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(7);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Timed_out_handshakes_leave_no_unobserved_exception()
    {
        using var unobserved = new UnobservedTaskExceptions();
        var clock = new ObservableFakeTimeProvider();
        var gatewayClock = new ObservableFakeTimeProvider();
        await using (var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, TimeProvider = gatewayClock }))
        {
            const int attempts = 96;
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                gateway.DelayNextHandshake(TimeSpan.FromHours(attempt)); // on the gateway's clock, which never moves
            }

            await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
            {
                Harness.ImmediateReconnect(o);
                o.TimeProvider = clock;
                o.HandshakeTimeout = HandshakeTimeout;
                o.AllowLegacyHandshake = false; // one timeout an attempt: no fall-back to join
                o.Reconnect.MaxAttempts = attempts;
                o.Reconnect.RetryInitialConnect = true;
            }));
            var connecting = client.ConnectAsync(Harness.Deadline(60));

            // Each attempt's hello waits for an answer that never comes: once the gateway holds it (the socket is
            // open, so the client's only wait of that length is the handshake's), move the clock past the timeout.
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                await gatewayClock.WaitForTimerAsync(TimeSpan.FromHours(attempt), Harness.Deadline());
                await clock.WaitForTimerAsync(HandshakeTimeout, Harness.Deadline());
                clock.Advance(HandshakeTimeout);
            }

            var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => connecting);
            Assert.Equal(HandshakeErrorCodes.Timeout, error.Code);
            Assert.Equal(attempts, gateway.Connections.Count);
        }

        Assert.Empty(unobserved.Collect());
    }

    [Fact]
    public async Task A_stuck_send_abandoned_by_dispose_leaves_no_unobserved_exception()
    {
        using var unobserved = new UnobservedTaskExceptions();
        var clock = new ObservableFakeTimeProvider();
        await using (var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, MaxPayload = 64 * 1024 * 1024 }))
        {
            var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
            {
                o.TimeProvider = clock;
                o.SendTimeout = SendTimeout;
                o.CloseTimeout = CloseTimeout;
            }));
            await client.ConnectAsync(Harness.Deadline());
            (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).StopReading();

            // Larger than every socket buffer between the ends: it cannot be written while the gateway does not read.
            var stuck = client.SendMessageAsync(new string('x', 40 * 1024 * 1024), Harness.Deadline());
            await clock.WaitForTimerAsync(SendTimeout, Harness.Deadline());

            // The leave waits behind the stuck send until CloseTimeout; the dispose then aborts the connection.
            var disposing = client.DisposeAsync().AsTask();
            await clock.WaitForTimerAsync(CloseTimeout, Harness.Deadline());
            clock.Advance(CloseTimeout);
            await disposing.WaitAsync(Harness.Deadline());

            await Assert.ThrowsAnyAsync<Exception>(() => stuck.WaitAsync(Harness.Deadline()));
            Assert.Equal(ConnectionState.Disconnected, client.State);
        }

        Assert.Empty(unobserved.Collect());
    }

    [Fact]
    public async Task Drops_terminal_closes_and_a_failing_token_provider_leave_no_unobserved_exception()
    {
        using var unobserved = new UnobservedTaskExceptions();
        await using (var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false }))
        {
            // Abrupt drops mid-stream, each resumed, then a terminal close.
            await using (var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.ImmediateReconnect)))
            {
                var states = new StateRecorder(client);
                await client.ConnectAsync(Harness.Deadline());
                for (var drop = 1; drop <= 3; drop++)
                {
                    await gateway.PublishMessagesAsync(client.Session!.SessionId, drop.ToString());
                    (await gateway.WaitForHandshakeAsync(drop, Harness.Deadline())).Drop();
                    await states.WaitForAsync(ConnectionState.Connected, drop + 1);
                }

                var pendingRequest = client.RequestAsync("never.answered", default, Harness.Deadline());
                await (await gateway.WaitForHandshakeAsync(4, Harness.Deadline())).CloseAsync(4028, "unauthorized frames");
                await states.WaitForAsync(ConnectionState.Failed);
                await Assert.ThrowsAnyAsync<GatewayException>(() => pendingRequest);
            }

            // A token provider that throws on every attempt.
            var calls = 0;
            await using (var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
            {
                Harness.ImmediateReconnect(o);
                o.Reconnect.MaxAttempts = 3;
                o.TokenProvider = _ =>
                {
                    Interlocked.Increment(ref calls);
                    throw new InvalidOperationException("the vault is sealed");
                };
            })))
            {
                await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(Harness.Deadline()));
                Assert.True(Volatile.Read(ref calls) >= 1);
            }
        }

        Assert.Empty(unobserved.Collect());
    }
}

using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A handshake that times out names the answer that was really waited for, and for how long (docs/protocol.md,
/// "Handshake", legacy fallback); the message variants are unit-tested in PraisonAIHandshakeTimeoutTests.
/// </summary>
public class HandshakeTimeoutTests
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_protocol_2_server_that_answers_hello_late_fails_when_its_answer_comes_naming_hello()
    {
        // Before: the late hello_ok was ignored during the legacy join, and the attempt failed 20 s in with
        // "The gateway sent no 'joined' within 10 s of the legacy join".
        var clientClock = new ObservableFakeTimeProvider();
        var gatewayClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = gatewayClock, EnableHeartbeat = false });
        gateway.DelayNextHandshake(TimeSpan.FromSeconds(12));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TimeProvider = clientClock));
        var start = clientClock.GetUtcNow();

        var connecting = client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());
        await connection.WaitForFrameAsync("hello", Harness.Deadline());
        await clientClock.WaitForTimerAsync(HandshakeTimeout, Harness.Deadline());
        clientClock.Advance(HandshakeTimeout);
        await clientClock.WaitForTimerAsync(HandshakeTimeout, Harness.Deadline()); // the legacy join's wait began
        await gatewayClock.WaitForTimerAsync(TimeSpan.FromSeconds(12), Harness.Deadline());
        gatewayClock.Advance(TimeSpan.FromSeconds(12)); // hello_ok, 2 s late

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => connecting);

        Assert.StartsWith("The gateway answered hello only after HandshakeTimeout (10 s) had passed, when the client had already fallen back to the legacy join", error.Message);
        Assert.Equal(HandshakeErrorCodes.Timeout, error.Code);
        Assert.Equal(HandshakeTimeout, clientClock.GetUtcNow() - start); // not a second HandshakeTimeout for the join
    }

    [Fact]
    public async Task A_server_that_answers_neither_hello_nor_the_join_fails_after_both_naming_both()
    {
        var clientClock = new ObservableFakeTimeProvider();
        var gatewayClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = gatewayClock, EnableHeartbeat = false });
        gateway.DelayNextHandshake(TimeSpan.FromHours(1)); // its clock never moves: nothing is answered
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TimeProvider = clientClock));
        var start = clientClock.GetUtcNow();

        var connecting = client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());
        await connection.WaitForFrameAsync("hello", Harness.Deadline());
        await clientClock.WaitForTimerAsync(HandshakeTimeout, Harness.Deadline());
        clientClock.Advance(HandshakeTimeout);
        await clientClock.WaitForTimerAsync(HandshakeTimeout, Harness.Deadline());
        clientClock.Advance(HandshakeTimeout);

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => connecting);

        Assert.Equal(
            "The gateway answered neither hello (nothing within 10 s) nor the legacy join sent after it (no 'joined' within 10 s more; 20 s in all, HandshakeTimeout twice).",
            error.Message);
        Assert.Equal(2 * HandshakeTimeout, clientClock.GetUtcNow() - start);
    }
}

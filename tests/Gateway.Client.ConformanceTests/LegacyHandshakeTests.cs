using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Handshake", legacy servers: the join fallback.</summary>
public class LegacyHandshakeTests
{
    [Fact]
    public async Task A_server_that_ignores_hello_gets_join_after_the_handshake_timeout()
    {
        var clientClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true, ProtocolMax = 1 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clientClock;
            o.HandshakeTimeout = TimeSpan.FromSeconds(5);
        }));

        var connecting = client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());
        await connection.WaitForFrameAsync("hello", Harness.Deadline());
        await clientClock.WaitForTimerAsync(TimeSpan.FromSeconds(5), Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        clientClock.Advance(TimeSpan.FromSeconds(5));
        await connecting;

        var join = await connection.WaitForFrameAsync("join", Harness.Deadline());
        Assert.Equal(1, join.GetProperty("min_version").GetInt32());
        Assert.True(client.Session!.IsLegacyHandshake);
        Assert.Equal(1, client.Session.Protocol);
        Assert.Equal("healthy", client.Session.Snapshot!.Value.GetProperty("health").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_server_that_answers_hello_with_error_gets_join_at_once()
    {
        var clientClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true, ProtocolMax = 1, LegacyHelloBehavior = LegacyHelloBehavior.Error });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TimeProvider = clientClock));

        // No time passes on the client's clock: the fallback cannot have come from a timeout.
        await client.ConnectAsync(Harness.Deadline());

        Assert.True(client.Session!.IsLegacyHandshake);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_reconnect_to_a_legacy_server_goes_straight_to_join_and_resumes()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true, ProtocolMax = 1, LegacyHelloBehavior = LegacyHelloBehavior.Error });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var sessionId = client.Session!.SessionId;
        await gateway.PublishAsync(sessionId, "message", Harness.Data("text", "one"), EnvelopeShape.Flat);
        await client.ReadAsync(1, Harness.Deadline());
        await client.DisconnectAsync(Harness.Deadline());
        await gateway.PublishAsync(sessionId, "message", Harness.Data("text", "two"), EnvelopeShape.Flat);

        await client.ConnectAsync(Harness.Deadline());

        var second = await gateway.WaitForHandshakeAsync(2, Harness.Deadline());
        Assert.DoesNotContain(second.ReceivedFrames, f => f.GetProperty("type").GetString() == "hello");
        var join = await second.WaitForFrameAsync("join", Harness.Deadline());
        Assert.Equal(sessionId, join.GetProperty("session_id").GetString());
        Assert.Equal(1, join.GetProperty("since").GetInt64());

        // The legacy replay wrapper (with its top-level seq) is unwrapped like any other.
        var replayed = Assert.Single(await client.ReadUntilAsync(e => e.Sequence == 2, Harness.Deadline()), e => e.Sequence is not null);
        Assert.True(replayed.IsReplay);
        Assert.Equal("two", replayed.Frame.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_legacy_resume_beyond_the_window_gets_a_snapshot_and_a_gap()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true, ProtocolMax = 1, LegacyHelloBehavior = LegacyHelloBehavior.Error, RetentionWindow = 2 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        var gaps = new List<GapInfo>();
        client.OnGap((gap, _) =>
        {
            gaps.Add(gap);
            return Task.CompletedTask;
        });
        await client.ConnectAsync(Harness.Deadline());
        var sessionId = client.Session!.SessionId;
        await gateway.PublishAsync(sessionId, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);
        await client.ReadAsync(1, Harness.Deadline());
        await client.DisconnectAsync(Harness.Deadline());
        for (var i = 2; i <= 6; i++)
        {
            await gateway.PublishAsync(sessionId, "message", Harness.Data("n", i.ToString()), EnvelopeShape.Flat);
        }

        await client.ConnectAsync(Harness.Deadline());
        await gateway.PublishAsync(sessionId, "message", Harness.Data("n", "7"), EnvelopeShape.Flat);
        var events = await client.ReadUntilAsync(e => e.Sequence == 7, Harness.Deadline());

        var gap = Assert.Single(gaps);
        Assert.Equal(GapReason.ReplayWindowExceeded, gap.Reason);
        Assert.Equal(2, gap.Expected);
        Assert.Equal(7, gap.Received);
        Assert.Equal(new long?[] { 7 }, events.Where(e => e.Sequence is not null).Select(e => e.Sequence));
        Assert.Equal(6, client.Session!.Snapshot!.Value.GetProperty("cursor").GetInt64());
    }

    [Fact]
    public async Task A_legacy_version_mismatch_is_a_typed_error()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true, ProtocolMin = 1, ProtocolMax = 1, LegacyHelloBehavior = LegacyHelloBehavior.Error });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.MinProtocol = 2));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.VersionUnsupported, error.Code);
        Assert.Equal(new ProtocolRange(1, 1), error.ServerProtocol);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task Without_legacy_fallback_a_legacy_error_answer_is_a_typed_error()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true, LegacyHelloBehavior = LegacyHelloBehavior.Error });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.AllowLegacyHandshake = false));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Contains("legacy", error.Message);
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());
        Assert.DoesNotContain(connection.ReceivedFrames, f => f.GetProperty("type").GetString() == "join");
    }
}

using System.Text.Json;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Handshake": the hello handshake and version negotiation.</summary>
public class HandshakeTests
{
    [Fact]
    public async Task Hello_offers_the_client_range_as_integers_with_capabilities()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        await client.ConnectAsync(Harness.Deadline());

        var hello = await (await gateway.WaitForConnectionAsync(1, Harness.Deadline())).WaitForFrameAsync("hello", Harness.Deadline());
        Assert.Equal(JsonValueKind.Number, hello.GetProperty("protocol_min").ValueKind);
        Assert.Equal(1, hello.GetProperty("protocol_min").GetInt32());
        Assert.Equal(2, hello.GetProperty("protocol_max").GetInt32());
        Assert.Equal("support", hello.GetProperty("agent_id").GetString());
        Assert.Equal(new[] { "streaming" }, hello.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString())); // the dialect's default
        Assert.False(hello.TryGetProperty("since", out _));
    }

    [Fact]
    public async Task The_highest_common_version_is_negotiated_and_the_session_is_exposed()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { MaxPayload = 4096 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        await client.ConnectAsync(Harness.Deadline());

        var session = client.Session!;
        var serverSession = (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Session!;
        Assert.Equal(2, session.Protocol);
        Assert.False(session.IsLegacyHandshake);
        Assert.False(session.Resumed);
        Assert.Equal(serverSession.Id, session.SessionId);
        Assert.Equal(serverSession.Epoch, session.Epoch);
        Assert.Equal(0, session.HeadSequence);
        Assert.Equal(1, session.OldestSequence);
        Assert.Equal(4096, session.Policy.MaxPayload);
        Assert.Equal(TimeSpan.FromSeconds(30), session.Policy.HeartbeatInterval);
        Assert.Contains("message", session.Features.Methods);
        Assert.Contains("token_stream", session.Features.Events);
        Assert.Equal("healthy", session.Snapshot!.Value.GetProperty("health").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_protocol_1_only_server_gets_protocol_1_without_protocol_2_fields()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ProtocolMax = 1 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        await client.ConnectAsync(Harness.Deadline());

        Assert.Equal(1, client.Session!.Protocol);
        Assert.Null(client.Session.Epoch);
        Assert.Null(client.Session.Snapshot);
    }

    [Fact]
    public async Task A_client_too_old_gets_a_typed_mismatch_with_both_ranges_and_upgrade_client()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ProtocolMin = 3, ProtocolMax = 4 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.ProtocolUnsupported, error.Code);
        Assert.Equal(HandshakeNextSteps.UpgradeClient, error.NextStep);
        Assert.Equal(new ProtocolRange(1, 2), error.ClientProtocol);
        Assert.Equal(new ProtocolRange(3, 4), error.ServerProtocol);
        Assert.False(error.IsRetryable);
        Assert.Contains("1..2", error.Message);
        Assert.Contains("3..4", error.Message);
        Assert.Equal(ConnectionState.Failed, client.State);
    }

    [Fact]
    public async Task A_client_too_new_gets_downgrade_client()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { ProtocolMax = 1 });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.MinProtocol = 2));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.ProtocolUnsupported, error.Code);
        Assert.Equal(HandshakeNextSteps.DowngradeClient, error.NextStep);
        Assert.Equal(new ProtocolRange(2, 2), error.ClientProtocol);
        Assert.Equal(new ProtocolRange(1, 1), error.ServerProtocol);
    }

    [Fact]
    public async Task The_client_closes_the_socket_after_a_hello_error()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RejectNextHandshake(new HandshakeRejection("pairing_required", "Pair first", HandshakeNextSteps.Repair));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal("pairing_required", error.Code);
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());
        await connection.Closed.WaitAsync(Harness.Deadline());
        Assert.NotNull(connection.ClientCloseStatus);
    }

    [Fact]
    public async Task Rate_limiting_is_retryable_and_carries_retry_after()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "Too many connection attempts", HandshakeNextSteps.WaitThenRetry, RetryAfterSeconds: 42));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.True(error.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(42), error.RetryAfter);
        Assert.Equal(HandshakeNextSteps.WaitThenRetry, error.NextStep);
    }

    [Fact]
    public async Task A_hello_error_followed_by_a_close_still_surfaces_the_error()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "Too many attempts", RetryAfterSeconds: 3, CloseCode: 4008));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal("rate_limited", error.Code);
    }

    [Fact]
    public async Task An_unknown_agent_is_a_terminal_error()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { AgentIds = new[] { "sales" } });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.AgentNotFound, error.Code);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task A_slow_handshake_within_the_timeout_succeeds()
    {
        var serverClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = serverClock, EnableHeartbeat = false });
        gateway.DelayNextHandshake(TimeSpan.FromSeconds(3));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        var connecting = client.ConnectAsync(Harness.Deadline());
        await serverClock.WaitForTimerAsync(TimeSpan.FromSeconds(3), Harness.Deadline());
        Assert.False(connecting.IsCompleted);
        serverClock.Advance(TimeSpan.FromSeconds(3));
        await connecting;

        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_with_a_handshake_timeout_when_legacy_is_off()
    {
        var clientClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { LegacyOnly = true });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.AllowLegacyHandshake = false;
            o.TimeProvider = clientClock;
            o.HandshakeTimeout = TimeSpan.FromSeconds(7);
            o.Reconnect.MaxAttempts = 1;
        }));

        var connecting = client.ConnectAsync(Harness.Deadline());
        await (await gateway.WaitForConnectionAsync(1, Harness.Deadline())).WaitForFrameAsync("hello", Harness.Deadline());
        await clientClock.WaitForTimerAsync(TimeSpan.FromSeconds(7), Harness.Deadline());
        clientClock.Advance(TimeSpan.FromSeconds(7));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => connecting);
        Assert.Equal(HandshakeErrorCodes.Timeout, error.Code);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task State_changes_are_raised_in_order_naming_both_states()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        var transitions = new List<string>();
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged((e, _) =>
        {
            transitions.Add($"{e.Previous}->{e.Current}");
            if (e.Current == ConnectionState.Disconnected)
            {
                disconnected.TrySetResult();
            }

            return Task.CompletedTask;
        });

        await client.ConnectAsync(Harness.Deadline());
        await client.DisconnectAsync(Harness.Deadline());
        await disconnected.Task.WaitAsync(Harness.Deadline());

        Assert.Equal(new[] { "Disconnected->Connecting", "Connecting->Connected", "Connected->Disconnected" }, transitions);
    }

    [Fact]
    public async Task A_throwing_state_handler_does_not_break_the_client()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged((e, _) =>
        {
            if (e.Current == ConnectionState.Connecting)
            {
                throw new InvalidOperationException("handler bug");
            }

            second.TrySetResult();
            return Task.CompletedTask;
        });

        await client.ConnectAsync(Harness.Deadline());
        await second.Task.WaitAsync(Harness.Deadline());

        Assert.Equal(ConnectionState.Connected, client.State);
    }
}

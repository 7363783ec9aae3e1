using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Transport and authentication": transport and authentication.</summary>
public class TransportAndAuthenticationTests
{
    private const string Secret = "tok-3f9a-very-secret";

    [Fact]
    public async Task The_token_travels_as_the_token_query_parameter()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        await client.ConnectAsync(Harness.Deadline());

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.Equal(Secret, connection.Query["token"]);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task The_token_provider_is_asked_on_connect()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret });
        var asked = 0;
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TokenProvider = _ =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult<string?>(Secret);
        }));

        await client.ConnectAsync(Harness.Deadline());

        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task The_token_can_also_go_in_an_authorization_header()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret, AcceptAuthorizationHeader = true });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TokenPlacement = TokenPlacement.AuthorizationHeader));

        await client.ConnectAsync(Harness.Deadline());

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.Equal("Bearer " + Secret, connection.Headers["authorization"]);
        Assert.False(connection.Query.ContainsKey("token"));
    }

    [Fact]
    public async Task A_missing_token_fails_with_a_typed_terminal_auth_error()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TokenProvider = null));

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.AuthRequired, error.Code);
        Assert.Equal(HandshakeNextSteps.Reauthenticate, error.NextStep);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Failed, client.State);
    }

    [Fact]
    public async Task A_wrong_token_is_rejected_before_the_client_speaks_and_never_leaks()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = Secret });
        var logs = new CapturingLoggerProvider();
        const string wrong = "wrong-token-7d1c";
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o => o.TokenProvider = _ => ValueTask.FromResult<string?>(wrong)), logs);
        var states = new List<ConnectionStateChangedEventArgs>();
        client.OnStateChanged((e, _) =>
        {
            states.Add(e);
            return Task.CompletedTask;
        });

        var error = await Assert.ThrowsAsync<GatewayHandshakeException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Equal(HandshakeErrorCodes.AuthUnauthorized, error.Code);
        await client.DisposeAsync();
        var everything = string.Join("\n", error.ToString(), client.ToString(), logs.AllText, string.Join("\n", states.Select(s => s.ToString() + s.Cause)));
        Assert.DoesNotContain(wrong, everything);

        // The search above is only meaningful if the failure was actually logged.
        Assert.Contains($"Connecting to {gateway.Url}", logs.AllText);
        Assert.Contains("auth_unauthorized", logs.AllText);
    }

    [Fact]
    public async Task A_refused_connection_surfaces_a_connection_error_naming_the_redacted_url()
    {
        // Bind a port, then free it, so nothing listens there.
        int port;
        await using (var probe = await TestGateway.StartAsync())
        {
            port = probe.Port;
        }

        await using var client = new GatewayClient(new GatewayClientOptions
        {
            Url = new Uri($"ws://127.0.0.1:{port}/ws"),
            AgentId = "support",
            TokenProvider = _ => ValueTask.FromResult<string?>(Secret),
            Reconnect = { MaxAttempts = 1 },
        });

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        Assert.Contains($"127.0.0.1:{port}/ws", error.Message);
        Assert.DoesNotContain(Secret, error.ToString());
        Assert.Equal(ConnectionState.Failed, client.State);
    }
}

using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary><see cref="TestGatewayOptions.Port"/>: any free port by default, a fixed one on request, a clear error when it is taken.</summary>
public class TestGatewayPortTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public async Task A_port_outside_0_to_65535_is_refused_before_listening(int port)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TestGateway.StartAsync(new TestGatewayOptions { Port = port }));

        Assert.Equal(nameof(TestGatewayOptions.Port), error.ParamName);
        Assert.Contains("0 (any free port) or a port from 1 to 65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_with_a_typed_error_naming_the_port()
    {
        await using var holder = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });

        var error = await Assert.ThrowsAsync<TestGatewayPortInUseException>(() => TestGateway.StartAsync(new TestGatewayOptions { Port = holder.Port }));

        Assert.Equal(holder.Port, error.Port);
        Assert.Contains($"127.0.0.1:{holder.Port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
        Assert.IsType<System.Net.Sockets.SocketException>(error.InnerException);
    }

    [Fact]
    public async Task A_gateway_started_again_on_the_same_fixed_port_is_found_by_the_reconnecting_client()
    {
        var first = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false }); // port 0: any free port
        var port = first.Port;
        Assert.NotEqual(0, port);
        await using var client = new GatewayClient(Harness.OptionsFor(first, options =>
        {
            options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(20);
            options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(50);
        }));
        await client.ConnectAsync(Harness.Deadline());
        await first.WaitForHandshakeAsync(1, Harness.Deadline());

        await first.DisposeAsync();
        await using var second = await TestGateway.StartAsync(new TestGatewayOptions { Port = port, EnableHeartbeat = false });

        Assert.Equal(port, second.Port);
        Assert.Equal(first.Url, second.Url);
        var handshake = await second.WaitForHandshakeAsync(1, Harness.Deadline());
        Assert.NotNull(handshake.Session);
    }
}

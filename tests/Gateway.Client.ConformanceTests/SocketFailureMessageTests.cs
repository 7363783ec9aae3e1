using System.Net;
using System.Net.Sockets;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A connection that cannot open says why in its own message: the socket's reason ("Connection refused", "Name or
/// service not known"), which .NET keeps several inner exceptions down under "Unable to connect to the remote server".
/// </summary>
public class SocketFailureMessageTests
{
    [Fact]
    public async Task A_port_where_nothing_listens_says_connection_refused()
    {
        // Bound but never listening: the port stays ours for the whole test (no other process can take it), and a
        // connection to it is refused.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        await using var client = new GatewayClient(new GatewayClientOptions { Url = new Uri($"ws://127.0.0.1:{port}/ws"), AgentId = "support" });

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        var socketError = InnermostSocketException(error);
        Assert.Equal(SocketError.ConnectionRefused, socketError.SocketErrorCode);
        Assert.Equal($"Could not connect to ws://127.0.0.1:{port}/ws: {socketError.Message} (ConnectionRefused)", error.Message);
    }

    [ResolverFact]
    public async Task A_host_name_that_does_not_resolve_says_so()
    {
        await using var client = new GatewayClient(new GatewayClientOptions { Url = new Uri($"ws://{ResolverFactAttribute.UnresolvableHost}/ws"), AgentId = "support" });

        var error = await Assert.ThrowsAsync<GatewayConnectionException>(() => client.ConnectAsync(Harness.Deadline()));

        var socketError = InnermostSocketException(error);
        Assert.Equal(SocketError.HostNotFound, socketError.SocketErrorCode);
        Assert.Equal($"Could not connect to ws://{ResolverFactAttribute.UnresolvableHost}/ws: {socketError.Message} (HostNotFound)", error.Message);
    }

    /// <summary>The socket's own exception, still inside the typed one.</summary>
    private static SocketException InnermostSocketException(Exception error)
    {
        SocketException? found = null;
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            found = inner as SocketException ?? found;
        }

        return Assert.IsType<SocketException>(found);
    }
}

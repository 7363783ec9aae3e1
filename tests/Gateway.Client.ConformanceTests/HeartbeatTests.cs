using System.Net.WebSockets;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>docs/protocol.md, "Liveness": the client answers the server's pings, so the server's liveness check keeps it.</summary>
public class HeartbeatTests
{
    [Fact]
    public async Task Server_pings_are_answered_with_pong_and_never_delivered()
    {
        var serverClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = serverClock, HeartbeatInterval = TimeSpan.FromSeconds(30) });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        serverClock.Advance(TimeSpan.FromSeconds(30));
        await connection.WaitForFrameAsync("pong", Harness.Deadline());
        await gateway.PublishUnnumberedAsync(client.Session!.SessionId, new() { ["type"] = "marker" });

        Assert.Equal("marker", Assert.Single(await client.ReadAsync(1, Harness.Deadline())).Type);
    }

    [Fact]
    public async Task A_client_that_answers_pings_survives_the_liveness_reaper_while_a_silent_socket_does_not()
    {
        var serverClock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { TimeProvider = serverClock, HeartbeatInterval = TimeSpan.FromSeconds(10) });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        await client.ConnectAsync(Harness.Deadline());
        var clientConnection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        using var silent = new ClientWebSocket();
        await silent.ConnectAsync(gateway.Url, Harness.Deadline());
        var silentConnection = await gateway.WaitForConnectionAsync(2, Harness.Deadline());

        for (var tick = 1; tick <= 3; tick++)
        {
            serverClock.Advance(TimeSpan.FromSeconds(10));
            var pongs = tick;
            await clientConnection.WaitForFrameAsync(_ => clientConnection.ReceivedFrames.Count(f => f.GetProperty("type").GetString() == "pong") >= pongs, Harness.Deadline());
        }

        // The silent socket received pings it never answered: reaped with 4002.
        var buffer = new byte[1024];
        WebSocketReceiveResult result;
        do
        {
            result = await silent.ReceiveAsync(buffer, Harness.Deadline());
        }
        while (result.MessageType != WebSocketMessageType.Close);

        Assert.Equal(4002, (int)result.CloseStatus!.Value);
        await silent.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Harness.Deadline());
        await silentConnection.Closed.WaitAsync(Harness.Deadline());
        Assert.True(clientConnection.IsOpen);
        Assert.Equal(ConnectionState.Connected, client.State);
    }
}

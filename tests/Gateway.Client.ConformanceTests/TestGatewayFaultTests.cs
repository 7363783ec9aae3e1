using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// The reference server's own behaviour, seen through a raw <see cref="ClientWebSocket"/> rather than
/// our client, so a fault that silently did nothing could not pass the client's tests.
/// </summary>
public class TestGatewayFaultTests
{
    private static async Task<string?> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, Harness.Deadline());
        return result.MessageType == WebSocketMessageType.Close ? null : Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static Task SendTextAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Harness.Deadline());

    private static async Task<(ClientWebSocket Socket, JsonElement HelloOk)> HelloAsync(TestGateway gateway)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(gateway.Url, Harness.Deadline());
        await SendTextAsync(socket, """{"type":"hello","agent_id":"a","protocol_min":1,"protocol_max":2}""");
        return (socket, JsonDocument.Parse((await ReceiveTextAsync(socket))!).RootElement.Clone());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_aborted_inside_a_send_is_not_delivered_to_and_never_throws_to_the_publisher(bool retainOnlyDelivered)
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, RetainOnlyDeliveredEvents = retainOnlyDelivered });
        var (socket, helloOk) = await HelloAsync(gateway);
        using var _ = socket;
        var sessionId = helloOk.GetProperty("session_id").GetString()!;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        // The socket dies while the frame is being written: ManagedWebSocket then throws
        // OperationCanceledException (inner IOException), which the publisher must never see.
        connection.BeforeNextWrite(() => connection.Socket.Abort());
        var sequence = await gateway.PublishAsync(sessionId, "message", Harness.Data("n", "1"));
        await connection.Closed.WaitAsync(Harness.Deadline());

        Assert.Equal(1, sequence);
        Assert.False(connection.IsOpen);
        Assert.Equal(retainOnlyDelivered ? Array.Empty<long>() : new long[] { 1 }, gateway.GetSession(sessionId).Retained.Select(e => e.Sequence));
        await gateway.PublishUnnumberedAsync(sessionId, new System.Text.Json.Nodes.JsonObject { ["type"] = "status" });
        Assert.Equal(2, await gateway.PublishAsync(sessionId, "message", Harness.Data("n", "2")));
    }

    [Fact]
    public async Task A_connection_aborted_inside_an_unnumbered_send_or_a_drain_notice_never_throws()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var (socket, helloOk) = await HelloAsync(gateway);
        using var _ = socket;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        connection.BeforeNextWrite(() => connection.Socket.Abort());
        await gateway.PublishUnnumberedAsync(helloOk.GetProperty("session_id").GetString()!, new System.Text.Json.Nodes.JsonObject { ["type"] = "status" });
        await connection.Closed.WaitAsync(Harness.Deadline());

        Assert.False(await connection.SendTextAsync("{}"));
        await gateway.SendDrainNoticeAsync();
        await connection.CloseAsync(1000);
    }

    [Fact]
    public async Task A_handshake_counts_before_its_answer_goes_out_and_a_drain_notice_follows_the_answer()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(gateway.Url, Harness.Deadline());
        var connection = await gateway.WaitForConnectionAsync(1, Harness.Deadline());

        // Hold the server inside the write of hello_ok: a client that acts the moment it reads the
        // answer can be no earlier than this.
        using var answering = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        connection.BeforeNextWrite(() =>
        {
            answering.Set();
            release.Wait(Harness.Deadline());
        });
        await SendTextAsync(socket, """{"type":"hello","agent_id":"a","protocol_min":1,"protocol_max":2}""");
        await Task.Run(() => answering.Wait(Harness.Deadline()));

        Assert.Same(connection, await gateway.WaitForHandshakeAsync(1, Harness.Deadline()));
        var drain = gateway.SendDrainNoticeAsync(retryAfterMilliseconds: 7);
        release.Set();
        await drain.WaitAsync(Harness.Deadline());

        Assert.Equal("hello_ok", JsonDocument.Parse((await ReceiveTextAsync(socket))!).RootElement.GetProperty("type").GetString());
        var notice = JsonDocument.Parse((await ReceiveTextAsync(socket))!).RootElement;
        Assert.Equal("reconnect", notice.GetProperty("type").GetString());
        Assert.Equal(7, notice.GetProperty("retry_after_ms").GetInt64());
    }

    [Fact]
    public async Task Auth_errors_are_sent_before_the_client_speaks_then_closed_with_4003()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { Token = "t" });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(gateway.Url, Harness.Deadline());

        var error = JsonDocument.Parse((await ReceiveTextAsync(socket))!).RootElement;
        Assert.Null(await ReceiveTextAsync(socket));

        Assert.Equal("hello_error", error.GetProperty("type").GetString());
        Assert.Equal("auth_required", error.GetProperty("code").GetString());
        Assert.Equal(4003, (int)socket.CloseStatus!.Value);
    }

    [Fact]
    public async Task Only_the_ws_path_upgrades()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var socket = new ClientWebSocket();

        await Assert.ThrowsAnyAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/other"), Harness.Deadline()));
    }

    [Fact]
    public async Task String_versions_make_the_server_drop_the_socket_with_1000_like_PraisonAI()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(gateway.Url, Harness.Deadline());

        await SendTextAsync(socket, """{"type":"hello","agent_id":"a","protocol_min":"1","protocol_max":"2"}""");

        Assert.Null(await ReceiveTextAsync(socket));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task The_drain_notice_has_the_protocol_2_shape()
    {
        await using var gateway = await TestGateway.StartAsync();
        var (socket, _) = await HelloAsync(gateway);
        using var _ = socket;
        await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await gateway.SendDrainNoticeAsync(250);

        var notice = JsonDocument.Parse((await ReceiveTextAsync(socket))!).RootElement;
        Assert.Equal("reconnect", notice.GetProperty("type").GetString());
        Assert.Equal("draining", notice.GetProperty("reason").GetString());
        Assert.Equal(250, notice.GetProperty("retry_after_ms").GetInt64());
    }

    [Fact]
    public async Task A_stalled_connection_neither_reads_nor_writes_but_stays_open()
    {
        await using var gateway = await TestGateway.StartAsync();
        var (socket, helloOk) = await HelloAsync(gateway);
        using var _ = socket;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var framesBefore = connection.ReceivedFrames.Count;

        connection.Stall();
        await gateway.PublishAsync(helloOk.GetProperty("session_id").GetString()!, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);
        await SendTextAsync(socket, """{"type":"ping"}""");
        var receive = ReceiveTextAsync(socket);

        Assert.True(connection.IsOpen);
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.False(receive.IsCompleted);
        Assert.Equal(framesBefore, connection.ReceivedFrames.Count);
        connection.Drop();
        await Assert.ThrowsAnyAsync<Exception>(() => receive);
    }

    [Fact]
    public async Task A_truncated_frame_breaks_the_stream_mid_frame()
    {
        await using var gateway = await TestGateway.StartAsync();
        var (socket, _) = await HelloAsync(gateway);
        using var _ = socket;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendTruncatedFrameAsync(new string('x', 300), 100);

        await Assert.ThrowsAsync<WebSocketException>(() => ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task Restart_keeping_history_resumes_with_replay_in_the_same_epoch()
    {
        await using var gateway = await TestGateway.StartAsync();
        var (first, helloOk) = await HelloAsync(gateway);
        var id = helloOk.GetProperty("session_id").GetString()!;
        await gateway.PublishAsync(id, "message", Harness.Data("n", "1"), EnvelopeShape.Flat);
        await gateway.PublishAsync(id, "message", Harness.Data("n", "2"), EnvelopeShape.Flat);

        await gateway.RestartAsync(RestartMode.KeepHistory);
        first.Dispose();
        using var second = new ClientWebSocket();
        await second.ConnectAsync(gateway.Url, Harness.Deadline());
        await SendTextAsync(second, $$"""{"type":"hello","agent_id":"a","protocol_min":1,"protocol_max":2,"session_id":"{{id}}","since":1}""");
        var resumed = JsonDocument.Parse((await ReceiveTextAsync(second))!).RootElement;
        var replay = JsonDocument.Parse((await ReceiveTextAsync(second))!).RootElement;

        Assert.True(resumed.GetProperty("resumed").GetBoolean());
        Assert.Equal(helloOk.GetProperty("epoch").GetString(), resumed.GetProperty("epoch").GetString());
        Assert.Equal(2, resumed.GetProperty("cursor").GetInt64());
        Assert.Equal("replay", replay.GetProperty("type").GetString());
        Assert.Equal(2, replay.GetProperty("event").GetProperty("sequence").GetInt64());
        Assert.False(replay.TryGetProperty("seq", out _));
        Assert.Equal(2, replay.GetProperty("event").GetProperty("data").GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task The_retention_window_keeps_only_the_last_events()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { RetentionWindow = 3 });
        var (socket, helloOk) = await HelloAsync(gateway);
        using var _ = socket;
        var session = gateway.GetSession(helloOk.GetProperty("session_id").GetString()!);

        for (var i = 1; i <= 5; i++)
        {
            await session.PublishAsync("message", Harness.Data("n", i.ToString()), EnvelopeShape.Flat);
        }

        Assert.Equal(new long[] { 3, 4, 5 }, session.Retained.Select(r => r.Sequence));
        Assert.Equal(3, session.OldestRetained);
    }
}

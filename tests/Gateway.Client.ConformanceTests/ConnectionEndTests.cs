using System.Net.WebSockets;
using System.Text;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// docs/protocol.md ("Close codes") for a single connection, with reconnection switched off: how a connection ends is
/// surfaced with its cause, and nothing received before the end is lost. (With reconnection on, the
/// same faults are resumed: see <see cref="ChaosTests"/>.)
/// </summary>
public class ConnectionEndTests
{
    /// <summary>A connected <see cref="Scenario"/> with one attempt and no reconnection.</summary>
    private static Task<Scenario> ConnectAsync(Action<GatewayClientOptions>? configure = null) =>
        Scenario.StartAsync(configure: o =>
        {
            Harness.SingleAttempt(o);
            configure?.Invoke(o);
        });

    private static async Task<(List<GatewayEvent> Events, Exception? Error)> ReadToEndAsync(GatewayClient client)
    {
        var events = new List<GatewayEvent>();
        try
        {
            await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
            {
                events.Add(e);
            }

            return (events, null);
        }
        catch (GatewayException ex)
        {
            return (events, ex);
        }
    }

    [Theory]
    [InlineData(4002)]
    [InlineData(1013)]
    [InlineData(4028)]
    [InlineData(1001)]
    public async Task A_server_close_delivers_everything_received_then_surfaces_the_close_code(int closeCode)
    {
        await using var s = await ConnectAsync();
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        var failed = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged((e, _) =>
        {
            if (e.Current == ConnectionState.Failed)
            {
                failed.TrySetResult(e);
            }

            return Task.CompletedTask;
        });
        await connection.SendNumberedAsync(1, 3);

        await connection.CloseAsync(closeCode, "bye");
        var (events, error) = await ReadToEndAsync(client);

        Assert.Equal(new long?[] { 1, 2, 3 }, events.Select(e => e.Sequence));
        var closed = Assert.IsType<GatewayConnectionException>(error);
        Assert.Equal(closeCode, (int)closed.CloseStatus!.Value);
        Assert.Equal("bye", closed.CloseDescription);
        var transition = await failed.Task.WaitAsync(Harness.Deadline());
        Assert.Equal(ConnectionState.Connected, transition.Previous);
        Assert.Same(error, transition.Cause);
    }

    [Fact]
    public async Task A_connection_dropped_right_after_its_handshake_ends_failed_not_connected()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.SingleAttempt));
        var failed = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnStateChanged((e, _) =>
        {
            if (e.Current == ConnectionState.Failed)
            {
                failed.TrySetResult(e);
            }

            return Task.CompletedTask;
        });
        var dropper = Task.Run(async () =>
        {
            // Once the answer went out (a handshake counts as soon as its answer starts going out).
            var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
            await connection.HandshakeAnswered.Task.WaitAsync(Harness.Deadline());
            connection.Drop();
        });

        await client.ConnectAsync(Harness.Deadline());
        await dropper;

        var transition = await failed.Task.WaitAsync(Harness.Deadline());
        Assert.Equal(ConnectionState.Connected, transition.Previous);
        Assert.Equal(ConnectionState.Failed, client.State);
    }

    [Fact]
    public async Task An_abrupt_drop_surfaces_a_connection_error_after_the_buffered_events()
    {
        await using var s = await ConnectAsync();
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");
        await connection.SendTextAsync("""{"type":"status"}""");
        await client.ReadAsync(1, Harness.Deadline());

        connection.Drop();
        var (events, error) = await ReadToEndAsync(client);

        Assert.Equal("status", Assert.Single(events).Type);
        var lost = Assert.IsType<GatewayConnectionException>(error);
        Assert.Null(lost.CloseStatus);
        Assert.Equal(ConnectionState.Failed, client.State);
    }

    [Fact]
    public async Task A_frame_truncated_mid_way_ends_the_connection_and_is_not_delivered()
    {
        await using var s = await ConnectAsync();
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");

        await connection.SendTruncatedFrameAsync("""{"type":"message","seq":2,"content":"this frame never completes"}""", 20);
        var (events, error) = await ReadToEndAsync(client);

        Assert.Equal(new long?[] { 1 }, events.Select(e => e.Sequence));
        Assert.IsType<GatewayConnectionException>(error);
        Assert.Equal(1, client.Cursor);
    }

    [Fact]
    public async Task An_inbound_message_over_the_receive_limit_is_refused_with_1009()
    {
        await using var s = await ConnectAsync(o => o.MaxReceiveMessageBytes = 4096);
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");

        await connection.SendTextAsync("{\"type\":\"message\",\"seq\":2,\"content\":\"" + new string('x', 10_000) + "\"}");
        var (events, error) = await ReadToEndAsync(client);

        Assert.Equal(new long?[] { 1 }, events.Select(e => e.Sequence));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, Assert.IsType<GatewayConnectionException>(error).CloseStatus);
        await connection.Closed.WaitAsync(Harness.Deadline());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, connection.ClientCloseStatus);
        Assert.Equal(1, client.Statistics.OversizedMessages);
    }

    [Fact]
    public async Task Malformed_and_binary_frames_are_skipped_and_counted_and_the_stream_goes_on()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway), logs);
        await client.ConnectAsync(Harness.Deadline());
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());

        await connection.SendTextAsync("""{"type":"message","seq":1}""");
        await connection.SendTextAsync("this is not json");
        await connection.SendTextAsync("""{"type":"message","seq":"2"}""");
        await connection.SendTextAsync("""{"no_type":true}""");
        await connection.SendBinaryAsync(Encoding.UTF8.GetBytes("""{"type":"message","seq":2}"""));
        await connection.SendTextAsync("""{"type":"hello_ok","protocol":2,"session_id":"x","cursor":0}""");
        await connection.SendTextAsync("""{"type":"res","id":"nobody-asked","ok":true}""");
        await connection.SendTextAsync("""{"type":"message","seq":2}""");
        var events = await client.ReadAsync(2, Harness.Deadline());

        Assert.Equal(new long?[] { 1, 2 }, events.Select(e => e.Sequence));
        var stats = client.Statistics;
        Assert.Equal(3, stats.MalformedFramesSkipped);
        Assert.Equal(1, stats.NonTextFramesSkipped);
        Assert.Equal(1, stats.LateHandshakeFramesSkipped);
        Assert.Equal(1, stats.UnmatchedResponsesSkipped);
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(3, logs.Entries.Count(e => e.EventId == 7));
    }

    [Fact]
    public async Task Disconnect_closes_normally_and_ends_the_stream_without_error()
    {
        await using var s = await ConnectAsync();
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":1}""");

        await client.DisconnectAsync(Harness.Deadline());
        var (events, error) = await ReadToEndAsync(client);

        Assert.Null(error);
        Assert.Equal(new[] { "message", "left" }, events.Select(e => e.Type));
        await connection.Closed.WaitAsync(Harness.Deadline());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, connection.ClientCloseStatus);
        Assert.Equal(ConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Disconnect_of_a_stalled_server_is_bounded_by_the_close_timeout()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var s = await ConnectAsync(o =>
        {
            o.TimeProvider = clock;
            o.CloseTimeout = TimeSpan.FromSeconds(3);
        });
        var (gateway, client, _) = s;
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        connection.Stall();

        var disconnecting = client.DisconnectAsync(Harness.Deadline());
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(3), Harness.Deadline());
        Assert.False(disconnecting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(3));
        await disconnecting;

        Assert.Equal(ConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Dispose_is_idempotent_and_later_calls_say_disposed()
    {
        await using var s = await ConnectAsync();
        var client = s.Client;

        await client.DisposeAsync();
        await client.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ConnectAsync());
        Assert.Throws<ObjectDisposedException>(() => client.ReadEventsAsync());
    }
}

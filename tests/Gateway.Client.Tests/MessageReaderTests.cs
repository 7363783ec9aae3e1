using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Gateway.Client.Wire;

namespace Gateway.Client.Tests;

/// <summary>The receive loop's reader over a real WebSocket pair on loopback.</summary>
public sealed class MessageReaderTests : IAsyncLifetime
{
    private TcpClient? _clientTcp;
    private TcpClient? _serverTcp;
    private WebSocket _client = null!;
    private WebSocket _server = null!;

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    public async Task InitializeAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _clientTcp = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync();
        await _clientTcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        _serverTcp = await accepting;
        listener.Stop();
        _client = WebSocket.CreateFromStream(_clientTcp.GetStream(), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        _server = WebSocket.CreateFromStream(_serverTcp.GetStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        _clientTcp?.Dispose();
        _serverTcp?.Dispose();
        return Task.CompletedTask;
    }

    private Task SendAsync(string text) => _server.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Deadline());

    [Fact]
    public async Task After_a_pause_it_waits_for_the_next_message_holding_no_buffer()
    {
        using var reader = new MessageReader(1024 * 1024);
        await SendAsync("first");
        var first = await reader.ReadAsync(_client, Deadline());
        Assert.Equal("first", Encoding.UTF8.GetString(first.Span));

        // Under load it reads straight into its buffer; the read that finds nothing there marks the pause.
        var paused = reader.ReadAsync(_client, Deadline());
        Assert.False(paused.IsCompleted);
        await SendAsync("second");
        var second = await paused;
        Assert.Equal("second", Encoding.UTF8.GetString(second.Span));

        // From then on it waits with a zero-byte receive: the buffer is back in the pool while nothing comes.
        var idle = reader.ReadAsync(_client, Deadline());
        Assert.False(idle.IsCompleted);
        Assert.False(reader.HoldsSlab);

        await SendAsync("third, after the pause");
        var third = await idle;
        Assert.Equal("third, after the pause", Encoding.UTF8.GetString(third.Span));
    }

    [Fact]
    public async Task After_ExpectPause_the_next_read_waits_without_a_slab_even_straight_after_a_burst()
    {
        using var reader = new MessageReader(1024 * 1024);
        await SendAsync("first");
        await SendAsync("second");
        await reader.ReadAsync(_client, Deadline());
        await reader.ReadAsync(_client, Deadline()); // found at once: the reader is in its busy mode

        reader.ExpectPause(); // a handshake ended
        var idle = reader.ReadAsync(_client, Deadline());
        Assert.False(idle.IsCompleted);
        Assert.False(reader.HoldsSlab);

        await SendAsync("the first event");
        Assert.Equal("the first event", Encoding.UTF8.GetString((await idle).Span));
    }

    [Fact]
    public async Task An_empty_message_is_read_as_one_and_the_next_message_is_whole()
    {
        using var reader = new MessageReader(1024 * 1024);
        await SendAsync(string.Empty);
        await SendAsync("after the empty one");

        var empty = await reader.ReadAsync(_client, Deadline());
        var next = await reader.ReadAsync(_client, Deadline());

        Assert.Equal((WebSocketMessageType.Text, 0, false), (empty.Type, empty.Count, empty.IsClose));
        Assert.Equal("after the empty one", Encoding.UTF8.GetString(next.Span));
    }

    [Fact]
    public async Task A_close_while_idle_is_read_as_the_close_with_its_status()
    {
        using var reader = new MessageReader(1024 * 1024);
        var waiting = reader.ReadAsync(_client, Deadline());

        await _server.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "bye", Deadline());
        var close = await waiting;

        Assert.True(close.IsClose);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close.CloseStatus);
        Assert.Equal("bye", close.CloseDescription);
    }

    [Fact]
    public async Task Messages_follow_one_another_so_a_held_message_outlives_the_reads_after_it()
    {
        using var reader = new MessageReader(1024 * 1024);
        await SendAsync(new string('a', 3200));
        await SendAsync(new string('b', 500));
        await SendAsync(new string('c', 2000));

        var first = await reader.ReadAsync(_client, Deadline());
        first.Slab!.Hold(); // an event keeps the first message
        var second = await reader.ReadAsync(_client, Deadline());
        var third = await reader.ReadAsync(_client, Deadline());

        // Too little room was left after the first: the reader moved on and let go of that slab; only the event holds it now.
        Assert.NotSame(first.Slab, second.Slab);
        Assert.Equal(1, first.Slab.Holders);
        Assert.Equal(new string('a', 3200), Encoding.UTF8.GetString(first.Span));

        // The next message follows the last one instead of overwriting it.
        Assert.Same(second.Slab, third.Slab);
        Assert.Equal(second.Offset + 500, third.Offset);
        Assert.Equal(new string('b', 500), Encoding.UTF8.GetString(second.Span));
        Assert.Equal(new string('c', 2000), Encoding.UTF8.GetString(third.Span));

        first.Slab.Release();
        Assert.Equal(0, first.Slab.Holders);
    }

    [Fact]
    public async Task A_message_that_outgrows_the_room_left_moves_whole_to_another_slab_and_the_held_one_stays()
    {
        using var reader = new MessageReader(1024 * 1024);
        await SendAsync(new string('a', 2000));
        await SendAsync(new string('b', 3000));

        var first = await reader.ReadAsync(_client, Deadline());
        first.Slab!.Hold();
        var second = await reader.ReadAsync(_client, Deadline());

        Assert.NotSame(first.Slab, second.Slab);
        Assert.Equal(0, second.Offset);
        Assert.Equal(new string('b', 3000), Encoding.UTF8.GetString(second.Span));
        Assert.Equal(new string('a', 2000), Encoding.UTF8.GetString(first.Span));
        Assert.Equal(1, first.Slab.Holders);
        first.Slab.Release();
    }

    [Fact]
    public async Task A_message_larger_than_the_first_buffer_grows_it_and_one_over_the_limit_throws()
    {
        using var reader = new MessageReader(64 * 1024);
        var large = new string('x', 20_000);
        await SendAsync(large);
        var read = await reader.ReadAsync(_client, Deadline());
        Assert.Equal(large, Encoding.UTF8.GetString(read.Span));

        await SendAsync(new string('y', 64 * 1024 + 1));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await reader.ReadAsync(_client, Deadline()));
    }
}

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
        Assert.Equal("first", Encoding.UTF8.GetString(reader.Buffer, 0, first.Count));

        // Under load it reads straight into its buffer; the read that finds nothing there marks the pause.
        var paused = reader.ReadAsync(_client, Deadline());
        Assert.False(paused.IsCompleted);
        await SendAsync("second");
        var second = await paused;
        Assert.Equal("second", Encoding.UTF8.GetString(reader.Buffer, 0, second.Count));

        // From then on it waits with a zero-byte receive: the buffer is back in the pool while nothing comes.
        var idle = reader.ReadAsync(_client, Deadline());
        Assert.False(idle.IsCompleted);
        Assert.Empty(reader.Buffer);

        await SendAsync("third, after the pause");
        var third = await idle;
        Assert.Equal("third, after the pause", Encoding.UTF8.GetString(reader.Buffer, 0, third.Count));
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
        Assert.Equal("after the empty one", Encoding.UTF8.GetString(reader.Buffer, 0, next.Count));
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
    public async Task A_message_larger_than_the_first_buffer_grows_it_and_one_over_the_limit_throws()
    {
        using var reader = new MessageReader(64 * 1024);
        var large = new string('x', 20_000);
        await SendAsync(large);
        var read = await reader.ReadAsync(_client, Deadline());
        Assert.Equal(large, Encoding.UTF8.GetString(reader.Buffer, 0, read.Count));

        await SendAsync(new string('y', 64 * 1024 + 1));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await reader.ReadAsync(_client, Deadline()));
    }
}

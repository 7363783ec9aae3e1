using System.Net;
using System.Net.Sockets;

namespace Gateway.Client.Tail.Tests;

/// <summary>
/// A gateway address that comes up later: listens on a port chosen before (where nothing listened while a client was
/// already trying it) and forwards each connection to the real gateway's port, both ways, until either side closes.
/// </summary>
internal sealed class LoopbackForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = new();
    private readonly Task _accepting;

    private LoopbackForwarder(int port, int target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A free loopback port, for a client to try before anything listens there.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public static LoopbackForwarder Start(int port, int target) => new(port, target);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await Ended(_accepting);
        Task[] pumps;
        lock (_pumps)
        {
            pumps = _pumps.ToArray();
        }

        await Task.WhenAll(pumps.Select(Ended));
        _stop.Dispose();
    }

    /// <summary>Completes when the task does, whatever its outcome (a stopped pump ends cancelled or with a reset).</summary>
    private static Task Ended(Task task) => task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_pumps)
            {
                _pumps.Add(ForwardAsync(client));
            }
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), either.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), either.Token);
            await Task.WhenAny(up, down);
            either.Cancel(); // one side closed: close the other
        }
    }
}

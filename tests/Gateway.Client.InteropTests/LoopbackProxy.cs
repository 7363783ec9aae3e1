using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Client.InteropTests;

/// <summary>
/// A TCP forwarder on 127.0.0.1 between the client and a real gateway, so a test can do to the network
/// what a real network does: cut every connection at once (a reset), refuse new ones for an outage,
/// swallow what the gateway sends (so it records frames the client never sees), freeze a connection
/// both ways (a half-open peer), or lose the client's first frame (a server that ignores <c>hello</c>).
/// Each connection records the text messages the client sent on it, so a test sees which connection carried what.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Link> _links = new();
    private readonly Task _acceptLoop;
    private int _accepted;
    private volatile bool _refusing;
    private volatile bool _swallowFirstClientFrame;

    public LoopbackProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted from clients so far (refused ones included).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>While true, every new connection is reset at once (an outage).</summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    /// <summary>While true, each new connection loses the client's first WebSocket frame after the upgrade.</summary>
    public bool SwallowFirstClientFrame
    {
        get => _swallowFirstClientFrame;
        set => _swallowFirstClientFrame = value;
    }

    /// <summary>The connection accepted <paramref name="ordinal"/>-th (from 1), once it is forwarding.</summary>
    public Link LinkAt(int ordinal)
    {
        lock (_links)
        {
            return _links[ordinal - 1];
        }
    }

    /// <summary>Resets every open connection on both sides, as a dying network path does.</summary>
    public void DropAll()
    {
        Link[] links;
        lock (_links)
        {
            links = _links.ToArray();
        }

        foreach (var link in links)
        {
            link.Drop();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropAll();
        await _acceptLoop;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (_refusing)
            {
                Reset(client);
                continue;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            var link = new Link(client, upstream, _swallowFirstClientFrame);
            lock (_links)
            {
                _links.Add(link);
            }

            link.Start();
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    /// <summary>One forwarded connection.</summary>
    public sealed class Link
    {
        private readonly Socket _client;
        private readonly Socket _upstream;
        private readonly MemoryStream _withheld = new();
        private readonly List<(Func<byte[], bool> Match, TaskCompletionSource Reached)> _waiters = new();
        private readonly TaskCompletionSource _upstreamClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ClientMessageLog _sentByClient = new();
        private bool _swallowPending;
        private volatile bool _withholdFromClient;
        private volatile bool _frozen;
        private bool _releasing;
        private int _dropped;

        internal Link(Socket client, Socket upstream, bool swallowFirstClientFrame)
        {
            _client = client;
            _upstream = upstream;
            _swallowPending = swallowFirstClientFrame;
        }

        /// <summary>Completes when the gateway closed its side of this connection.</summary>
        public Task UpstreamClosed => _upstreamClosed.Task;

        /// <summary>The text messages the client sent on this connection, unmasked, in order (passed on or not).</summary>
        public IReadOnlyList<string> SentByClient => _sentByClient.Messages;

        /// <summary>From now on what the gateway sends is kept here instead of reaching the client (the gateway still counts it as sent).</summary>
        public void WithholdFromClient() => _withholdFromClient = true;

        /// <summary>Half-open: nothing passes either way any more; what the gateway sends is withheld.</summary>
        public void Freeze()
        {
            _frozen = true;
            _withholdFromClient = true;
        }

        /// <summary>
        /// Ends a <see cref="Freeze"/> or <see cref="WithholdFromClient"/>: the client gets everything withheld,
        /// in order, then the link forwards both ways again (or, when the gateway has closed meanwhile, ends
        /// gracefully so the client reads what it was sent before the end).
        /// </summary>
        public async Task ReleaseAsync()
        {
            byte[] withheld;
            lock (_waiters)
            {
                withheld = _withheld.ToArray();
                _withheld.SetLength(0);
                _frozen = false;
                _withholdFromClient = false;
                _releasing = true;
            }

            await SendAllAsync(_client, withheld);
            lock (_waiters)
            {
                _releasing = false;
                Monitor.PulseAll(_waiters);
            }

            if (_upstreamClosed.Task.IsCompleted)
            {
                _client.Shutdown(SocketShutdown.Send);
            }
        }

        /// <summary>Completes once the bytes withheld from the client satisfy <paramref name="match"/>.</summary>
        public Task WaitForWithheldAsync(Func<byte[], bool> match, CancellationToken cancellationToken)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (match(_withheld.ToArray()))
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((match, reached));
            }

            return reached.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Whether the withheld bytes contain <paramref name="text"/> (UTF-8).</summary>
        public static Func<byte[], bool> Containing(string text)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            return bytes => bytes.AsSpan().IndexOf(needle) >= 0;
        }

        /// <summary>Whether the withheld bytes hold a server close frame (unmasked, opcode 8) with <paramref name="code"/>.</summary>
        public static Func<byte[], bool> CloseFrame(int code) => bytes =>
        {
            for (var i = 0; i + 3 < bytes.Length; i++)
            {
                // FIN + close opcode, an unmasked payload of 2..125 bytes, then the code big-endian.
                if (bytes[i] == 0x88 && bytes[i + 1] is >= 2 and <= 125 && ((bytes[i + 2] << 8) | bytes[i + 3]) == code)
                {
                    return true;
                }
            }

            return false;
        };

        /// <summary>Resets both sides.</summary>
        public void Drop()
        {
            if (Interlocked.Exchange(ref _dropped, 1) == 1)
            {
                return;
            }

            Reset(_client);
            Reset(_upstream);
        }

        internal void Start()
        {
            _ = Task.Run(PumpUpstreamToClientAsync);
            _ = Task.Run(PumpClientToUpstreamAsync);
        }

        private async Task PumpUpstreamToClientAsync()
        {
            var buffer = new byte[16 * 1024];
            var graceful = false;
            try
            {
                while (true)
                {
                    var read = await _upstream.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        graceful = true;
                        break;
                    }

                    if (!TryWithhold(buffer.AsSpan(0, read)))
                    {
                        await SendAllAsync(_client, buffer.AsMemory(0, read));
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Reset or dropped.
            }

            _upstreamClosed.TrySetResult();
            if (!_withholdFromClient)
            {
                // Pass the gateway's end on as it happened; a client cut off from the gateway does not learn of it.
                End(_client, graceful);
            }
        }

        private async Task PumpClientToUpstreamAsync()
        {
            var buffer = new byte[16 * 1024];
            var pending = new List<byte>();
            var requestForwarded = false;
            var graceful = false;
            try
            {
                while (true)
                {
                    var read = await _client.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        graceful = true;
                        break;
                    }

                    _sentByClient.Append(buffer.AsSpan(0, read));
                    if (_frozen)
                    {
                        continue;
                    }

                    if (!_swallowPending)
                    {
                        await SendAllAsync(_upstream, buffer.AsMemory(0, read));
                        continue;
                    }

                    pending.AddRange(buffer.AsSpan(0, read).ToArray());
                    var (forward, done) = SwallowFirstFrame(pending, ref requestForwarded);
                    if (forward.Length > 0)
                    {
                        await SendAllAsync(_upstream, forward);
                    }

                    _swallowPending = !done;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Reset or dropped.
            }

            if (!_frozen)
            {
                End(_upstream, graceful);
            }
        }

        /// <summary>Passes an end on: a FIN after a graceful end (what was sent before it is still read), else a reset.</summary>
        private void End(Socket other, bool graceful)
        {
            if (!graceful)
            {
                Drop();
                return;
            }

            try
            {
                other.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Drop();
            }
        }

        /// <summary>
        /// Lets the HTTP upgrade request through as soon as it is complete (the client waits for its answer
        /// before it sends a frame), then drops the first WebSocket frame. Returns what to forward now, and
        /// whether the frame is gone (everything after it passes untouched).
        /// </summary>
        private static (byte[] Forward, bool Done) SwallowFirstFrame(List<byte> pending, ref bool requestForwarded)
        {
            var bytes = pending.ToArray();
            if (!requestForwarded)
            {
                var endOfRequest = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
                if (endOfRequest < 0)
                {
                    return ([], false);
                }

                requestForwarded = true;
                pending.RemoveRange(0, endOfRequest + 4);
                var (rest, done) = SwallowFirstFrame(pending, ref requestForwarded);
                return ([.. bytes.AsSpan(0, endOfRequest + 4), .. rest], done);
            }

            if (bytes.Length < 2)
            {
                return ([], false);
            }

            // RFC 6455 §5.2: client frames are masked (4-byte key); 126/127 announce a 2/8-byte length.
            var length = (long)(bytes[1] & 0x7F);
            var header = 2;
            if (length == 126)
            {
                if (bytes.Length < 4)
                {
                    return ([], false);
                }

                length = (bytes[2] << 8) | bytes[3];
                header = 4;
            }
            else if (length == 127)
            {
                if (bytes.Length < 10)
                {
                    return ([], false);
                }

                length = 0;
                for (var i = 0; i < 8; i++)
                {
                    length = (length << 8) | bytes[2 + i];
                }

                header = 10;
            }

            var frameEnd = header + 4 + length;
            if (bytes.Length < frameEnd)
            {
                return ([], false);
            }

            pending.Clear();
            return (bytes[(int)frameEnd..], true);
        }

        /// <summary>Keeps the data when the link withholds (checked under the lock a release takes, so nothing overtakes what is withheld).</summary>
        private bool TryWithhold(ReadOnlySpan<byte> data)
        {
            lock (_waiters)
            {
                while (_releasing)
                {
                    Monitor.Wait(_waiters);
                }

                if (!_withholdFromClient)
                {
                    return false;
                }

                _withheld.Write(data);
                var all = _withheld.ToArray();
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Match(all))
                    {
                        _waiters[i].Reached.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }

                return true;
            }
        }

        private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
        {
            while (!data.IsEmpty)
            {
                var sent = await socket.SendAsync(data, SocketFlags.None);
                data = data[sent..];
            }
        }
    }
}

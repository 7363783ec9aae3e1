using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>
/// An in-process agent gateway for tests: protocol 1 and 2 over <c>hello</c>, or the legacy <c>join</c>,
/// with sessions, numbered events, a bounded replay window, request/response, heartbeats, and fault
/// injection. It listens on 127.0.0.1 on a free port and starts in milliseconds.
/// </summary>
/// <example>
/// <code>
/// await using var gateway = await TestGateway.StartAsync();
/// var options = new GatewayClientOptions { Url = gateway.Url, AgentId = "support" };
/// </code>
/// </example>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly AwaitableList<TestConnection> _accepted = new();
    private readonly AwaitableList<TestConnection> _handshaken = new();
    private readonly ConcurrentDictionary<string, TestSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<JsonElement, CancellationToken, Task<JsonNode?>>> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HandshakeRejection> _rejections = new();
    private readonly ConcurrentQueue<TimeSpan> _handshakeDelays = new();
    private readonly ConcurrentDictionary<string, Func<JsonElement, CancellationToken, Task<JsonNode?>>> _twoStageMethods = new(StringComparer.Ordinal);
    private int _openClawUnavailable;
    private readonly ConcurrentDictionary<Task, bool> _work = new();
    private readonly SemaphoreSlim _restartGate = new(1, 1);
    private readonly ITimer? _heartbeat;
    private Task? _acceptLoop;
    private int _connectionIds;
    private int _epochs;
    private int _sessionIds;
    private int _disposed;
    private int _acceptedSockets;
    private UpgradeRefusal? _refusal;
    private Action<JsonObject>? _handshakeRewrite;
    private string? _handshakePrelude;

    private TestGateway(TestGatewayOptions options)
    {
        Options = options;
        OpenClawChat = new OpenClawChat(this);
        _listener = new TcpListener(IPAddress.Loopback, options.Port);
        if (options.EnableHeartbeat)
        {
            _heartbeat = options.TimeProvider.CreateTimer(_ => Heartbeat(), null, options.HeartbeatInterval, options.HeartbeatInterval);
        }
    }

    /// <summary>The gateway's settings. Change them only before clients connect.</summary>
    public TestGatewayOptions Options { get; }

    /// <summary>
    /// The port the gateway listens on: <see cref="TestGatewayOptions.Port"/>, or the free one the system chose for 0. It
    /// stays the same once the gateway is disposed, so a gateway started again with this port has the same <see cref="Url"/>.
    /// </summary>
    public int Port { get; private set; }

    /// <summary>
    /// The WebSocket endpoint: <c>ws://127.0.0.1:{port}/ws</c>, or <c>wss://</c> when
    /// <see cref="TestGatewayOptions.ServerCertificate"/> is set.
    /// </summary>
    public Uri Url => new($"{(Options.ServerCertificate is null ? "ws" : "wss")}://127.0.0.1:{Port}{TestDialectCatalog.For(Options.Dialect).ServedPaths[0]}");

    /// <summary>
    /// How many TCP connections the gateway accepted, including those that never completed TLS or the
    /// WebSocket upgrade (<see cref="Connections"/> holds only upgraded ones): the count of attempts.
    /// </summary>
    public int AcceptedSockets => Volatile.Read(ref _acceptedSockets);

    /// <summary>Every connection accepted so far, in order (open or not).</summary>
    public IReadOnlyList<TestConnection> Connections => _accepted.Snapshot();

    /// <summary>Every connection whose handshake was accepted, in order (open or not); each counts as its answer goes out.</summary>
    public IReadOnlyList<TestConnection> Handshakes => _handshaken.Snapshot();

    /// <summary>OpenClaw mode: the server's boot id; it changes on every restart.</summary>
    public string BootId { get; private set; } = Guid.NewGuid().ToString();

    /// <summary>
    /// OpenClaw mode: the transcript of the chat session <paramref name="sessionKey"/> (<c>x</c> or <c>agent:main:x</c>), oldest
    /// first: each <c>chat.send</c> message and each run's reply (a completed run's answer, an aborted run's partial text), as
    /// <c>chat.history</c> reports it. Empty for a session with no chat.
    /// </summary>
    public IReadOnlyList<TestChatMessage> GetOpenClawChatHistory(string sessionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        return OpenClawChat.Transcript(sessionKey);
    }

    /// <summary>OpenClaw mode: waits for the <paramref name="ordinal"/>-th message (1 = the first) of <see cref="GetOpenClawChatHistory"/>.</summary>
    public Task<TestChatMessage> WaitForOpenClawChatMessageAsync(string sessionKey, int ordinal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        return OpenClawChat.WaitForMessageAsync(sessionKey, ordinal, cancellationToken);
    }

    /// <summary>Every session the gateway knows.</summary>
    public IReadOnlyCollection<TestSession> Sessions => _sessions.Values.ToArray();

    /// <summary>Starts a gateway on 127.0.0.1, on <see cref="TestGatewayOptions.Port"/> (by default a free port).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="TestGatewayPortInUseException">The fixed port is already in use.</exception>
    public static Task<TestGateway> StartAsync(TestGatewayOptions? options = null)
    {
        options ??= new TestGatewayOptions();
        options.Validate();
        var gateway = new TestGateway(options);
        try
        {
            gateway._listener.Start();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            gateway.Abandon();
            throw new TestGatewayPortInUseException(options.Port, ex);
        }
        catch
        {
            gateway.Abandon();
            throw;
        }

        gateway.Port = ((IPEndPoint)gateway._listener.LocalEndpoint).Port;
        gateway._acceptLoop = gateway.AcceptLoopAsync();
        return Task.FromResult(gateway);
    }

    /// <summary>
    /// Fault: refuses every WebSocket upgrade from now on with HTTP <paramref name="statusCode"/> (as a
    /// reverse proxy does: 401 or 403 for credentials, 429 or 503 when overloaded), with a
    /// <c>Retry-After</c> header when <paramref name="retryAfter"/> is given (seconds or an HTTP date,
    /// sent as is). <see cref="AcceptUpgrades"/> ends it. Refused sockets count in <see cref="AcceptedSockets"/>.
    /// </summary>
    public void RefuseUpgrades(int statusCode, string? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        Volatile.Write(ref _refusal, new UpgradeRefusal(statusCode, retryAfter));
    }

    /// <summary>Ends <see cref="RefuseUpgrades"/>: upgrades are accepted again.</summary>
    public void AcceptUpgrades() => Volatile.Write(ref _refusal, null);

    /// <summary>
    /// Fault: every <c>hello_ok</c> (OpenClaw: the <c>hello-ok</c> payload of the <c>connect</c> answer) from now on
    /// passes through <paramref name="rewrite"/> before it goes out, so a test can make the gateway lie (another
    /// <c>session_id</c>, a <c>heartbeat_ms</c> no timer can wait, a cursor near the end of the numbers, an answer
    /// over the client's receive limit). Null stops rewriting.
    /// </summary>
    public void RewriteHandshakeAnswers(Action<JsonObject>? rewrite) => Volatile.Write(ref _handshakeRewrite, rewrite);

    /// <summary>
    /// Fault: every <c>hello_ok</c> (OpenClaw: <c>hello-ok</c>) from now on is preceded by <paramref name="frame"/> (a text frame sent
    /// before the session exists, such as an event a buggy gateway broadcasts early). Null stops it.
    /// </summary>
    public void PrecedeHandshakeAnswers(string? frame) => Volatile.Write(ref _handshakePrelude, frame);

    /// <summary>The frame <see cref="PrecedeHandshakeAnswers"/> installed, if any.</summary>
    internal string? HandshakePrelude => Volatile.Read(ref _handshakePrelude);

    /// <summary>The rewrite <see cref="RewriteHandshakeAnswers"/> installed, if any.</summary>
    internal Action<JsonObject>? HandshakeRewrite => Volatile.Read(ref _handshakeRewrite);

    /// <summary>The session with that id, or null.</summary>
    public TestSession? FindSession(string sessionId) => _sessions.TryGetValue(sessionId, out var session) ? session : null;

    /// <summary>The session with that id; throws when there is none.</summary>
    public TestSession GetSession(string sessionId) =>
        FindSession(sessionId) ?? throw new InvalidOperationException($"The gateway has no session '{sessionId}'.");

    /// <summary>Waits for the first accepted socket.</summary>
    public Task<TestConnection> WaitForConnectionAsync(CancellationToken cancellationToken = default) =>
        WaitForConnectionAsync(1, cancellationToken);

    /// <summary>Waits for the <paramref name="ordinal"/>-th accepted socket (1 = the first).</summary>
    public Task<TestConnection> WaitForConnectionAsync(int ordinal, CancellationToken cancellationToken = default) =>
        _accepted.WaitForCountAsync(ordinal, cancellationToken);

    /// <summary>Waits for the first accepted handshake; it counts as its answer goes out.</summary>
    public Task<TestConnection> WaitForHandshakeAsync(CancellationToken cancellationToken = default) =>
        WaitForHandshakeAsync(1, cancellationToken);

    /// <summary>Waits for the <paramref name="ordinal"/>-th accepted handshake (1 = the first); it counts as its answer goes out.</summary>
    public Task<TestConnection> WaitForHandshakeAsync(int ordinal, CancellationToken cancellationToken = default) =>
        _handshaken.WaitForCountAsync(ordinal, cancellationToken);

    /// <summary>Publishes a numbered event in a session (see <see cref="TestSession.PublishAsync"/>).</summary>
    public Task<long> PublishAsync(string sessionId, string type, JsonObject data, EnvelopeShape shape = EnvelopeShape.Wrapped) =>
        GetSession(sessionId).PublishAsync(type, data, shape);

    /// <summary>Sends an unnumbered frame to a session's connections.</summary>
    public Task PublishUnnumberedAsync(string sessionId, JsonObject frame) => GetSession(sessionId).PublishUnnumberedAsync(frame);

    /// <summary>Forgets a session's retained events up to and including <paramref name="throughSequence"/>.</summary>
    public void EvictHistory(string sessionId, long throughSequence) => GetSession(sessionId).EvictThrough(throughSequence);

    /// <summary>Answers the next handshake (hello) with this <c>hello_error</c>. Several calls queue up.</summary>
    public void RejectNextHandshake(HandshakeRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        _rejections.Enqueue(rejection);
    }

    /// <summary>Holds the answer to the next handshake for <paramref name="delay"/> on the gateway's clock.</summary>
    public void DelayNextHandshake(TimeSpan delay) => _handshakeDelays.Enqueue(delay);

    /// <summary>
    /// Registers a request method (protocol 2 <c>req</c>, OpenClaw <c>req</c>). Throw <see cref="TestGatewayMethodException"/>
    /// to answer <c>ok:false</c> with its code; any other exception answers as a server's internal error does
    /// (<c>internal_error</c>; OpenClaw <c>UNAVAILABLE</c>), with its message.
    /// </summary>
    public void RegisterMethod(string name, Func<JsonElement, CancellationToken, Task<JsonNode?>> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        _methods[name] = handler;
    }

    /// <summary>
    /// OpenClaw mode: registers a method that answers twice, first <c>{"status":"accepted","runId"}</c>, then
    /// the handler's result (as agent runs do).
    /// </summary>
    public void RegisterTwoStageMethod(string name, Func<JsonElement, CancellationToken, Task<JsonNode?>> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        _twoStageMethods[name] = handler;
    }

    /// <summary>OpenClaw mode: the next <paramref name="count"/> connects are refused with a retryable <c>UNAVAILABLE</c> and close 1013, as while the gateway starts.</summary>
    public void RefuseNextConnectsAsStarting(int count) => Interlocked.Exchange(ref _openClawUnavailable, count);

    /// <summary>OpenClaw mode: sends an event to every handshaken connection, each numbered by that connection's own sequence.</summary>
    public async Task PublishOpenClawEventAsync(string name, JsonNode? payload)
    {
        foreach (var connection in _handshaken.Snapshot().Where(c => c.IsOpen))
        {
            await SendOpenClawEventAsync(connection, name, payload?.DeepClone()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// OpenClaw mode: announces a stop or restart (<c>shutdown</c>, with <c>restartExpectedMs</c> for a
    /// restart), closes every connection with 1012, and (for a restart) takes a new boot id.
    /// </summary>
    public async Task ShutdownOpenClawAsync(long? restartExpectedMs)
    {
        var payload = new JsonObject { ["reason"] = restartExpectedMs is null ? "gateway stopping" : "gateway restarting" };
        if (restartExpectedMs is { } ms)
        {
            payload["restartExpectedMs"] = ms;
        }

        foreach (var connection in _handshaken.Snapshot().Where(c => c.IsOpen))
        {
            await SendOpenClawEventAsync(connection, "shutdown", payload.DeepClone()).ConfigureAwait(false);
            await connection.CloseAsync(1012, "service restart").ConfigureAwait(false);
        }

        BootId = Guid.NewGuid().ToString();
    }

    /// <summary>Sends the protocol 2 drain notice (<c>reconnect</c>) to every handshaken connection.</summary>
    public async Task SendDrainNoticeAsync(long retryAfterMilliseconds = 0)
    {
        var json = new JsonObject { ["type"] = "reconnect", ["reason"] = "draining", ["retry_after_ms"] = retryAfterMilliseconds }.ToJsonString();
        foreach (var connection in _handshaken.Snapshot().Where(c => c.IsOpen))
        {
            await connection.HandshakeAnswered.Task.ConfigureAwait(false); // released by End() too
            await connection.SendTextAsync(json).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Simulates a restart: every open connection is dropped (abruptly, or closed with <paramref name="closeCode"/>),
    /// and the sessions keep or lose their history as <paramref name="mode"/> says.
    /// </summary>
    public async Task RestartAsync(RestartMode mode, int? closeCode = null)
    {
        // Atomic for clients: no handshake resolves or binds a session while the restart is under way,
        // so a client that reconnects at once meets the restarted state, never the old one.
        await _restartGate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var connection in _accepted.Snapshot().Where(c => c.IsOpen))
            {
                connection.Session?.Unbind(connection);
                if (closeCode is { } code)
                {
                    await connection.CloseAsync(code, "restart").ConfigureAwait(false);
                }
                else
                {
                    connection.Drop();
                }
            }

            switch (mode)
            {
                case RestartMode.LoseHistory:
                    foreach (var session in _sessions.Values)
                    {
                        session.LoseHistory(NextEpoch());
                    }

                    break;
                case RestartMode.ForgetSessions:
                    _sessions.Clear();
                    break;
            }
        }
        finally
        {
            _restartGate.Release();
        }
    }

    /// <summary>Stops listening and ends every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _heartbeat?.Dispose();
        _listener.Stop();
        foreach (var connection in _accepted.Snapshot())
        {
            connection.End();
        }

        var pending = _work.Keys.ToList();
        if (_acceptLoop is not null)
        {
            pending.Add(_acceptLoop);
        }

        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Releases what the constructor took, for a gateway that never started listening.</summary>
    private void Abandon()
    {
        _disposed = 1;
        _heartbeat?.Dispose();
        _listener.Stop();
        _stopping.Dispose();
    }

    internal void OnHandshake(TestConnection connection) => _handshaken.Add(connection);

    /// <summary>Held by a handshake from resolving its session to binding it; a restart waits for it.</summary>
    internal SemaphoreSlim RestartGate => _restartGate;

    internal bool TryTakeRejection(out HandshakeRejection? rejection) => _rejections.TryDequeue(out rejection);

    internal bool TryTakeHandshakeDelay(out TimeSpan delay) => _handshakeDelays.TryDequeue(out delay);

    internal Func<JsonElement, CancellationToken, Task<JsonNode?>>? FindMethod(string name) =>
        _methods.TryGetValue(name, out var handler) ? handler : null;

    internal Func<JsonElement, CancellationToken, Task<JsonNode?>>? FindTwoStageMethod(string name) =>
        _twoStageMethods.TryGetValue(name, out var handler) ? handler : null;

    internal bool TryTakeOpenClawUnavailable()
    {
        while (true)
        {
            var left = Volatile.Read(ref _openClawUnavailable);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _openClawUnavailable, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    internal static async Task<bool> SendOpenClawEventAsync(TestConnection connection, string name, JsonNode? payload)
    {
        await connection.HandshakeAnswered.Task.ConfigureAwait(false); // released by End() too
        return await connection.SendSequencedTextAsync(seq => OpenClawConversation.Event(name, payload, seq).ToJsonString()).ConfigureAwait(false);
    }

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>OpenClaw mode: the chat runs and transcripts.</summary>
    internal OpenClawChat OpenClawChat { get; }

    /// <summary>The session to join: an existing one (resumed), or a new one under the requested or a fresh id.</summary>
    internal (TestSession Session, bool Resumed) ResolveSession(string? requestedId)
    {
        if (requestedId is not null && _sessions.TryGetValue(requestedId, out var existing))
        {
            return (existing, true);
        }

        var id = requestedId ?? $"sess-{Interlocked.Increment(ref _sessionIds)}-{Guid.NewGuid():N}";
        var session = _sessions.GetOrAdd(id, key => new TestSession(this, key, NextEpoch()));
        return (session, false);
    }

    /// <summary>Runs background work the gateway waits for on dispose.</summary>
    internal void Track(Func<Task> work)
    {
        var task = Task.Run(work);
        _work[task] = true;
        task.ContinueWith(t => _work.TryRemove(t, out _), TaskScheduler.Default);
    }

    private string NextEpoch() => $"epoch-{Interlocked.Increment(ref _epochs)}";

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            tcp.NoDelay = true;
            Interlocked.Increment(ref _acceptedSockets);
            Track(() => ServeAsync(tcp));
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        TestConnection? connection = null;
        try
        {
            using var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            headerTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            var stream = await OpenStreamAsync(tcp, headerTimeout.Token).ConfigureAwait(false);
            if (stream is null)
            {
                tcp.Dispose();
                return;
            }

            var request = await WebSocketUpgrade.ReadRequestAsync(stream, headerTimeout.Token).ConfigureAwait(false);
            if (request is null
                || !request.Headers.TryGetValue("upgrade", out var upgrade) || !upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase)
                || !request.Headers.TryGetValue("sec-websocket-key", out var key))
            {
                await WebSocketUpgrade.WriteErrorAsync(stream, 400, "Bad Request", _stopping.Token).ConfigureAwait(false);
                tcp.Dispose();
                return;
            }

            if (Volatile.Read(ref _refusal) is { } refusal)
            {
                await WebSocketUpgrade.WriteErrorAsync(stream, refusal.StatusCode, "Refused", _stopping.Token, refusal.RetryAfter).ConfigureAwait(false);
                tcp.Dispose();
                return;
            }

            if (!TestDialectCatalog.For(Options.Dialect).ServedPaths.Contains(request.Path))
            {
                await WebSocketUpgrade.WriteErrorAsync(stream, 404, "Not Found", _stopping.Token).ConfigureAwait(false);
                tcp.Dispose();
                return;
            }

            await WebSocketUpgrade.WriteSwitchingProtocolsAsync(stream, key, _stopping.Token).ConfigureAwait(false);
            var intercepted = new InterceptedStream(stream);
            var socket = WebSocket.CreateFromStream(intercepted, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            connection = new TestConnection(Interlocked.Increment(ref _connectionIds), tcp, intercepted, socket, request.Path, request.Query, request.Headers, Options.TimeProvider);
            _accepted.Add(connection);
            await TestDialectCatalog.For(Options.Dialect).Converse(this, connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (TestConnection.IsConnectionFailure(ex))
        {
            // The client went away or the gateway is stopping.
        }
        finally
        {
            if (connection is null)
            {
                tcp.Dispose();
            }
            else
            {
                connection.MarkServed();
            }
        }
    }

    /// <summary>The connection's byte stream: the socket itself, or TLS over it; null when the TLS handshake failed.</summary>
    private async Task<Stream?> OpenStreamAsync(TcpClient tcp, CancellationToken cancellationToken)
    {
        if (Options.ServerCertificate is not { } certificate)
        {
            return tcp.GetStream();
        }

        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    private void Heartbeat()
    {
        var now = Options.TimeProvider.GetUtcNow();
        foreach (var connection in _accepted.Snapshot())
        {
            if (!connection.IsOpen || connection.IsStalled)
            {
                continue;
            }

            var heartbeat = TestDialectCatalog.For(Options.Dialect).Heartbeat;
            Track(() => heartbeat(this, connection, now) ?? Task.CompletedTask);
        }
    }

    private sealed record UpgradeRefusal(int StatusCode, string? RetryAfter);
}

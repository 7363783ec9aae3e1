using System.Net.WebSockets;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;

namespace Gateway.Client.Engine;

/// <summary>
/// The one owner of the connection's lifetime: it opens connections, runs the handshake with the
/// cursor, watches each connection until it ends, and publishes state changes. Nothing else starts
/// or stops a connection. Connect and disconnect are serialised by one lifecycle lock, which is never
/// held while user code runs.
/// </summary>
internal sealed class Supervisor : IAsyncDisposable
{
    private readonly GatewayClientOptions _options;
    private readonly IDialect _dialect;
    private readonly ILogger _logger;
    private readonly ConnectionStateMachine _state;
    private readonly ClientCounters _counters;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly SequenceTracker _tracker = new();
    private readonly InboundPipeline _pipeline;
    private Connection? _connection;
    private Task<ConnectionEnd>? _run;
    private GatewaySession? _session;
    private bool _serverIsLegacy;
    private long _deliveredCursor;
    private int _runNumber;
    private int _disposed;

    public Supervisor(GatewayClientOptions options, IDialect dialect, ConnectionStateMachine state, ClientCounters counters, ILogger logger)
    {
        _options = options;
        _dialect = dialect;
        _state = state;
        _counters = counters;
        _logger = logger;
        Events = new EventChannel(options.EventBufferCapacity);
        _pipeline = new InboundPipeline(_tracker, Requests, dialect, counters, logger, Events);
    }

    public PendingRequests Requests { get; } = new();

    public IDialect Dialect => _dialect;

    /// <summary>The event stream, for the client's lifetime.</summary>
    public EventChannel Events { get; }

    /// <summary>
    /// The current run: one <see cref="ConnectAsync"/> until disconnect or terminal failure. An end-of-run
    /// marker ends a consumer's enumeration only while its run is still the current one.
    /// </summary>
    public int Run => Volatile.Read(ref _runNumber);

    public GatewaySession? Session => Volatile.Read(ref _session);

    /// <summary>The last sequence number delivered to the consumer.</summary>
    public long Cursor => Interlocked.Read(ref _deliveredCursor);

    /// <summary>Called by the consumer as it takes each item.</summary>
    public void MarkDelivered(long cursor) => Interlocked.Exchange(ref _deliveredCursor, cursor);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var token = linked.Token;
        await _lifecycle.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var from = _state.Current;
            if (from == ConnectionState.Connected)
            {
                return;
            }

            _state.Transition(from, ConnectionState.Connecting);
            Interlocked.Increment(ref _runNumber);
            Connection connection;
            HandshakeResult result;
            long? sentSince;
            try
            {
                (connection, result, sentSince) = await OpenAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                _state.Transition(ConnectionState.Connecting, ConnectionState.Disconnected);
                throw;
            }
            catch (Exception ex)
            {
                Log.ConnectFailed(_logger, ex);
                _state.Transition(ConnectionState.Connecting, ConnectionState.Failed, ex);
                EndRun(ex);
                throw;
            }

            // Connected before the receive loop starts, so a connection that dies at once is seen leaving Connected.
            var handshakeGap = AdoptSession(connection, result, sentSince);
            _state.Transition(ConnectionState.Connecting, ConnectionState.Connected);
            _run = RunAsync(connection, handshakeGap, result.FramesAfterHandshake);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Sends a frame on the current connection after checking the server's size limit.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken)
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is null || _state.Current != ConnectionState.Connected)
        {
            throw new GatewayConnectionException($"Cannot send: the client is {_state.Current}, not Connected.");
        }

        if (Session?.Policy.MaxPayload is { } limit && utf8Frame.Length > limit)
        {
            throw new GatewayPayloadTooLargeException(utf8Frame.Length, limit);
        }

        return connection.SendAsync(utf8Frame, cancellationToken);
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = _state.Current;
            if (state == ConnectionState.Failed)
            {
                _state.Transition(ConnectionState.Failed, ConnectionState.Disconnected);
                return;
            }

            if (state != ConnectionState.Connected || _connection is not { } connection || _run is not { } run)
            {
                return;
            }

            await CloseGracefullyAsync(connection, run).ConfigureAwait(false);
            var closed = new GatewayConnectionException("The client disconnected.");
            Requests.FailAll(closed);

            // If the server ended the connection first, the run already moved to Failed.
            if (!_state.TryTransition(ConnectionState.Connected, ConnectionState.Disconnected))
            {
                _state.TryTransition(ConnectionState.Failed, ConnectionState.Disconnected);
            }

            EndRun(null);
            Log.Disconnected(_logger);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            // Stop a connect in progress first, so disposal does not wait for a handshake.
            _disposing.Cancel();
            await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);

            // A consumer waiting between runs ends too.
            EndRun(null);
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(_logger, ex);
        }
    }

    private async Task<(Connection Connection, HandshakeResult Result, long? SentSince)> OpenAsync(CancellationToken cancellationToken)
    {
        var token = _options.TokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : null;
        Log.Connecting(_logger, UrlRedactor.Redact(_options.Url!));
        var connection = await Connection.OpenAsync(_options, _dialect, token, cancellationToken).ConfigureAwait(false);
        var session = Session;
        var request = new HandshakeRequest
        {
            AgentId = _options.AgentId!,
            Protocol = _options.ProtocolRange,
            Capabilities = (IReadOnlyList<string>)_options.Capabilities,
            SessionId = session?.SessionId,
            Since = session is null ? null : _tracker.Last,
            AllowLegacy = _options.AllowLegacyHandshake,
            PreferLegacy = _serverIsLegacy,
            Timeout = _options.HandshakeTimeout,
            TimeProvider = _options.TimeProvider,
        };

        try
        {
            var result = await _dialect.HandshakeAsync(connection, request, cancellationToken).ConfigureAwait(false);
            if (result.Session.IsLegacyHandshake && !_serverIsLegacy)
            {
                Log.LegacyFallback(_logger, "no hello_ok; the server answered join");
                _serverIsLegacy = true;
            }

            return (connection, result, request.Since);
        }
        catch (GatewayHandshakeException ex)
        {
            Log.HandshakeRefused(_logger, ex.Code, ex.NextStep);

            // The contract leaves the socket open after hello_error: the client closes it.
            await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "handshake failed").ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Takes over the handshake's session and cursor; returns the gap the handshake revealed, if any.</summary>
    private GapInfo? AdoptSession(Connection connection, HandshakeResult result, long? sentSince)
    {
        var session = result.Session;
        Volatile.Write(ref _session, session);
        _counters.Connected();
        Log.Connected(_logger, session.SessionId, session.Protocol, session.IsLegacyHandshake, session.Resumed, session.ServerCursor);

        var gap = _tracker.OnHandshake(session, sentSince, result.ResyncRequired);
        if (sentSince is null)
        {
            // A new session starts at the server's head: history before it was never asked for.
            MarkDelivered(_tracker.Last ?? 0);
        }

        for (var i = 0; i < connection.HandshakeFramesSkipped; i++)
        {
            _counters.NonTextFrameSkipped();
        }

        Volatile.Write(ref _connection, connection);
        return gap;
    }

    private async Task<ConnectionEnd> RunAsync(Connection connection, GapInfo? handshakeGap, IReadOnlyList<byte[]> framesAfterHandshake)
    {
        ConnectionEnd end;
        try
        {
            if (handshakeGap is not null)
            {
                // In stream order: after everything from the previous connection, before anything replayed.
                await _pipeline.ReportGapAsync(handshakeGap, _tracker.Last ?? 0, connection.Lifetime).ConfigureAwait(false);
            }

            end = await connection.RunAsync(_pipeline, framesAfterHandshake).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            end = new ConnectionEnd(ConnectionEndKind.ClosedByClient, error: ex);
        }

        if (end.Kind == ConnectionEndKind.MessageTooLarge)
        {
            Log.MessageTooLarge(_logger, _options.MaxReceiveMessageBytes);
        }

        Log.ConnectionEnded(_logger, end.ToString());
        if (end.Kind == ConnectionEndKind.ClosedByClient)
        {
            return end;
        }

        // The server or the network ended it. Reconnection arrives with the resilience work; until then a
        // lost connection is terminal: consumers drain what was buffered, then see the cause.
        var error = end.ToException();
        Requests.FailAll(error);
        if (_state.TryTransition(ConnectionState.Connected, ConnectionState.Failed, error))
        {
            Volatile.Write(ref _connection, null);
            EndRun(error);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return end;
    }

    private async Task CloseGracefullyAsync(Connection connection, Task<ConnectionEnd> run)
    {
        var deadline = TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout);
        try
        {
            using var leave = new PooledBufferWriter(32);
            _dialect.WriteLeave(leave);
            var send = connection.SendAsync(leave.WrittenMemory, connection.Lifetime).AsTask();
            if (await TimeProviderDelay.WaitUntilAsync(send, _options.TimeProvider, deadline, CancellationToken.None).ConfigureAwait(false))
            {
                await send.ConfigureAwait(false);
                await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client disconnect").ConfigureAwait(false);
            }
        }
        catch (GatewayConnectionException)
        {
            // Already broken: nothing polite left to say.
        }

        if (!await TimeProviderDelay.WaitUntilAsync(run, _options.TimeProvider, deadline, CancellationToken.None).ConfigureAwait(false))
        {
            connection.Abort();
        }

        await run.ConfigureAwait(false);
        Volatile.Write(ref _connection, null);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Marks the end of the run in the stream: consumers get everything before it, then the end (or <paramref name="error"/>).</summary>
    private void EndRun(Exception? error) => Events.WriteEndOfRun(Run, error);
}

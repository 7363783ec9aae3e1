using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Diagnostics;
using Gateway.Client.Dialects;
using Gateway.Client.Engine;
using Gateway.Client.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Gateway.Client.PraisonAI;

namespace Gateway.Client;

/// <summary>
/// A client for an agent gateway's WebSocket endpoint. It negotiates the protocol version, delivers
/// events through <see cref="ReadEventsAsync"/> with replayed duplicates dropped and holes reported
/// through <see cref="OnGap"/> in stream order, and sends messages and requests.
/// </summary>
/// <example>
/// <code>
/// await using var client = new GatewayClient(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:8765/ws"), AgentId = "support" });
/// await client.ConnectAsync(ct);
/// await client.SendMessageAsync("hello", ct);
/// await foreach (var e in client.ReadEventsAsync(ct)) Console.WriteLine(e);
/// </code>
/// </example>
public sealed class GatewayClient : IAsyncDisposable, IDisposable
{
    private readonly GatewayClientOptions _options;
    private readonly ILogger _logger;
    private readonly ClientCounters _counters;
    private readonly CallbackDispatcher _dispatcher;
    private readonly HandlerList<ConnectionStateChangedEventArgs> _stateHandlers = new();
    private readonly ClientState _state;
    private readonly Supervisor _supervisor;
    private int _disposed;

    /// <summary>Creates a client. Nothing connects until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">The settings; validated now and copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where logs go; none by default. The token is never logged.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public GatewayClient(GatewayClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        Guard.NotNull(options);
        options.Validate();
        _options = options.Clone();
        // Every line inside a scope naming this client and its session (the session is read when the line is written).
        _logger = new ClientLogScope((loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Client"), _options.Name, () => _supervisor?.Session?.SessionId);
        _dispatcher = new CallbackDispatcher(_logger, options.TimeProvider);
        var telemetry = new ClientTelemetry(_options);
        _counters = new ClientCounters(telemetry);
        _state = new ClientState(_dispatcher, NotifyStateChangedAsync, _options, telemetry);
        var dialect = DialectCatalog.For(_options.Dialect).Create(_options);
        _supervisor = new Supervisor(_options, dialect, _state, _counters, _logger, _dispatcher, CallbacksDrainedAsync);
        telemetry.Created();
        telemetry.BufferDepth.Add(_supervisor.Events, telemetry.Tags);
    }

    /// <summary>
    /// Registers a handler for every change of <see cref="State"/> (docs/callbacks.md). Handlers run one at a time, in
    /// the order of the transitions and, for each, in registration order, on the client's callback task (never on the
    /// receive loop), each awaited before the next starts. Only changes are reported: another connection attempt while
    /// <c>Connecting</c> or <c>Reconnecting</c> is not a transition (the logs and metrics count attempts); the transition
    /// into <c>Reconnecting</c> carries the first attempt's number, delay and cause.
    /// <para>A handler that throws is logged and does not affect the client or the other handlers. Its token fires when
    /// the client is disposed. <see cref="ConnectAsync"/> and <see cref="DisconnectAsync"/> return after the handlers of
    /// the transitions they caused have run, waiting at most <see cref="GatewayClientOptions.CloseTimeout"/>.</para>
    /// </summary>
    /// <param name="handler">Called with the transition and a token that fires when the client is disposed.</param>
    /// <returns>The registration: disposing it removes the handler (idempotent; safe while handlers run).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public IDisposable OnStateChanged(Func<ConnectionStateChangedEventArgs, CancellationToken, Task> handler) =>
        _stateHandlers.Add(Guard.NotNull(handler));

    /// <summary>
    /// Registers a handler for holes in the numbered stream that replay cannot fill (docs/callbacks.md). Handlers run in
    /// stream order on the consumer's <see cref="ReadEventsAsync"/> (or <see cref="ReadEventBatchesAsync"/>) enumeration:
    /// after the consumer received every event before the hole and before it receives any event after it, so
    /// resynchronising here is safe; for each hole, in registration order, each awaited before the next. They run after
    /// the <see cref="OnStateChanged"/> handlers raised before the hole (the transition into <c>Reconnecting</c> that led
    /// to it, and, where the new connection is up already, into <c>Connected</c>) have run.
    /// <para>An exception a handler throws ends the enumeration with it (the handlers after it do not run). The token
    /// fires when the enumeration is cancelled or the client is disposed; a handler that fails because of the disposal
    /// ends the enumeration quietly.</para>
    /// </summary>
    /// <param name="handler">Called with the hole and a token that fires when the enumeration ends or the client is disposed.</param>
    /// <returns>The registration: disposing it removes the handler (idempotent; safe while gaps are handled).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public IDisposable OnGap(Func<GapInfo, CancellationToken, Task> handler) =>
        _supervisor.Reader.GapHandlers.Add(Guard.NotNull(handler));

    /// <summary>
    /// Every retry the reconnect loop schedules, including the attempts that are no change of state: for tests, which
    /// follow each attempt's number and delay. Raised in order with the state notifications, on the callback task.
    /// </summary>
    internal event Action<ConnectionStateChangedEventArgs>? RetryScheduled
    {
        add => _state.RetryScheduled += value;
        remove => _state.RetryScheduled -= value;
    }

    /// <summary>The current state.</summary>
    public ConnectionState State => _state.Current;

    /// <summary>What the server said in the latest successful handshake, or null before the first.</summary>
    public GatewaySession? Session => _supervisor.Session;

    /// <summary>
    /// The last sequence number <b>yielded</b> to the <see cref="ReadEventsAsync"/> loop (after a fresh connect: the
    /// server's head; after a resync: the snapshot's cursor). It moves before the loop's body runs, so it can claim an
    /// event the app has not finished handling: <b>do not persist it</b>. For durable progress, persist
    /// <c>(Session.SessionId, Session.Epoch, e.Sequence)</c> after handling <c>e</c>, and pass them back as
    /// <see cref="GatewayClientOptions.ResumeSessionId"/>, <see cref="GatewayClientOptions.ResumeEpoch"/> and
    /// <see cref="GatewayClientOptions.ResumeCursor"/> (README, "Durable progress").
    /// </summary>
    public long Cursor => _supervisor.Reader.Cursor;

    /// <summary>The event buffer, for tests that must know when the receive loop waits for the consumer.</summary>
    internal EventBuffer Buffer => _supervisor.Events;

    /// <summary>The live connection's owner, for tests that must know where a request is registered.</summary>
    internal LiveConnection? LiveConnection => _state.Live;

    /// <summary>Counts of what was received, delivered and skipped.</summary>
    public GatewayClientStatistics Statistics => _counters.Snapshot();

    /// <summary>
    /// Opens the connection and performs the handshake. Returns once the server accepted it, and once the
    /// <see cref="OnStateChanged"/> handlers for the transitions so far (up to <c>Connected</c>, or <c>Failed</c> when it
    /// throws) have run, so code after it never races them (a slow handler is waited for at most
    /// <see cref="GatewayClientOptions.CloseTimeout"/>, then logged). Calling it while connected does nothing.
    /// </summary>
    /// <exception cref="GatewayHandshakeException">The server refused the handshake (for example a bad token or no common protocol version).</exception>
    /// <exception cref="GatewayConnectionException">The socket could not be opened or closed during the handshake.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        try
        {
            await _supervisor.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await CallbacksDrainedAsync(cancellationToken).ConfigureAwait(false);
            throw;
        }

        await CallbacksDrainedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The event stream: <c>await foreach</c> over it. One consumer at a time; a later enumeration
    /// continues where the previous one stopped, so nothing buffered is lost between them. It ends after
    /// <see cref="DisconnectAsync"/> once every buffered event is delivered; after a terminal failure it
    /// delivers what was buffered, then throws the cause. If the app has connected again by the time the
    /// consumer reaches the end of the earlier run, the enumeration reads on into the new run.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration (also honoured through <c>WithCancellation</c>).</param>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public IAsyncEnumerable<GatewayEvent> ReadEventsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _supervisor.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>
    /// The event stream in batches, lent without copying: the fastest way to read, for a consumer that handles each
    /// event within its loop iteration. The same stream as <see cref="ReadEventsAsync"/> (one consumer at a time, either
    /// way; <see cref="OnGap"/> runs between batches, in stream order; the same end), but each event's bytes stay in the
    /// pooled buffer they were received into: no copy and no allocation per event.
    /// <para>A batch holds the events that were there without waiting, up to <paramref name="maxBatchSize"/>, and is valid
    /// until the enumeration moves on: then its buffers go back to the pool, and reading the bytes of an event kept from it
    /// throws <see cref="InvalidOperationException"/>. Call <see cref="GatewayEventView.ToEvent"/> to keep one.</para>
    /// </summary>
    /// <example>
    /// <code>
    /// await foreach (var batch in client.ReadEventBatchesAsync(cancellationToken: ct))
    /// {
    ///     foreach (var e in batch)
    ///     {
    ///         var chunk = e.GetData(PraisonAIJsonContext.Default.TokenStreamData);
    ///     }
    /// }
    /// </code>
    /// </example>
    /// <param name="maxBatchSize">The most events in one batch, from 1 to 65,536.</param>
    /// <param name="cancellationToken">Stops the enumeration (also honoured through <c>WithCancellation</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(int maxBatchSize = 256, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (maxBatchSize is < 1 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, "A batch holds from 1 to 65,536 events.");
        }

        return _supervisor.Reader.ReadBatchesAsync(maxBatchSize, cancellationToken);
    }

    /// <summary>Sends a user turn. The answer arrives as events (<c>response</c>, stream events).</summary>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public Task SendMessageAsync(string content, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(content);
        return SendChatAsync(static (verbs, output, state) => verbs.WriteMessage(output, state), content, "SendMessageAsync", cancellationToken);
    }

    /// <summary>Sends a user turn whose content is structured JSON.</summary>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public Task SendMessageAsync(JsonElement content, CancellationToken cancellationToken = default) =>
        SendChatAsync(static (verbs, output, state) => verbs.WriteMessage(output, state), content, "SendMessageAsync", cancellationToken);

    /// <summary>Asks the server to abort the active turn; it answers with an <c>aborted</c> or <c>no_active_turn</c> event.</summary>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    public Task AbortAsync(string reason = "user", CancellationToken cancellationToken = default)
    {
        Guard.NotNull(reason);
        return SendChatAsync(static (verbs, output, state) => verbs.WriteAbort(output, state), reason, "AbortAsync", cancellationToken);
    }

    /// <summary>Sends any frame: a JSON object with a <c>type</c>.</summary>
    /// <exception cref="ArgumentException">The frame is not a JSON object with a string <c>type</c>.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public Task SendAsync(JsonElement frame, CancellationToken cancellationToken = default)
    {
        if (frame.ValueKind != JsonValueKind.Object || !frame.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException("A frame must be a JSON object with a string 'type'.", nameof(frame));
        }

        return SendFrameAsync(frame, cancellationToken);
    }

    /// <summary>
    /// Sends any frame given as UTF-8 JSON: a JSON object with a <c>type</c>. The frame is checked with a reader and
    /// sent as it is, the caller's bytes, with no parse-and-rewrite: do not change them until the task completes.
    /// </summary>
    /// <exception cref="ArgumentException">The bytes are not one JSON object with a string <c>type</c> (or not UTF-8).</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken = default)
    {
        if (FrameCheck.Problem(utf8Frame.Span) is { } problem)
        {
            throw new ArgumentException($"A frame must be one JSON object with a string 'type': {problem}.", nameof(utf8Frame));
        }

        ThrowIfDisposed();
        return _supervisor.SendAsync(utf8Frame, cancellationToken);
    }

    /// <summary>
    /// Sends any frame given as a typed value, serialized by a source-generated <paramref name="frameType"/> straight
    /// into the send buffer (no <see cref="JsonElement"/> in between): trimming- and AOT-safe. It must serialize to a
    /// JSON object with a string <c>type</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value does not serialize to a JSON object with a string <c>type</c>.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The generic overload cannot be confused with the others (its generic arity differs), and this signature is the issue's contract.")]
    public async Task SendAsync<T>(T frame, JsonTypeInfo<T> frameType, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(frameType);
        ThrowIfDisposed();
        using var output = new PooledBufferWriter();
        using (var json = new Utf8JsonWriter(output))
        {
            JsonSerializer.Serialize(json, frame, frameType);
        }

        if (FrameCheck.Problem(output.WrittenMemory.Span) is { } problem)
        {
            throw new ArgumentException($"A {typeof(T).Name} must serialize to a JSON object with a string 'type': {problem}.", nameof(frame));
        }

        await _supervisor.SendAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request (a protocol 2 <c>req</c>, an OpenClaw <c>req</c>, a Praxis command) and waits for its answer, up to <see cref="GatewayClientOptions.RequestTimeout"/>.
    /// </summary>
    /// <param name="method">The method, for example <c>resync</c>.</param>
    /// <param name="parameters">The <c>params</c> object; an empty object when null.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The <c>result</c> of the answer (<see cref="JsonValueKind.Undefined"/> when it had none).</returns>
    /// <exception cref="NotSupportedException">The session has no requests (protocol 1); the message says why.</exception>
    /// <exception cref="GatewayRequestException">The server answered <c>ok:false</c>.</exception>
    /// <exception cref="TimeoutException">No answer within the request timeout.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running; or, with <see cref="GatewayConnectionException.OutcomeUnknown"/>, the request was written and its connection ended before the answer (it is never sent again without an idempotency key; docs/reliability.md, "Requests: at most once").</exception>
    /// <exception cref="TimeoutException">Reconnecting took longer than <see cref="GatewayClientOptions.SendTimeout"/>.</exception>
    public Task<JsonElement> RequestAsync(string method, JsonElement? parameters = null, CancellationToken cancellationToken = default) =>
        RequestAsync(method, parameters, DefaultRequest, cancellationToken);

    /// <summary>
    /// Sends a request and waits for its answer as <paramref name="options"/> say: for example the final
    /// answer of a method that first answers <c>accepted</c> (OpenClaw agent runs).
    /// </summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The <c>params</c> object; an empty object when null.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The answer's result (protocol 2 <c>result</c>, OpenClaw and Praxis <c>payload</c>).</returns>
    /// <exception cref="NotSupportedException">The session has no request/response (protocol 1), or an <see cref="GatewayRequestOptions.IdempotencyKey"/> the dialect cannot carry.</exception>
    /// <exception cref="GatewayRequestException">The server answered <c>ok:false</c>; or, for Praxis, the client refused the request before writing it (<c>TOO_MANY_AWAITING</c>, <c>ANSWERS_OUT_OF_STEP</c>; docs/praxis.md).</exception>
    /// <exception cref="TimeoutException">No (final) answer in time, or no connection to write it on within <see cref="GatewayClientOptions.SendTimeout"/> (then it was not sent).</exception>
    /// <exception cref="GatewayConnectionException">The client is not running; or, with <see cref="GatewayConnectionException.OutcomeUnknown"/>, the request was written and its connection ended before the answer (it is never sent again without an idempotency key; docs/reliability.md, "Requests: at most once").</exception>
    public async Task<JsonElement> RequestAsync(string method, JsonElement? parameters, GatewayRequestOptions options, CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(method);
        Guard.NotNull(options);
        var response = await SendRequestAsync(method, parameters, options, cancellationToken).ConfigureAwait(false);
        return response.Result ?? default;
    }

    /// <summary>
    /// Sends a typed request and returns its typed answer, both through source-generated serializers:
    /// trimming- and AOT-safe. Otherwise as <see cref="RequestAsync(string, JsonElement?, GatewayRequestOptions, CancellationToken)"/>.
    /// </summary>
    /// <param name="method">The method (a Praxis command type).</param>
    /// <param name="parameters">The parameters (the <c>params</c>, or a Praxis <c>payload</c>).</param>
    /// <param name="parametersType">The parameters' serializer, for example <c>AppJsonContext.Default.SearchRequest</c>.</param>
    /// <param name="responseType">The answer's serializer.</param>
    /// <param name="options">How to wait; null waits for the first answer, up to <see cref="GatewayClientOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="JsonException">The answer does not match <typeparamref name="TResponse"/>; the message names the method.</exception>
    /// <exception cref="NotSupportedException">The session has no request/response (protocol 1), or an <see cref="GatewayRequestOptions.IdempotencyKey"/> the dialect cannot carry.</exception>
    /// <exception cref="GatewayRequestException">The server refused the request; or, for Praxis, the client refused it before writing it (docs/praxis.md).</exception>
    /// <exception cref="TimeoutException">No (final) answer in time, or no connection to write it on within <see cref="GatewayClientOptions.SendTimeout"/> (then it was not sent).</exception>
    /// <exception cref="GatewayConnectionException">The client is not running; or, with <see cref="GatewayConnectionException.OutcomeUnknown"/>, the request was written and its connection ended before the answer (it is never sent again without an idempotency key; docs/reliability.md, "Requests: at most once").</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The generic overload cannot be confused with the others (its generic arity differs), and this signature is the issue's contract.")]
    public async Task<TResponse> RequestAsync<TRequest, TResponse>(
        string method,
        TRequest parameters,
        JsonTypeInfo<TRequest> parametersType,
        JsonTypeInfo<TResponse> responseType,
        GatewayRequestOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(method);
        Guard.NotNull(parametersType);
        Guard.NotNull(responseType);
        var response = await SendRequestAsync(method, JsonSerializer.SerializeToElement(parameters, parametersType), options ?? DefaultRequest, cancellationToken).ConfigureAwait(false);
        try
        {
            return response.Result is { } result ? result.Deserialize(responseType)! : default!;
        }
        catch (JsonException ex)
        {
            throw new JsonException($"The answer to '{method}' does not match {typeof(TResponse).Name}: {ex.Message}", ex.Path, ex.LineNumber, ex.BytePositionInLine, ex);
        }
    }

    /// <summary>
    /// Re-bases the stream on the server's current state: on protocol 2 with the <c>resync</c> request,
    /// on protocol 1 with a fresh handshake of the same session (whose head becomes the cursor). Call it
    /// from <see cref="OnGap"/>: once it returns, <see cref="ReadEventsAsync"/> no longer delivers numbered
    /// events the snapshot already covers, and <see cref="Cursor"/> is the snapshot's cursor.
    /// </summary>
    /// <returns>The cursor the snapshot is current to, its epoch, and the snapshot when the server sent one.</returns>
    /// <exception cref="GatewayConnectionException">The client is not running, or failed while resyncing.</exception>
    /// <exception cref="NotSupportedException">The dialect cannot re-base a stream; the message says what to do instead.</exception>
    /// <exception cref="GatewayRequestException">The server refused the resync request.</exception>
    /// <exception cref="TimeoutException">No answer within the request timeout.</exception>
    public Task<ResyncResult> ResyncAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _supervisor.Resync.ResyncAsync(cancellationToken);
    }

    /// <summary>
    /// Leaves the session politely (<c>leave</c>, then a close handshake). Returns once the <see cref="OnStateChanged"/>
    /// handlers for the transitions it caused (to <c>Disconnected</c>) have run, so code after it never races them;
    /// all of it is bounded by <see cref="GatewayClientOptions.CloseTimeout"/> (a slow handler is then logged, never
    /// thrown). Called from inside a handler, it does not wait for the handlers (the caller is one of them). The session
    /// stays resumable: a later <see cref="ConnectAsync"/> resumes it from the last accepted event.
    /// </summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        // One bound for all of it, the handlers included (README, "CloseTimeout").
        var deadline = TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout);
        await _supervisor.DisconnectAsync(deadline, cancellationToken).ConfigureAwait(false);
        await CallbacksDrainedAsync(deadline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disconnects (bounded in time) and releases everything. Idempotent; never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            // One deadline for all of it: leaving the gateway, the run loop, and the app's queued callbacks.
            var deadline = TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout);
            await _supervisor.DisposeAsync(deadline).ConfigureAwait(false);
            if (!await _dispatcher.DisposeAsync(deadline).ConfigureAwait(false))
            {
                Log.CallbackAbandoned(_logger, Log.Milliseconds(_options.CloseTimeout));
            }
        }
        catch (Exception ex)
        {
            Log.DisposeFailed(_logger, ex);
        }
        finally
        {
            _counters.Telemetry.BufferDepth.Remove(_supervisor.Events);
            _counters.Telemetry.Disposed(_state.Current);
        }
    }

    /// <summary>
    /// Disposes synchronously, for callers that cannot await (a DI container disposed with
    /// <c>Dispose()</c>): it blocks until <see cref="DisposeAsync"/> finishes, which is bounded by
    /// <see cref="GatewayClientOptions.CloseTimeout"/>. Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override string ToString() =>
        $"GatewayClient {{ Url = {UrlRedactor.Redact(_options.Url!)}, State = {State}, Session = {Session?.SessionId ?? "(none)"}, Cursor = {Cursor} }}";

    private static readonly GatewayRequestOptions DefaultRequest = new();

    private Task<Dialects.ResponseFrame> SendRequestAsync(string method, JsonElement? parameters, GatewayRequestOptions options, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _supervisor.Requests.SendAsync(method, parameters, inStream: null, options, cancellationToken);
    }

    private Task SendFrameAsync(JsonElement frame, CancellationToken cancellationToken) =>
        SendBuiltAsync(static (output, state) =>
        {
            using var json = new Utf8JsonWriter(output);
            state.WriteTo(json);
        }, frame, cancellationToken);

    /// <summary>Builds a chat frame with the dialect's <see cref="IChatVerbs"/> and sends it; a dialect without them says what to use instead.</summary>
    private async Task SendChatAsync<TState>(Action<IChatVerbs, PooledBufferWriter, TState> build, TState state, string api, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (_supervisor.Dialect is not IChatVerbs verbs)
        {
            var entry = DialectCatalog.For(_options.Dialect);
            throw new NotSupportedException($"The {entry.Name} dialect has no {api}: {entry.WithoutChatVerbs ?? "it has no chat frames"}.");
        }

        await SendBuiltAsync(static (output, s) => s.Build(s.Verbs, output, s.State), (Build: build, Verbs: verbs, State: state), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one frame into a pooled buffer and sends it through the engine's send gate.</summary>
    private async Task SendBuiltAsync<TState>(Action<PooledBufferWriter, TState> build, TState state, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        using var output = new PooledBufferWriter();
        build(output, state);
        await _supervisor.SendAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells the <see cref="OnStateChanged"/> handlers of one transition (on the callback task), each failure logged; a
    /// handler that stopped because the client is being disposed (its token) has not failed.
    /// </summary>
    private Task NotifyStateChangedAsync(ConnectionStateChangedEventArgs transition, CancellationToken cancellationToken) =>
        _stateHandlers.Any
            ? _stateHandlers.InvokeAsync(transition, cancellationToken, ex =>
            {
                if (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.CallbackFailed(_logger, $"OnStateChanged, {transition.Previous} -> {transition.Current}", ex);
                }
            })
            : Task.CompletedTask;

    /// <summary>Waits (at most <see cref="GatewayClientOptions.CloseTimeout"/>) until the OnStateChanged and Progress callbacks raised so far have run.</summary>
    /// <remarks>
    /// Never throws: a token that fires only ends the wait, so the outcome it orders (a connect that succeeded, or
    /// the refusal that failed it) is what the caller sees, never an <see cref="OperationCanceledException"/> instead.
    /// </remarks>
    private Task CallbacksDrainedAsync(CancellationToken cancellationToken) =>
        CallbacksDrainedAsync(TimeProviderDelay.DeadlineAfter(_options.TimeProvider, _options.CloseTimeout), cancellationToken);

    /// <summary>Waits until the callbacks raised so far have run, until <paramref name="deadline"/>; never throws.</summary>
    private async Task CallbacksDrainedAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _dispatcher.DrainAsync(deadline, cancellationToken).ConfigureAwait(false))
            {
                Log.CallbackSlow(_logger, Log.Milliseconds(_options.CloseTimeout));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller stopped waiting; what it waited for has already happened.
        }
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            throw new ObjectDisposedException(nameof(GatewayClient));
        }
    }
}

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
/// using Gateway.Client.PraisonAI; // SendMessageAsync: the PraisonAI dialect's verb
///
/// await using var client = new GatewayClient(new GatewayClientOptions { Url = new Uri("ws://127.0.0.1:8765/ws"), AgentId = "support" });
/// await client.ConnectAsync(ct);
/// await client.SendMessageAsync("hello", ct);
/// await foreach (var e in client.ReadEventsAsync(ct)) Console.WriteLine(e);
/// </code>
/// </example>
public sealed class GatewayClient : IGatewayClient, IGatewayTurns, IDisposable, IStreamResyncing
{
    private readonly GatewayClientOptions _options;
    private readonly ILogger _logger;
    private readonly ClientCounters _counters;
    private readonly CallbackDispatcher _dispatcher;
    private readonly HandlerList<ConnectionStateChangedEventArgs> _stateHandlers = new();
    private readonly ClientState _state;
    private readonly Supervisor _supervisor;
    private readonly ClientJson _json;
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
        _json = ClientJson.For(_options.TypeInfoResolver);
        // Every line inside a scope naming this client and its session (the session is read when the line is written).
        _logger = new ClientLogScope((loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Client"), _options.Name, () => _supervisor?.Session?.SessionId);
        _dispatcher = new CallbackDispatcher(_logger, options.TimeProvider);
        var telemetry = new ClientTelemetry(_options);
        _counters = new ClientCounters(telemetry);
        _state = new ClientState(_dispatcher, NotifyStateChangedAsync, _options, telemetry);
        var entry = DialectCatalog.For(_options.Dialect);
        var dialect = entry.Create(_options);
        if (BrowserWebSocketPolicy.Adjustments(_options, entry.CarriesTokenInUpgrade, BrowserWebSocketPolicy.IsBrowser) is { } adjusted)
        {
            Log.BrowserAdjustment(_logger, adjusted);
        }

        _supervisor = new Supervisor(_options, dialect, _state, _counters, _logger, _dispatcher, _json, CallbacksDrainedAsync);
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
    /// stream order on the consumer's <see cref="ReadEventsAsync"/> (or <see cref="ReadEventBatchesAsync(int, CancellationToken)"/>) enumeration:
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

    /// <summary>The most events <see cref="ReadEventBatchesAsync(CancellationToken)"/> puts in one batch.</summary>
    public const int DefaultBatchSize = 256;

    /// <inheritdoc />
    public ProtocolDialect Dialect => _options.Dialect;

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

    /// <summary>
    /// What the connected server supports, from the latest handshake (all false before the first): ask it before a call
    /// that only some servers answer. It follows the dialect and what the session negotiated (for example requests need
    /// protocol 2 on the PraisonAI gateway).
    /// </summary>
    public GatewayCapabilities Capabilities => _supervisor.Capabilities;

    /// <summary>What the server said in the latest successful handshake, or null before the first.</summary>
    public GatewaySession? Session => _supervisor.Session;

    /// <summary>
    /// The last sequence number <b>yielded</b> to the <see cref="ReadEventsAsync"/> loop (after a fresh connect: the
    /// server's head; after a resync: the snapshot's sequence), for tests. It moves before the loop's body runs, so it
    /// is no durable progress: that is <see cref="GatewayEvent.ResumePoint"/>, stored after handling the event.
    /// </summary>
    internal long Cursor => _supervisor.Reader.Cursor;

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
    /// <exception cref="InvalidOperationException"><see cref="ConnectAsync"/> was never called on this client (it need not have finished).</exception>
    public IAsyncEnumerable<GatewayEvent> ReadEventsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _supervisor.ThrowIfNeverConnected(nameof(ReadEventsAsync));
        return _supervisor.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>
    /// The event stream in batches of up to <see cref="DefaultBatchSize"/> events, lent without copying; as
    /// <see cref="ReadEventBatchesAsync(int, CancellationToken)"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration (also honoured through <c>WithCancellation</c>).</param>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(CancellationToken cancellationToken = default) =>
        ReadEventBatchesAsync(DefaultBatchSize, cancellationToken);

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
    /// await foreach (var batch in client.ReadEventBatchesAsync(ct))
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
    /// <exception cref="InvalidOperationException"><see cref="ConnectAsync"/> was never called on this client (it need not have finished).</exception>
    public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(int maxBatchSize, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (maxBatchSize is < 1 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, "A batch holds from 1 to 65,536 events.");
        }

        _supervisor.ThrowIfNeverConnected(nameof(ReadEventBatchesAsync));

        return _supervisor.Reader.ReadBatchesAsync(maxBatchSize, cancellationToken);
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
    /// Sends any frame given as a typed value, serialized through <see cref="GatewayClientOptions.TypeInfoResolver"/>
    /// straight into the send buffer: trimming- and AOT-safe. It must serialize to a JSON object with a string <c>type</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The resolver has no serializer for <typeparamref name="T"/>; the message says how to add one.</exception>
    /// <exception cref="ArgumentException">The value does not serialize to a JSON object with a string <c>type</c>.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public Task SendAsJsonAsync<T>(T frame, CancellationToken cancellationToken = default) =>
        SendAsJsonAsync(frame, _json.TypeInfo<T>(), cancellationToken);

    /// <summary>
    /// Sends any frame given as a typed value, serialized by a source-generated <paramref name="frameType"/> straight
    /// into the send buffer (no <see cref="JsonElement"/> in between): trimming- and AOT-safe. It must serialize to a
    /// JSON object with a string <c>type</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value does not serialize to a JSON object with a string <c>type</c>.</exception>
    /// <exception cref="GatewayConnectionException">Not connected, or the connection broke while sending.</exception>
    /// <exception cref="GatewayPayloadTooLargeException">The frame exceeds the server's <c>max_payload</c>.</exception>
    public async Task SendAsJsonAsync<T>(T frame, JsonTypeInfo<T> frameType, CancellationToken cancellationToken = default)
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
    /// Sends a request without parameters (a protocol 2 <c>req</c>, an OpenClaw <c>req</c>, a Praxis command) and waits
    /// for its answer, up to <see cref="GatewayClientOptions.RequestTimeout"/>.
    /// </summary>
    /// <param name="method">The method, for example <c>health</c>.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The answer's result (protocol 2 <c>result</c>, OpenClaw and Praxis <c>payload</c>; <see cref="JsonValueKind.Undefined"/> when it had none).</returns>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1; <see cref="GatewayCapabilities.Requests"/> is false).</exception>
    /// <exception cref="GatewayRequestException">The server answered <c>ok:false</c>; or, for Praxis, the client refused the request before writing it (<see cref="GatewayRequestException.RefusedByClient"/>: <c>TOO_MANY_AWAITING</c>, <c>ANSWERS_OUT_OF_STEP</c>; docs/praxis.md).</exception>
    /// <exception cref="TimeoutException">No answer in time, or no connection to write it on within <see cref="GatewayClientOptions.SendTimeout"/> (then it was not sent).</exception>
    /// <exception cref="GatewayConnectionException">The client is not running; or, with <see cref="GatewayConnectionException.OutcomeUnknown"/>, the request was written and its connection ended before the answer (it is never sent again without an idempotency key; docs/reliability.md, "Requests: at most once").</exception>
    public Task<JsonElement> RequestAsync(string method, CancellationToken cancellationToken = default) =>
        RequestAsync(method, default, DefaultRequest, cancellationToken);

    /// <summary>Sends a request and waits for its answer, up to <see cref="GatewayClientOptions.RequestTimeout"/>.</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The <c>params</c> object (a Praxis command's <c>payload</c>); an empty object when <c>default</c>.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The answer's result.</returns>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1).</exception>
    /// <exception cref="GatewayRequestException">The server answered <c>ok:false</c>, or the client refused a Praxis request before writing it.</exception>
    /// <exception cref="TimeoutException">No answer in time, or no connection to write it on within <see cref="GatewayClientOptions.SendTimeout"/>.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or the request's outcome is unknown (<see cref="GatewayConnectionException.OutcomeUnknown"/>).</exception>
    public Task<JsonElement> RequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken = default) =>
        RequestAsync(method, parameters, DefaultRequest, cancellationToken);

    /// <summary>
    /// Sends a request and waits for its answer as <paramref name="options"/> say: for example the final answer of a
    /// method that first answers <c>accepted</c> (OpenClaw agent runs), or with an idempotency key
    /// (<see cref="OpenClaw.OpenClawRequestOptions"/>).
    /// </summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The <c>params</c> object; an empty object when <c>default</c>.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The answer's result.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> are another dialect's (for example <see cref="OpenClaw.OpenClawRequestOptions"/> on a PraisonAI client).</exception>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1).</exception>
    /// <exception cref="GatewayRequestException">The server answered <c>ok:false</c>, or the client refused a Praxis request before writing it.</exception>
    /// <exception cref="TimeoutException">No (final) answer in time, or no connection to write it on within <see cref="GatewayClientOptions.SendTimeout"/> (then it was not sent).</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or the request's outcome is unknown (<see cref="GatewayConnectionException.OutcomeUnknown"/>).</exception>
    public async Task<JsonElement> RequestAsync(string method, JsonElement parameters, GatewayRequestOptions options, CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(method);
        Guard.NotNull(options);
        var response = await SendRequestAsync(method, parameters.ValueKind == JsonValueKind.Undefined ? null : parameters, options, cancellationToken).ConfigureAwait(false);
        return response.Result ?? default;
    }

    /// <summary>
    /// Sends a typed request and returns its typed answer, both serialized through
    /// <see cref="GatewayClientOptions.TypeInfoResolver"/> (source-generated: trimming- and AOT-safe).
    /// </summary>
    /// <param name="method">The method (a Praxis command type).</param>
    /// <param name="request">The parameters (the <c>params</c>, or a Praxis <c>payload</c>).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="InvalidOperationException">The resolver has no serializer for one of the types; the message says how to add it.</exception>
    /// <exception cref="JsonException">The answer does not match <typeparamref name="TResponse"/>; the message names the method.</exception>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1).</exception>
    /// <exception cref="GatewayRequestException">The server refused the request, or the client refused a Praxis request before writing it.</exception>
    /// <exception cref="TimeoutException">No answer in time, or no connection to write it on within <see cref="GatewayClientOptions.SendTimeout"/>.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or the request's outcome is unknown (<see cref="GatewayConnectionException.OutcomeUnknown"/>).</exception>
    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, CancellationToken cancellationToken = default) =>
        RequestAsync(method, request, _json.TypeInfo<TRequest>(), _json.TypeInfo<TResponse>(), DefaultRequest, cancellationToken);

    /// <summary>Sends a typed request and waits for its typed answer as <paramref name="options"/> say, serialized through <see cref="GatewayClientOptions.TypeInfoResolver"/>.</summary>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="InvalidOperationException">The resolver has no serializer for one of the types.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are another dialect's.</exception>
    /// <exception cref="JsonException">The answer does not match <typeparamref name="TResponse"/>.</exception>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1).</exception>
    /// <exception cref="GatewayRequestException">The server refused the request.</exception>
    /// <exception cref="TimeoutException">No (final) answer in time.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or the request's outcome is unknown.</exception>
    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, GatewayRequestOptions options, CancellationToken cancellationToken = default) =>
        RequestAsync(method, request, _json.TypeInfo<TRequest>(), _json.TypeInfo<TResponse>(), options, cancellationToken);

    /// <summary>Sends a typed request and returns its typed answer, serialized by the given source-generated serializers.</summary>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="requestType">The parameters' serializer, for example <c>AppJsonContext.Default.SearchRequest</c>.</param>
    /// <param name="responseType">The answer's serializer.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="JsonException">The answer does not match <typeparamref name="TResponse"/>.</exception>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1).</exception>
    /// <exception cref="GatewayRequestException">The server refused the request.</exception>
    /// <exception cref="TimeoutException">No answer in time.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or the request's outcome is unknown.</exception>
    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default) =>
        RequestAsync(method, request, requestType, responseType, DefaultRequest, cancellationToken);

    /// <summary>Sends a typed request and waits for its typed answer as <paramref name="options"/> say, serialized by the given serializers.</summary>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="requestType">The parameters' serializer.</param>
    /// <param name="responseType">The answer's serializer.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are another dialect's.</exception>
    /// <exception cref="JsonException">The answer does not match <typeparamref name="TResponse"/>.</exception>
    /// <exception cref="GatewayCapabilityException">The session has no requests (protocol 1).</exception>
    /// <exception cref="GatewayRequestException">The server refused the request.</exception>
    /// <exception cref="TimeoutException">No (final) answer in time.</exception>
    /// <exception cref="GatewayConnectionException">The client is not running, or the request's outcome is unknown.</exception>
    public async Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, GatewayRequestOptions options, CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(method);
        Guard.NotNull(requestType);
        Guard.NotNull(responseType);
        Guard.NotNull(options);
        var response = await SendRequestAsync(method, JsonSerializer.SerializeToElement(request, requestType), options, cancellationToken).ConfigureAwait(false);
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
    /// Asks the agent and streams its turn (docs/turns.md): the acceptance, text and reasoning deltas, tool calls and
    /// results in order, and last, exactly once, a <see cref="GatewayTurnUpdateKind.Final"/> update whose
    /// <see cref="GatewayTurnUpdate.Outcome"/> says how the turn ended. Every wait is bounded by <paramref name="options"/>;
    /// the turn's events still reach <see cref="ReadEventsAsync"/>, and neither reader holds up the other. Works on every
    /// dialect (<see cref="GatewayTurnExtensions.AskAsync"/> reaches it from an <see cref="IGatewayClient"/>).
    /// </summary>
    /// <param name="message">The user's message.</param>
    /// <param name="options">The turn's settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the turn: it ends with a <see cref="GatewayTurnStatus.Cancelled"/> outcome (no exception), the agent aborted where the dialect can.</param>
    /// <returns>The turn's updates; the last carries the outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="InvalidOperationException">The client was never connected (<see cref="ConnectAsync"/>).</exception>
    /// <exception cref="ObjectDisposedException">The client has been disposed.</exception>
    public IAsyncEnumerable<GatewayTurnUpdate> AskAsync(string message, GatewayTurnOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(message);
        ThrowIfDisposed();
        var settings = new TurnSettings(options, _options);
        _supervisor.ThrowIfNeverConnected(nameof(AskAsync));
        return Turns.AskAsync(message, settings, cancellationToken);
    }

    /// <summary>The turn runner, made on the first turn (most clients only read events).</summary>
    private TurnRunner Turns => Volatile.Read(ref _turns) ?? LazyInitializer.EnsureInitialized(ref _turns, () => new TurnRunner(new TurnServices(this, _supervisor, _options, _supervisor.Turns), _logger))!;

    private TurnRunner? _turns;

    /// <inheritdoc />
    Task<ResyncResult> IStreamResyncing.ResyncAsync(CancellationToken cancellationToken)
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
    /// <see cref="GatewayClientOptions.CloseTimeout"/>. Prefer <see cref="DisposeAsync"/>. In a browser, where a thread
    /// cannot block, it starts <see cref="DisposeAsync"/> and returns: the client takes no more calls at once, and the
    /// socket closes (within <see cref="GatewayClientOptions.CloseTimeout"/>) after it returns.
    /// </summary>
    public void Dispose()
    {
        if (BrowserWebSocketPolicy.IsBrowser)
        {
            // DisposeAsync never throws; blocking on it would throw PlatformNotSupportedException in the browser.
            _ = DisposeAsync().AsTask();
            return;
        }

        DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"GatewayClient {{ Url = {UrlRedactor.Redact(_options.Url!)}, State = {State}, Session = {Session?.SessionId ?? "(none)"}, Sequence = {Cursor} }}";

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

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gateway.Client;

/// <summary>
/// Everything an app calls on a gateway client: take this in app code, so that the app's own tests can put a fake in its
/// place. <see cref="GatewayClient"/> is the implementation; what only one dialect has is in that dialect's namespace
/// (for example <see cref="PraisonAI.PraisonAIClientExtensions"/>), never on this interface.
/// </summary>
public interface IGatewayClient : IAsyncDisposable
{
    /// <summary>The wire protocol this client speaks (<see cref="GatewayClientOptions.Dialect"/>).</summary>
    ProtocolDialect Dialect { get; }

    /// <summary>The current state.</summary>
    ConnectionState State { get; }

    /// <summary>What the server said in the latest successful handshake, or null before the first.</summary>
    GatewaySession? Session { get; }

    /// <summary>What the connected server supports, from the latest handshake (all false before the first).</summary>
    GatewayCapabilities Capabilities { get; }

    /// <summary>Counts of what was received, delivered and skipped.</summary>
    GatewayClientStatistics Statistics { get; }

    /// <summary>Registers a handler for every change of <see cref="State"/> (docs/callbacks.md); disposing the result removes it.</summary>
    /// <param name="handler">Called with the transition and a token that fires when the client is disposed.</param>
    IDisposable OnStateChanged(Func<ConnectionStateChangedEventArgs, CancellationToken, Task> handler);

    /// <summary>Registers a handler for holes in the numbered stream, run in stream order (docs/callbacks.md); disposing the result removes it.</summary>
    /// <param name="handler">Called with the hole and a token that fires when the enumeration ends or the client is disposed.</param>
    IDisposable OnGap(Func<GapInfo, CancellationToken, Task> handler);

    /// <summary>Opens the connection and performs the handshake.</summary>
    /// <param name="cancellationToken">Stops connecting.</param>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Leaves the session politely; it stays resumable.</summary>
    /// <param name="cancellationToken">Stops waiting for the close handshake.</param>
    Task DisconnectAsync(CancellationToken cancellationToken = default);

    /// <summary>The event stream, one event at a time.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    IAsyncEnumerable<GatewayEvent> ReadEventsAsync(CancellationToken cancellationToken = default);

    /// <summary>The event stream in batches of up to 256 events, lent without copying.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(CancellationToken cancellationToken = default);

    /// <summary>The event stream in batches of up to <paramref name="maxBatchSize"/> events, lent without copying.</summary>
    /// <param name="maxBatchSize">The most events in one batch, from 1 to 65,536.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(int maxBatchSize, CancellationToken cancellationToken = default);

    /// <summary>Sends any frame: a JSON object with a string <c>type</c>.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    Task SendAsync(JsonElement frame, CancellationToken cancellationToken = default);

    /// <summary>Sends any frame given as UTF-8 JSON: one JSON object with a string <c>type</c>.</summary>
    /// <param name="utf8Frame">The frame's bytes, sent as they are.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken = default);

    /// <summary>Sends a typed frame, serialized through <see cref="GatewayClientOptions.TypeInfoResolver"/>.</summary>
    /// <typeparam name="T">The frame's type; it must serialize to a JSON object with a string <c>type</c>.</typeparam>
    /// <param name="frame">The frame.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    Task SendAsJsonAsync<T>(T frame, CancellationToken cancellationToken = default);

    /// <summary>Sends a typed frame, serialized by <paramref name="frameType"/>.</summary>
    /// <typeparam name="T">The frame's type; it must serialize to a JSON object with a string <c>type</c>.</typeparam>
    /// <param name="frame">The frame.</param>
    /// <param name="frameType">Its source-generated serializer.</param>
    /// <param name="cancellationToken">Stops waiting to send.</param>
    Task SendAsJsonAsync<T>(T frame, JsonTypeInfo<T> frameType, CancellationToken cancellationToken = default);

    /// <summary>Sends a request without parameters and returns its answer's result.</summary>
    /// <param name="method">The method.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<JsonElement> RequestAsync(string method, CancellationToken cancellationToken = default);

    /// <summary>Sends a request and returns its answer's result.</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The parameters: a JSON object.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<JsonElement> RequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken = default);

    /// <summary>Sends a request and waits for its answer as <paramref name="options"/> say.</summary>
    /// <param name="method">The method.</param>
    /// <param name="parameters">The parameters: a JSON object.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<JsonElement> RequestAsync(string method, JsonElement parameters, GatewayRequestOptions options, CancellationToken cancellationToken = default);

    /// <summary>Sends a typed request and returns its typed answer, both serialized through <see cref="GatewayClientOptions.TypeInfoResolver"/>.</summary>
    /// <typeparam name="TRequest">The parameters' type.</typeparam>
    /// <typeparam name="TResponse">The answer's type.</typeparam>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sends a typed request and waits for its typed answer as <paramref name="options"/> say.</summary>
    /// <typeparam name="TRequest">The parameters' type.</typeparam>
    /// <typeparam name="TResponse">The answer's type.</typeparam>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, GatewayRequestOptions options, CancellationToken cancellationToken = default);

    /// <summary>Sends a typed request and returns its typed answer, serialized by the given source-generated serializers.</summary>
    /// <typeparam name="TRequest">The parameters' type.</typeparam>
    /// <typeparam name="TResponse">The answer's type.</typeparam>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="requestType">The parameters' serializer.</param>
    /// <param name="responseType">The answer's serializer.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default);

    /// <summary>Sends a typed request and waits for its typed answer as <paramref name="options"/> say, serialized by the given serializers.</summary>
    /// <typeparam name="TRequest">The parameters' type.</typeparam>
    /// <typeparam name="TResponse">The answer's type.</typeparam>
    /// <param name="method">The method.</param>
    /// <param name="request">The parameters.</param>
    /// <param name="requestType">The parameters' serializer.</param>
    /// <param name="responseType">The answer's serializer.</param>
    /// <param name="options">How to wait.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, GatewayRequestOptions options, CancellationToken cancellationToken = default);
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gateway.Client.AI.Tests;

/// <summary>A fake gateway client that runs scripted turns: each <see cref="AskAsync"/> takes the next script.</summary>
internal sealed class FakeGatewayClient : IGatewayClient, IGatewayTurns
{
    private readonly Queue<Func<string, GatewayTurnOptions?, CancellationToken, IAsyncEnumerable<GatewayTurnUpdate>>> _scripts = new();

    public FakeGatewayClient(ProtocolDialect dialect = ProtocolDialect.PraisonAI, string? sessionId = "sess-1")
    {
        Dialect = dialect;
        Session = sessionId is null ? null : GatewayModelFactory.GatewaySession(sessionId);
    }

    /// <summary>What each turn was asked: the message and the options it got.</summary>
    public List<(string Message, GatewayTurnOptions? Options)> Asked { get; } = [];

    public ProtocolDialect Dialect { get; }

    public ConnectionState State => ConnectionState.Connected;

    public GatewaySession? Session { get; set; }

    public GatewayCapabilities Capabilities => GatewayModelFactory.GatewayCapabilities(chatTurns: true);

    public GatewayClientStatistics Statistics => GatewayModelFactory.GatewayClientStatistics();

    /// <summary>The next turn yields these updates.</summary>
    public FakeGatewayClient Script(params GatewayTurnUpdate[] updates) => Script((_, _, _) => updates.ToAsyncEnumerable());

    /// <summary>The next turn runs this.</summary>
    public FakeGatewayClient Script(Func<string, GatewayTurnOptions?, CancellationToken, IAsyncEnumerable<GatewayTurnUpdate>> script)
    {
        _scripts.Enqueue(script);
        return this;
    }

    public IAsyncEnumerable<GatewayTurnUpdate> AskAsync(string message, GatewayTurnOptions? options, CancellationToken cancellationToken)
    {
        Asked.Add((message, options));
        return _scripts.Dequeue()(message, options, cancellationToken);
    }

    /// <summary>A turn that waits for the caller's token, then ends Cancelled, as a real turn does.</summary>
    public static async IAsyncEnumerable<GatewayTurnUpdate> UntilCancelled(TaskCompletionSource started, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return TurnModel.Update(GatewayTurnUpdateKind.Accepted);
        yield return TurnModel.Text("partial ");
        started.SetResult();
        var cancelled = new TaskCompletionSource();
        using (cancellationToken.Register(() => cancelled.SetResult()))
        {
            await cancelled.Task;
        }

        yield return TurnModel.Final(GatewayTurnStatus.Cancelled, "partial ", reason: "the caller cancelled the turn");
    }

    public IDisposable OnStateChanged(Func<ConnectionStateChangedEventArgs, CancellationToken, Task> handler) => throw new NotImplementedException();

    public IDisposable OnGap(Func<GapInfo, CancellationToken, Task> handler) => throw new NotImplementedException();

    public Task ConnectAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task DisconnectAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public ValueTask DisposeAsync() => default;

    public IAsyncEnumerable<GatewayEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(int maxBatchSize, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SendAsync(JsonElement frame, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SendAsJsonAsync<T>(T frame, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SendAsJsonAsync<T>(T frame, JsonTypeInfo<T> frameType, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<JsonElement> RequestAsync(string method, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<JsonElement> RequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<JsonElement> RequestAsync(string method, JsonElement parameters, GatewayRequestOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, GatewayRequestOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, GatewayRequestOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}

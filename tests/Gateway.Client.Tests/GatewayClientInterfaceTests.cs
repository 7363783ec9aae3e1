using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.PraisonAI;

namespace Gateway.Client.Tests;

/// <summary><see cref="IGatewayClient"/> covers everything an app calls, so an app's own tests can fake the client.</summary>
public class GatewayClientInterfaceTests
{
    [Fact]
    public void Every_public_member_of_the_client_an_app_calls_is_on_the_interface()
    {
        var implemented = typeof(GatewayClient).GetInterfaceMap(typeof(IGatewayClient)).TargetMethods
            .Concat(typeof(GatewayClient).GetInterfaceMap(typeof(IAsyncDisposable)).TargetMethods) // IGatewayClient is IAsyncDisposable
            .Concat(typeof(GatewayClient).GetInterfaceMap(typeof(IGatewayTurns)).TargetMethods) // turns: IGatewayClient is frozen, GatewayTurnExtensions.AskAsync reaches this
            .ToHashSet();
        var notCovered = typeof(GatewayClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name is not ("Dispose" or "ToString"))
            .Where(m => !implemented.Contains(m))
            .Select(m => m.ToString())
            .ToList();

        Assert.Empty(notCovered);
        Assert.Contains(implemented, m => m.Name == "get_Capabilities");
    }

    [Fact]
    public async Task An_app_takes_the_interface_and_its_test_fakes_it_PraisonAI_verbs_included()
    {
        var fake = new FakeGatewayClient();
        var app = new GreetingService(fake);

        await app.GreetAsync("Ada");

        var frame = JsonDocument.Parse(Assert.Single(fake.Sent)).RootElement;
        Assert.Equal("message", frame.GetProperty("type").GetString());
        Assert.Equal("hello, Ada", frame.GetProperty("content").GetString());
        var resync = Assert.Throws<InvalidOperationException>(() => { _ = fake.ResyncAsync(); });
        Assert.Contains("needs a GatewayClient", resync.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_PraisonAI_verbs_refuse_another_dialect_at_once_without_sending()
    {
        var fake = new FakeGatewayClient { Dialect = ProtocolDialect.OpenClaw };

        var error = Assert.Throws<InvalidOperationException>(() => { _ = fake.SendMessageAsync("hi"); });
        await Task.Yield();

        Assert.StartsWith("SendMessageAsync is a PraisonAI verb; this client speaks openclaw: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Sent);
    }

    /// <summary>App code, as an app writes it: it depends on the interface only.</summary>
    private sealed class GreetingService(IGatewayClient client)
    {
        public Task GreetAsync(string name) => client.SendMessageAsync($"hello, {name}");
    }

    /// <summary>A fake an app's test would write: records what is sent.</summary>
    private sealed class FakeGatewayClient : IGatewayClient
    {
        public List<string> Sent { get; } = [];

        public ProtocolDialect Dialect { get; init; } = ProtocolDialect.PraisonAI;

        public ConnectionState State => ConnectionState.Connected;

        public GatewaySession? Session => null;

        public GatewayCapabilities Capabilities => throw new NotImplementedException();

        public GatewayClientStatistics Statistics => GatewayModelFactory.GatewayClientStatistics();

        public IDisposable OnStateChanged(Func<ConnectionStateChangedEventArgs, CancellationToken, Task> handler) => throw new NotImplementedException();

        public IDisposable OnGap(Func<GapInfo, CancellationToken, Task> handler) => throw new NotImplementedException();

        public Task ConnectAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => default;

        public IAsyncEnumerable<GatewayEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public IAsyncEnumerable<GatewayEventBatch> ReadEventBatchesAsync(int maxBatchSize, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task SendAsync(JsonElement frame, CancellationToken cancellationToken = default) => Record(frame.GetRawText());

        public Task SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken cancellationToken = default) => Record(Encoding.UTF8.GetString(utf8Frame.Span));

        public Task SendAsJsonAsync<T>(T frame, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task SendAsJsonAsync<T>(T frame, JsonTypeInfo<T> frameType, CancellationToken cancellationToken = default) => Record(JsonSerializer.Serialize(frame, frameType));

        public Task<JsonElement> RequestAsync(string method, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task<JsonElement> RequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task<JsonElement> RequestAsync(string method, JsonElement parameters, GatewayRequestOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, GatewayRequestOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        public Task<TResponse> RequestAsync<TRequest, TResponse>(string method, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, GatewayRequestOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        private Task Record(string frame)
        {
            Sent.Add(frame);
            return Task.CompletedTask;
        }
    }
}

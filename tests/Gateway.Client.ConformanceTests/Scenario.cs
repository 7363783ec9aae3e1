using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// The start of most conformance tests, disposed as one: a <see cref="TestGateway"/>, a client for it that
/// reconnects at once (<see cref="Harness.ImmediateReconnect"/>), a recorder of its states and one of its retries, and
/// (when asked) a consumer recording its stream. <c>var (gateway, client, states) = s;</c> takes it apart.
/// </summary>
internal sealed class Scenario : IAsyncDisposable
{
    private StreamRecorder? _stream;

    private Scenario(TestGateway gateway, GatewayClient client, StateRecorder states)
    {
        Gateway = gateway;
        Client = client;
        States = states;
        Retries = Harness.RetriesOf(client);
    }

    public TestGateway Gateway { get; }

    public GatewayClient Client { get; }

    public StateRecorder States { get; }

    /// <summary>Every retry the client scheduled, each attempt's number, delay and cause (the app hears only of state changes).</summary>
    public StateRecorder Retries { get; }

    /// <summary>The consumer started with <c>readStream: true</c>.</summary>
    public StreamRecorder Stream => _stream ?? throw new InvalidOperationException("Start the scenario with readStream: true to record the stream.");

    public string SessionId => Client.Session!.SessionId;

    /// <param name="gatewayOptions">The gateway's options (defaults when null).</param>
    /// <param name="configure">Changes the client's options after the defaults (<see cref="Harness.OptionsFor"/>, then immediate reconnects).</param>
    /// <param name="connect">Whether to connect before returning.</param>
    /// <param name="readStream">Whether a <see cref="StreamRecorder"/> consumes the stream (from after the connect).</param>
    /// <param name="logs">Where the client logs, if anywhere.</param>
    public static async Task<Scenario> StartAsync(TestGatewayOptions? gatewayOptions = null, Action<GatewayClientOptions>? configure = null, bool connect = true, bool readStream = false, Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        var gateway = await TestGateway.StartAsync(gatewayOptions);
        var client = new GatewayClient(
            Harness.OptionsFor(gateway, o =>
            {
                Harness.ImmediateReconnect(o);
                configure?.Invoke(o);
            }),
            logs);
        var scenario = new Scenario(gateway, client, new StateRecorder(client));
        if (connect)
        {
            await client.ConnectAsync(Harness.Deadline());
        }

        if (readStream)
        {
            scenario._stream = new StreamRecorder(client);
        }

        return scenario;
    }

    public void Deconstruct(out TestGateway gateway, out GatewayClient client, out StateRecorder states)
    {
        gateway = Gateway;
        client = Client;
        states = States;
    }

    /// <summary>Publishes one message event per label in the client's session.</summary>
    public Task PublishAsync(params int[] labels) => Gateway.PublishMessagesAsync(SessionId, labels.Select(l => l.ToString()).ToArray());

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        await Client.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

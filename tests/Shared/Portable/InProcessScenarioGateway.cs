using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.Portable;

/// <summary>
/// A scenario's gateway in this process: a <see cref="TestGateway"/> that carries out <see cref="ScenarioCommand"/>s. The
/// conformance tests use it directly; the browser conformance host runs one per scenario and forwards the page's commands.
/// </summary>
internal sealed class InProcessScenarioGateway : IScenarioGateway
{
    private const string Token = "portable-scenario-token";

    private InProcessScenarioGateway(TestGateway gateway) => Gateway = gateway;

    /// <summary>The gateway itself.</summary>
    public TestGateway Gateway { get; }

    /// <inheritdoc/>
    public Uri Url => Gateway.Url;

    /// <inheritdoc/>
    string IScenarioGateway.Token => Token;

    /// <summary>Starts a gateway on a loopback port with <paramref name="setup"/>, and its <c>echo</c> method.</summary>
    public static async Task<InProcessScenarioGateway> StartAsync(ScenarioGatewaySetup setup, CancellationToken cancellationToken)
    {
        var options = new TestGatewayOptions { Token = Token };
        if (setup.Praxis)
        {
            options.Dialect = TestGatewayDialect.Praxis;
            options.EnableHeartbeat = false;
        }

        if (setup.ServerHeartbeatMilliseconds is { } heartbeat)
        {
            options.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(heartbeat, 50, 60_000));
        }

        var gateway = await TestGateway.StartAsync(options).WaitAsync(cancellationToken);
        gateway.RegisterMethod("echo", (parameters, _) =>
        {
            var request = parameters.Deserialize(PortableJson.Default.EchoRequest);
            return Task.FromResult<JsonNode?>(new JsonObject { ["text"] = request?.Text.ToUpperInvariant() });
        });
        return new InProcessScenarioGateway(gateway);
    }

    /// <inheritdoc/>
    public async Task<long?> SendAsync(ScenarioCommand command, CancellationToken cancellationToken)
    {
        switch (command.Action)
        {
            case ScenarioActions.Publish:
                long last = 0;
                foreach (var label in command.Labels ?? [])
                {
                    last = await Gateway.PublishAsync(Session(command), "message", new JsonObject { ["n"] = label }, EnvelopeShape.Flat).WaitAsync(cancellationToken);
                }

                return last;
            case ScenarioActions.HoldReconnects:
                Gateway.RefuseUpgrades(503);
                return null;
            case ScenarioActions.ReleaseReconnects:
                Gateway.AcceptUpgrades();
                return null;
            case ScenarioActions.Drop:
                foreach (var connection in Gateway.Connections.Where(c => c.IsOpen))
                {
                    connection.Drop();
                }

                return null;
            case ScenarioActions.Stall:
                foreach (var connection in Gateway.Connections.Where(c => c.IsOpen))
                {
                    // Not even the WebSocket layer reads, so its pings go unanswered too (the socket keep-alive's view).
                    connection.Stall();
                    connection.StopReading();
                }

                return null;
            case ScenarioActions.Evict:
                Gateway.EvictHistory(Session(command), command.Number ?? throw Missing(command, "number"));
                return null;
            case ScenarioActions.Restart:
                var mode = Enum.Parse<RestartMode>(command.Mode ?? throw Missing(command, "mode"));
                await Gateway.RestartAsync(mode).WaitAsync(cancellationToken);
                return null;
            case ScenarioActions.WaitForPongs:
                var count = command.Number ?? throw Missing(command, "number");
                var latest = Gateway.Handshakes[^1];
                await latest.WaitForFrameAsync(_ => latest.ReceivedFrames.Count(IsPong) >= count, cancellationToken);
                return count;
            case ScenarioActions.Handshakes:
                return Gateway.Handshakes.Count;
            case ScenarioActions.ResumedFrom:
                return Gateway.Handshakes[^1].ResumedFrom;
            default:
                throw new ArgumentException($"No scenario action is named '{command.Action}'.", nameof(command));
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Gateway.DisposeAsync();

    private static string Session(ScenarioCommand command) => command.SessionId ?? throw Missing(command, "sessionId");

    private static ArgumentException Missing(ScenarioCommand command, string argument) =>
        new($"The '{command.Action}' action needs '{argument}'.", nameof(command));

    private static bool IsPong(JsonElement frame) =>
        frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("type", out var type)
        && type.ValueKind == JsonValueKind.String && type.ValueEquals("pong");
}

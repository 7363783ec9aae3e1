using System.Text.Json.Nodes;

namespace Gateway.Client.Testing;

/// <summary>What a test does to a <see cref="TestGateway"/> in <see cref="TestGatewayDialect.Praxis"/> or <see cref="TestGatewayDialect.PraxisDocumented"/> mode.</summary>
public static class TestGatewayPraxisExtensions
{
    /// <summary>Sends <c>{"type": <paramref name="type"/>, "payload": <paramref name="payload"/>}</c> to every open connection, as a server-side event.</summary>
    public static async Task PublishPraxisEventAsync(this TestGateway gateway, string type, JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentException.ThrowIfNullOrEmpty(type);
        foreach (var connection in gateway.Handshakes.Where(c => c.IsOpen))
        {
            await connection.SendTextAsync(PraxisFrames.Frame(type, payload?.DeepClone())).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Documented mode: an event-bus event <paramref name="busEventType"/> (for example <c>task.started</c>)
    /// reaches, as <paramref name="type"/>, every open connection whose filter takes it: the default filter until
    /// the connection subscribes, then only what it subscribed to.
    /// </summary>
    public static async Task PublishPraxisBusEventAsync(this TestGateway gateway, string busEventType, string type, JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentException.ThrowIfNullOrEmpty(busEventType);
        ArgumentException.ThrowIfNullOrEmpty(type);
        var state = PraxisServerState.Of(gateway);
        foreach (var connection in gateway.Handshakes.Where(c => c.IsOpen && state.Receives(c, busEventType)))
        {
            await connection.SendTextAsync(PraxisFrames.Frame(type, payload?.DeepClone())).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Live mode: the handler goes on reading (and recording) frames but holds its answers until the returned handle
    /// is disposed, then answers them in order, so many requests are in flight at once, deterministically.
    /// </summary>
    internal static IDisposable HoldPraxisAnswers(this TestGateway gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return PraxisServerState.Of(gateway).HoldAnswers();
    }

    /// <summary>Documented mode: connections beyond <paramref name="maxConnections"/> open ones are closed with 1008 "Maximum connections reached" (default 100).</summary>
    public static void LimitPraxisConnections(this TestGateway gateway, int maxConnections)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        PraxisServerState.Of(gateway).MaxConnections = maxConnections;
    }
}

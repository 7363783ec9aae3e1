using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace TestGatewayServer;

/// <summary>
/// Publishes a <c>counter</c> event (<c>{"n": 1, "at": "2026-…Z"}</c>) at a steady rate to every client, in the
/// dialect's own way: numbered in every PraisonAI session (so a client that comes back gets what it missed replayed,
/// within the session's window), an OpenClaw event, or a Praxis event to every open connection.
/// </summary>
internal static class CounterPublisher
{
    public const string EventType = "counter";

    /// <summary>Publishes <paramref name="perSecond"/> events a second (none for 0) until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunAsync(TestGateway gateway, double perSecond, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (perSecond <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond), timeProvider);
        long n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                n++;
                var data = new JsonObject { ["n"] = n, ["at"] = timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };
                await PublishAsync(gateway, data).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static async Task PublishAsync(TestGateway gateway, JsonObject data)
    {
        switch (gateway.Options.Dialect)
        {
            case TestGatewayDialect.PraisonAI:
                foreach (var session in gateway.Sessions)
                {
                    await session.PublishAsync(EventType, (JsonObject)data.DeepClone()).ConfigureAwait(false);
                }

                break;
            case TestGatewayDialect.OpenClaw:
                await gateway.PublishOpenClawEventAsync(EventType, data).ConfigureAwait(false);
                break;
            default:
                await gateway.PublishPraxisEventAsync(EventType, data).ConfigureAwait(false);
                break;
        }
    }
}

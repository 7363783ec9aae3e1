using Gateway.Client.Testing;
using Gateway.Client.TestSupport;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A fleet that loses its gateway at once must not come back as a herd: after a mass drop of healthy
/// connections, the first reconnects spread over [0, InitialDelay). The rules that stop a hostile server
/// from gaming the backoff must not take that away.
/// </summary>
public class FleetReconnectTests
{
    [Fact]
    public async Task After_a_mass_drop_of_300_clients_the_first_reconnects_spread_over_the_initial_delay()
    {
        const int fleet = 300;
        var initialDelay = TimeSpan.FromSeconds(1);
        var clock = new ObservableFakeTimeProvider();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var clients = new List<GatewayClient>(fleet);
        var firstDelays = new TimeSpan?[fleet];
        var reconnecting = new CountdownEvent(fleet);
        try
        {
            for (var i = 0; i < fleet; i++)
            {
                var seeded = new Random(i); // each client its own randomness, as in production; seeded, so the test is repeatable
                var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
                {
                    o.TimeProvider = clock;
                    o.Random = seeded.NextDouble;
                    o.Reconnect.InitialDelay = initialDelay;
                }));
                var index = i;
                client.OnStateChanged((e, _) =>
                {
                    if (e.Current == ConnectionState.Reconnecting && firstDelays[index] is null)
                    {
                        firstDelays[index] = e.RetryDelay;
                        reconnecting.Signal();
                    }

                    return Task.CompletedTask;
                });
                clients.Add(client);
            }

            await Task.WhenAll(clients.Select(c => c.ConnectAsync(Harness.Deadline(60))));
            clock.Advance(TimeSpan.FromSeconds(5)); // the fleet was healthy (ReconnectOptions.HealthyConnectionTime)
            foreach (var connection in gateway.Handshakes)
            {
                connection.Drop();
            }

            Assert.True(reconnecting.Wait(TimeSpan.FromSeconds(60)), $"{reconnecting.CurrentCount} clients never started reconnecting");
            var delays = firstDelays.Select(d => d!.Value.TotalMilliseconds).ToArray();

            // Within [0, InitialDelay), and spread: every tenth of it holds some clients and none holds a crowd.
            Assert.All(delays, d => Assert.InRange(d, 0, initialDelay.TotalMilliseconds - 0.001));
            var buckets = delays.GroupBy(d => (int)(d / 100)).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(10, buckets.Count);
            Assert.All(buckets.Values, count => Assert.InRange(count, 10, 60));
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}

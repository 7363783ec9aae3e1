using System.Diagnostics.Metrics;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary><see cref="GatewayClientOptions.MeterFactory"/>: the client measures on the meter the app's factory makes.</summary>
public class MeterFactoryTests
{
    /// <summary>An app's meter factory: one meter per name, owned (scoped) by the factory, disposed with it.</summary>
    private sealed class AppMeterFactory : IMeterFactory
    {
        private readonly Dictionary<string, Meter> _meters = new(StringComparer.Ordinal);

        public int Created { get; private set; }

        public Meter Create(MeterOptions options)
        {
            lock (_meters)
            {
                if (!_meters.TryGetValue(options.Name, out var meter))
                {
                    meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Scope = this });
                    _meters.Add(options.Name, meter);
                    Created++;
                }

                return meter;
            }
        }

        public void Dispose()
        {
            foreach (var meter in _meters.Values)
            {
                meter.Dispose();
            }
        }
    }

    [Fact]
    public async Task Clients_given_a_meter_factory_measure_on_its_meter_and_not_on_the_shared_one()
    {
        var name = "meter-factory-" + Guid.NewGuid().ToString("N");
        using var factory = new AppMeterFactory();
        var scopes = new System.Collections.Concurrent.ConcurrentBag<object?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayClientTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gateway.client.name" && Equals(tag.Value, name))
                {
                    scopes.Add(instrument.Meter.Scope);
                }
            }
        });
        listener.Start();

        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using (var first = new GatewayClient(Harness.OptionsFor(gateway, o => { o.Name = name; o.MeterFactory = factory; })))
        await using (var second = new GatewayClient(Harness.OptionsFor(gateway, o => { o.Name = name; o.MeterFactory = factory; })))
        {
            await first.ConnectAsync(Harness.Deadline());
            await second.ConnectAsync(Harness.Deadline());
        }

        Assert.NotEmpty(scopes);
        Assert.All(scopes, scope => Assert.Same(factory, scope));
        Assert.Equal(1, factory.Created); // one meter for both clients: the factory's own cache is respected
    }
}

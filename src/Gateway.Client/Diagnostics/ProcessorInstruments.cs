using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Gateway.Client.Diagnostics;

/// <summary>
/// The session processor's instruments on the process-wide <c>Gateway.Client</c> meter (docs/telemetry.md): sessions
/// owned, claims and steals, leases lost, failures of the store, and the checkpoint lag (events handled and not yet
/// written), observed over every running processor when a listener collects.
/// </summary>
internal sealed class ProcessorInstruments
{
    private readonly ConcurrentDictionary<object, (Func<long> Lag, string Owner)> _lagSources = new();

    private ProcessorInstruments(Meter meter)
    {
        Owned = meter.CreateUpDownCounter<long>(
            "gateway.processor.sessions.owned", "{session}", "Sessions the session processors of this process run now.");
        Claims = meter.CreateCounter<long>(
            "gateway.processor.claims", "{claim}", "Sessions claimed, by gateway.processor.claim.kind (free or steal).");
        Steals = meter.CreateCounter<long>(
            "gateway.processor.steals", "{claim}", "Sessions taken from a more loaded owner to even out the shares.");
        LeasesLost = meter.CreateCounter<long>(
            "gateway.processor.leases.lost", "{lease}", "Leases lost while running, by gateway.processor.loss.reason (renewal_refused, expired, checkpoint_refused).");
        StoreFailures = meter.CreateCounter<long>(
            "gateway.processor.store.failures", "{failure}", "Calls to the session store that failed, by gateway.processor.operation.");
        meter.CreateObservableGauge(
            "gateway.processor.checkpoint.lag",
            ObserveLag,
            "{event}",
            "Events handled (marked for a checkpoint) and not yet written to the store, over the sessions of each processor.");
    }

    /// <summary>The instruments on the shared meter.</summary>
    public static ProcessorInstruments Shared { get; } = new(ClientInstruments.Shared.Meter);

    public UpDownCounter<long> Owned { get; }

    public Counter<long> Claims { get; }

    public Counter<long> Steals { get; }

    public Counter<long> LeasesLost { get; }

    public Counter<long> StoreFailures { get; }

    /// <summary>Adds a running processor's lag to the gauge (observed per owner).</summary>
    public void AddLagSource(object processor, string ownerId, Func<long> lag) => _lagSources[processor] = (lag, ownerId);

    public void RemoveLagSource(object processor) => _lagSources.TryRemove(processor, out _);

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var source in _lagSources)
        {
            yield return new Measurement<long>(source.Value.Lag(), new KeyValuePair<string, object?>("gateway.processor.owner", source.Value.Owner));
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Client.Engine;

namespace Gateway.Client.Diagnostics;

/// <summary>
/// <c>gateway.client.buffer.events</c>: how many events wait in each live client's buffer for the
/// consumer, observed when a listener collects. Clients join on construction and leave on dispose.
/// </summary>
internal static class BufferDepthGauge
{
    private static readonly ConcurrentDictionary<EventBuffer, TagList> Buffers = new();

    static BufferDepthGauge()
    {
        GatewayClientTelemetry.Meter.CreateObservableUpDownCounter(
            "gateway.client.buffer.events",
            Observe,
            "{event}",
            "Events received and waiting for the consumer; at EventBufferCapacity the receive loop waits (or drops the oldest).");
    }

    public static void Add(EventBuffer buffer, in TagList tags) => Buffers[buffer] = tags;

    public static void Remove(EventBuffer buffer) => Buffers.TryRemove(buffer, out _);

    private static IEnumerable<Measurement<long>> Observe()
    {
        foreach (var entry in Buffers)
        {
            yield return new Measurement<long>(entry.Key.Count, entry.Value);
        }
    }
}

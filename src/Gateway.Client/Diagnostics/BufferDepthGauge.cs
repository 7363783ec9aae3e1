using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Client.Engine;

namespace Gateway.Client.Diagnostics;

/// <summary>
/// <c>gateway.client.buffer.events</c>: how many events wait in each live client for the app (in its buffer, or
/// taken ahead by the consumer), observed when a listener collects. Clients join on construction and leave on dispose.
/// </summary>
internal sealed class BufferDepthGauge
{
    private readonly ConcurrentDictionary<EventBuffer, TagList> _buffers = new();

    public BufferDepthGauge(Meter meter)
    {
        meter.CreateObservableUpDownCounter(
            "gateway.client.buffer.events",
            Observe,
            "{event}",
            "Events received and not yet handed to the app; at EventBufferCapacity the receive loop waits (or drops the oldest).");
    }

    public void Add(EventBuffer buffer, in TagList tags) => _buffers[buffer] = tags;

    public void Remove(EventBuffer buffer) => _buffers.TryRemove(buffer, out _);

    private IEnumerable<Measurement<long>> Observe()
    {
        foreach (var entry in _buffers)
        {
            yield return new Measurement<long>(entry.Key.Count, entry.Value);
        }
    }
}

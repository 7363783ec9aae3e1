using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Listens to the Gateway.Client meter and keeps the measurements of one client (by its
/// <c>gateway.client.name</c> tag), so tests running side by side do not see each other's.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _clientName;
    private readonly ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> _measurements = new();
    private readonly List<(Func<MetricsRecorder, bool> Condition, TaskCompletionSource Reached)> _waiters = new();

    public MetricsRecorder(string clientName)
    {
        _clientName = clientName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayClientTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every measurement of an instrument whose tags include all of <paramref name="having"/>.</summary>
    public IReadOnlyList<(double Value, IReadOnlyDictionary<string, object?> Tags)> Of(string instrument, params (string Key, object? Value)[] having) =>
        _measurements
            .Where(m => m.Instrument == instrument && having.All(h => m.Tags.TryGetValue(h.Key, out var v) && Equals(v, h.Value)))
            .Select(m => (m.Value, m.Tags))
            .ToList();

    /// <summary>The sum of an instrument's measurements with those tags.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] having) => Of(instrument, having).Sum(m => m.Value);

    /// <summary>Asks the observable instruments (buffer depth) for their current values.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>Completes once <paramref name="condition"/> holds, checked now and after every measurement.</summary>
    public Task WaitUntilAsync(Func<MetricsRecorder, bool> condition, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((condition, reached));
        }

        CheckWaiters();
        return reached.Task.WaitAsync(cancellationToken);
    }

    public IEnumerable<object?> AllTagValues() => _measurements.SelectMany(m => m.Tags.Values);

    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        if (copy.TryGetValue("gateway.client.name", out var name) && Equals(name, _clientName))
        {
            _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
            CheckWaiters();
        }
    }

    private void CheckWaiters()
    {
        lock (_waiters)
        {
            _waiters.RemoveAll(w => w.Condition(this) && w.Reached.TrySetResult() | true);
        }
    }
}

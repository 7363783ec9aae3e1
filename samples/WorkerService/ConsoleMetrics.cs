using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Client;

namespace WorkerService;

/// <summary>
/// Prints the Gateway.Client metrics every few seconds. With OpenTelemetry in your app, use
/// <c>.WithMetrics(m => m.AddMeter(GatewayClientTelemetry.MeterName))</c> and any exporter instead.
/// </summary>
public sealed class ConsoleMetrics(ILogger<ConsoleMetrics> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, double> _totals = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Print(listener);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Print(listener);
        }
    }

    private void Print(MeterListener listener)
    {
        listener.RecordObservableInstruments();
        logger.LogInformation("Gateway metrics: {Metrics}", string.Join(", ", _totals.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value:0.###}")));
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // One line per instrument and its distinguishing tag (state, origin, reason, direction).
        var detail = string.Empty;
        foreach (var tag in tags)
        {
            if (tag.Key is "gateway.connection.state" or "gateway.event.origin" or "gateway.gap.reason" or "network.io.direction" or "error.type")
            {
                detail = $"[{tag.Value}]";
            }
        }

        var key = instrument.Name.Replace("gateway.client.", string.Empty, StringComparison.Ordinal) + detail;
        if (instrument is ObservableUpDownCounter<long>)
        {
            _totals[key] = value; // observed: the current value
        }
        else if (instrument is Histogram<double>)
        {
            _totals[key + ".last"] = value;
        }
        else
        {
            _totals.AddOrUpdate(key, value, (_, total) => total + value);
        }
    }
}

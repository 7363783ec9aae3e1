namespace Gateway.Client.Benchmarks;

/// <summary>
/// What a client run measures: the steady state, after a warm-up (the first fifth of the events), so start-up work
/// (the JIT's background tiering, first allocations) does not count against a client with more code, at saturation
/// as at paced rates.
/// Events are counted where the app would see them, and their latency recorded there.
/// </summary>
internal sealed class MeasuredWindow
{
    private readonly long _warmup;
    private readonly LatencyProbe? _latency;
    private Measurement.Probe _probe;
    private long _seen;

    public MeasuredWindow(long events, LatencyProbe? latency)
    {
        _latency = latency;
        _warmup = events / 5;
        _probe = Measurement.Start();
    }

    public void Event(ReadOnlySpan<byte> eventBytes)
    {
        if (++_seen == _warmup)
        {
            _probe = Measurement.Start();
        }
        else if (_seen > _warmup)
        {
            _latency?.Record(eventBytes);
        }
    }

    public Measurement Stop() => _probe.Stop(_seen - _warmup);
}

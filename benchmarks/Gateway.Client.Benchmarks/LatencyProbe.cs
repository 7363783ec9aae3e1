using System.Buffers.Text;
using System.Diagnostics;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Latency at paced rates: each paced event carries the server's <see cref="Stopwatch"/> timestamp (<c>"t":N</c>,
/// one clock for every process of the machine); the client records now minus it where the app would see the event
/// (the loop body). Every client pays the same search and parse.
/// </summary>
internal sealed class LatencyProbe
{
    private readonly long[] _samples;
    private int _count;

    public LatencyProbe(long capacity)
    {
        _samples = new long[Math.Min(capacity, 10_000_000)];
    }

    public static ReadOnlySpan<byte> StampField => "\"t\":"u8;

    public void Record(ReadOnlySpan<byte> eventBytes)
    {
        var now = Stopwatch.GetTimestamp();
        var at = eventBytes.IndexOf(StampField);
        if (at < 0 || _count == _samples.Length || !Utf8Parser.TryParse(eventBytes[(at + StampField.Length)..], out long stamp, out _))
        {
            return;
        }

        _samples[_count++] = now - stamp;
    }

    /// <summary>p50, p99 and the worst, in microseconds; zeros when nothing was stamped.</summary>
    public (double P50, double P99, double Max) Summary()
    {
        if (_count == 0)
        {
            return (0, 0, 0);
        }

        var sorted = _samples.AsSpan(0, _count);
        sorted.Sort();
        double Micro(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
        return (Micro(sorted[(int)(_count * 0.50)]), Micro(sorted[Math.Min(_count - 1, (int)(_count * 0.99))]), Micro(sorted[^1]));
    }
}

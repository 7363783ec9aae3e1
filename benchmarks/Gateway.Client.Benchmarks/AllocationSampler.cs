using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Where a run's allocations go, by type, from the runtime's own sampling (<c>GCAllocationTick</c>: one event per about
/// 100 KB allocated, naming the type that crossed the mark), in this process, per phase of the run. Rough (a type is
/// charged 100 KB at a time), but with no tool to install. The turns run turns it on with <c>BENCH_ALLOC=1</c>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<(string Phase, string Type), long> _bytes = new();
    private volatile string _phase = "none";

    public static AllocationSampler? StartIfAsked() =>
        Environment.GetEnvironmentVariable("BENCH_ALLOC") == "1" ? new AllocationSampler() : null;

    /// <summary>What the samples from now on are charged to.</summary>
    public string Phase
    {
        set => _phase = value;
    }

    public void Print(int top = 25)
    {
        foreach (var phase in _bytes.GroupBy(k => k.Key.Phase))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocation samples, {phase.Key}: {phase.Sum(x => x.Value) / 1024:N0} KiB"));
            foreach (var (key, bytes) in phase.OrderByDescending(x => x.Value).Take(top))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / 1024,8:N0} KiB {key.Type}"));
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is var t and >= 0 ? payload[t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(payload[a], CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate((_phase, type), amount, (_, sum) => sum + amount);
    }
}

using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks.Tests;

/// <summary>Results as the runs write them, with round figures so the drawings can be checked by hand.</summary>
internal static class SampleResults
{
    public static RunContext Run { get; } = new(
        new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero),
        "throughput --events 300000 --rounds 3 --size 256",
        new RunMachine(2, "Linux 6.18", "x64", ".NET 10.0.5"),
        new LoadAverage(3.25, 2.5, 1.75),
        new LoadAverage(4.5, 3, 2));

    public static ThroughputClient Throughput(string kind, double eventsPerSecond, double min, double max, string? label = null) =>
        new(kind, label ?? kind, eventsPerSecond, min, max, eventsPerSecond / 1_000_000, 3.5, 344, 130, 2, 0, 80 * 1024 * 1024);

    public static ThroughputResults ThroughputRun(params ThroughputClient[] clients) => new(Run, 300_000, 3, 256, clients);

    public static ThroughputResults FourClients() => ThroughputRun(
        Throughput("raw", 1_000_000, 900_000, 1_100_000, "raw ClientWebSocket loop"),
        Throughput("reference", 400_000, 350_000, 450_000, "hand-written reference"),
        Throughput("gateway", 500_000, 450_000, 520_000, "GatewayClient"),
        Throughput("signalr", 200_000, 180_000, 210_000, "SignalR .NET client 10.0.15, hub stream"));

    public static PacedClient Paced(string kind, int rate, bool spinning, double p50, double p99) =>
        new(kind, kind, rate, spinning, 12.5, 9, 18, 0.04, p50, p99, p99 * 0.8, p99 * 1.5, p99 * 3, 344);

    public static PacedResults PacedRun(params PacedClient[] clients) => new(Run with { Command = "paced --rates 1000,10000 --seconds 5 --rounds 1" }, 5, 1, clients);

    public static IdleClient Idle(string kind, double heapBytes, double workingSetBytes, double cpuMilliseconds) =>
        new(kind, kind, heapBytes, workingSetBytes, cpuMilliseconds, 20, 22);

    public static ScaleResults ScaleRun(params IdleClient[] idle) =>
        new(Run with { Command = "scale --clients 500 --idle-seconds 5 --rate 10000 --seconds 5" }, 500, 5, idle, new SteadyRate(10_000, 5, 9_990, 6.5, 344));
}

using System.Globalization;
using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Moderate rates: the server paces its events (every 10 ms, a hundredth of the rate per second) and stamps each one;
/// the clients are alternated in rounds, each in a fresh process, with the runtime's default thread pool and with its
/// spinning turned off (<c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0</c>, so the client's own cost shows). For each:
/// client CPU per event, thread-pool work items per event, latency from the server's stamp to the loop body; published
/// as a results file and the latency chart (<see cref="BenchmarkOutput"/>).
/// </summary>
internal static class PacedRun
{
    private static readonly string[] DefaultKinds = { "raw", "reference", "gateway", "gateway-batch", "wsclient-parse" };

    public static async Task RunAsync(int[] rates, int seconds, int rounds, string? only, BenchmarkOutput output)
    {
        var run = RunContext.Start(string.Create(CultureInfo.InvariantCulture, $"paced --rates {string.Join(',', rates)} --seconds {seconds} --rounds {rounds}") + (only is null ? "" : $" --clients {only}"));
        var published = new List<PacedClient>();
        var kinds = only is null ? DefaultKinds : only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Console.WriteLine($"Paced: {string.Join(" and ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} events/s for {seconds} s per run, {rounds} alternated rounds, {Environment.ProcessorCount} cores, {Environment.Version}");
        foreach (var rate in rates)
        {
            var events = (long)rate * seconds;
            using var server = ThroughputRun.StartChild($"server --events {events} --size 256 --rate {rate}");
            var port = int.Parse((await server.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            await server.StandardOutput.ReadLineAsync(); // the hub's port: not used here
            try
            {
                foreach (var spin in new[] { true, false })
                {
                    var results = kinds.ToDictionary(k => k, _ => new List<Measurement>());
                    for (var round = 1; round <= rounds; round++)
                    {
                        foreach (var kind in kinds.Skip(round % kinds.Length).Concat(kinds.Take(round % kinds.Length)))
                        {
                            var measured = await RunClientAsync(kind, port, events, spin);
                            results[kind].Add(measured);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"  {rate,6:N0}/s spin {(spin ? "on " : "off")} round {round} {kind,-14} {measured.CpuMicrosecondsPerEvent,7:0.0} µs CPU/ev {measured.WorkItemsPerEvent,6:0.00} items/ev p99 {measured.LatencyP99Us,8:0} µs"));
                        }
                    }

                    Print(rate, spin, results);
                    published.AddRange(results.Select(pair => Published(rate, spin, pair.Key, pair.Value)));
                }
            }
            finally
            {
                server.Kill(entireProcessTree: true);
            }
        }

        output.Publish(BenchmarkCharts.Paced, new PacedResults(run.Finish(), seconds, rounds, published));
    }

    private static PacedClient Published(int rate, bool spin, string kind, List<Measurement> runs) => new(
        kind,
        ThroughputRun.Label(kind).Replace("`", "", StringComparison.Ordinal),
        rate,
        spin,
        Stats.Median(runs.Select(m => m.CpuMicrosecondsPerEvent)),
        runs.Min(m => m.CpuMicrosecondsPerEvent),
        runs.Max(m => m.CpuMicrosecondsPerEvent),
        Stats.Median(runs.Select(m => m.WorkItemsPerEvent)),
        Stats.Median(runs.Select(m => m.LatencyP50Us)),
        Stats.Median(runs.Select(m => m.LatencyP99Us)),
        runs.Min(m => m.LatencyP99Us),
        runs.Max(m => m.LatencyP99Us),
        Stats.Median(runs.Select(m => m.LatencyMaxUs)),
        Stats.Median(runs.Select(m => m.BytesPerEvent)));

    private static Task<Measurement> RunClientAsync(string kind, int port, long events, bool spin) =>
        ThroughputRun.RunClientProcessAsync(
            kind,
            $"client --kind {kind} --port {port} --events {events} --paced true",
            spin ? null : new Dictionary<string, string> { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0" });

    private static void Print(int rate, bool spin, Dictionary<string, List<Measurement>> results)
    {
        var reference = results.TryGetValue("reference", out var referenceRuns) ? Stats.Median(referenceRuns.Select(m => m.CpuMicrosecondsPerEvent)) : double.NaN;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rate:N0} events/s, thread-pool spinning {(spin ? "on (default)" : "off")}: medians (min–max)"));
        Console.WriteLine("| client | CPU µs/event | ÷ reference | work items/event | p50 µs | p99 µs | max µs | B/event |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (kind, runs) in results)
        {
            var cpu = Stats.Median(runs.Select(m => m.CpuMicrosecondsPerEvent));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind} | {cpu:0.0} ({runs.Min(m => m.CpuMicrosecondsPerEvent):0.0}–{runs.Max(m => m.CpuMicrosecondsPerEvent):0.0}) | {cpu / reference:0.00} | {Stats.Median(runs.Select(m => m.WorkItemsPerEvent)):0.00} | {Stats.Median(runs.Select(m => m.LatencyP50Us)):0} | {Stats.Median(runs.Select(m => m.LatencyP99Us)):0} ({runs.Min(m => m.LatencyP99Us):0}–{runs.Max(m => m.LatencyP99Us):0}) | {Stats.Median(runs.Select(m => m.LatencyMaxUs)):0} | {Stats.Median(runs.Select(m => m.BytesPerEvent)):0} |"));
        }

        Console.WriteLine();
    }
}

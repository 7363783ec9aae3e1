using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The end-to-end run: one server process, then the three clients alternated round after round, each in
/// a fresh process; prints medians and ratios to the raw loop of the same run, and publishes them (results file and
/// chart, <see cref="BenchmarkOutput"/>).
/// </summary>
internal static class ThroughputRun
{
    private static readonly string[] AllKinds = { "raw", "reference", "gateway", "gateway-batch", "wsclient", "wsclient-parse", "signalr" };

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["raw"] = "raw `ClientWebSocket` loop",
        ["reference"] = "hand-written reference",
        ["gateway"] = "`GatewayClient`",
        ["gateway-batch"] = "`GatewayClient`, `ReadEventBatchesAsync`",
        ["wsclient"] = "Websocket.Client 5.5.1, count only",
        ["wsclient-parse"] = "Websocket.Client 5.5.1 + the reference's parse and channel",
        ["signalr"] = "SignalR .NET client 10.0.15, hub stream",
    };

    /// <summary>A client kind in words, as the tables say it (code in backticks).</summary>
    public static string Label(string kind) => Labels.TryGetValue(kind, out var label) ? label : kind;

    /// <param name="only">The clients to run (comma-separated kinds); null for all of them.</param>
    public static async Task RunAsync(long events, int rounds, int size, BenchmarkOutput output, string? only = null)
    {
        var run = RunContext.Start(string.Create(CultureInfo.InvariantCulture, $"throughput --events {events} --rounds {rounds} --size {size}") + (only is null ? "" : $" --clients {only}"));
        var kinds = only is null ? AllKinds : only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (kinds.FirstOrDefault(k => !AllKinds.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"unknown client kind '{unknown}': {string.Join(", ", AllKinds)}");
        }

        Console.WriteLine($"Throughput: {events:N0} events of ~{size} B per run, {rounds} alternated rounds, {Environment.ProcessorCount} cores, {Environment.Version}");
        using var server = StartChild($"server --events {events} --size {size}");
        var port = int.Parse((await server.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        var hubPort = int.Parse((await server.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        var results = kinds.ToDictionary(k => k, _ => new List<Measurement>());
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                // Rotate the order so no client always runs first (or last) in a round.
                foreach (var kind in kinds.Skip(round % kinds.Length).Concat(kinds.Take(round % kinds.Length)))
                {
                    var measurement = await RunClientAsync(kind, port, hubPort, events, size);
                    results[kind].Add(measurement);
                    Console.WriteLine($"  round {round} {kind,-14} {measurement.EventsPerSecond,12:N0} ev/s {measurement.BytesPerEvent,8:N0} B/ev {measurement.CpuMicrosecondsPerEvent,6:0.00} µs CPU/ev");
                }
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }

        Print(results);
        output.Publish(BenchmarkCharts.Throughput, Results(run.Finish(), events, rounds, size, results));
    }

    public static Process StartChild(string arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.FileName = self;
            start.ArgumentList.Add(typeof(ThroughputRun).Assembly.Location);
        }
        else
        {
            start.FileName = self;
        }

        foreach (var argument in arguments.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static Task<Measurement> RunClientAsync(string kind, int port, int hubPort, long events, int size) =>
        RunClientProcessAsync(kind, $"client --kind {kind} --port {port} --hub-port {hubPort} --events {events} --size {size}");

    /// <summary>Runs one client in a fresh process and reads the measurement it prints (<c>RESULT {json}</c>).</summary>
    public static async Task<Measurement> RunClientProcessAsync(string kind, string arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var child = StartChild(arguments, environment);
        Measurement? result = null;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<Measurement>(line["RESULT ".Length..]);
            }
        }

        await child.WaitForExitAsync();
        return result ?? throw new InvalidOperationException($"The {kind} client produced no result (exit {child.ExitCode}).");
    }

    private static ThroughputResults Results(RunContext run, long events, int rounds, int size, Dictionary<string, List<Measurement>> results)
    {
        double? raw = results.TryGetValue("raw", out var rawRuns) ? Stats.Median(rawRuns.Select(m => m.EventsPerSecond)) : null;
        return new ThroughputResults(run, events, rounds, size, results.Select(pair =>
        {
            var (kind, runs) = pair;
            var rate = Stats.Median(runs.Select(m => m.EventsPerSecond));
            return new ThroughputClient(
                kind,
                Label(kind).Replace("`", "", StringComparison.Ordinal),
                rate,
                runs.Min(m => m.EventsPerSecond),
                runs.Max(m => m.EventsPerSecond),
                rate / raw,
                Stats.Median(runs.Select(m => m.CpuMicrosecondsPerEvent)),
                Stats.Median(runs.Select(m => m.BytesPerEvent)),
                Stats.Median(runs.Select(m => (double)m.Gen0)),
                Stats.Median(runs.Select(m => (double)m.Gen1)),
                Stats.Median(runs.Select(m => (double)m.Gen2)),
                Stats.Median(runs.Select(m => (double)m.PeakWorkingSet)));
        }).ToList());
    }

    private static void Print(Dictionary<string, List<Measurement>> results)
    {
        var raw = results.TryGetValue("raw", out var rawRuns) ? Stats.Median(rawRuns.Select(m => m.EventsPerSecond)) : double.NaN;
        var gateway = results.TryGetValue("gateway", out var gatewayRuns) ? Stats.Median(gatewayRuns.Select(m => m.EventsPerSecond)) : double.NaN;
        Console.WriteLine();
        Console.WriteLine("| client | events/s, median (min–max) | ratio to raw | GatewayClient ÷ it | CPU µs/event | allocated B/event | GC gen0/gen1/gen2 per run | peak working set |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (kind, runs) in results)
        {
            var rate = Stats.Median(runs.Select(m => m.EventsPerSecond));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Labels[kind]} | {rate:N0} ({runs.Min(m => m.EventsPerSecond):N0}–{runs.Max(m => m.EventsPerSecond):N0}) | {rate / raw:0.00} | {gateway / rate:0.00} | {Stats.Median(runs.Select(m => m.CpuMicrosecondsPerEvent)):0.00} | {Stats.Median(runs.Select(m => m.BytesPerEvent)):N0} | {Stats.Median(runs.Select(m => (double)m.Gen0)):0}/{Stats.Median(runs.Select(m => (double)m.Gen1)):0}/{Stats.Median(runs.Select(m => (double)m.Gen2)):0} | {Stats.Median(runs.Select(m => (double)m.PeakWorkingSet)) / (1024 * 1024):0} MiB |"));
        }

        // The issue's two figures for each way of reading: throughput and client CPU per event against the reference's.
        if (results.TryGetValue("reference", out var referenceRuns))
        {
            var referenceRate = Stats.Median(referenceRuns.Select(m => m.EventsPerSecond));
            var referenceCpu = Stats.Median(referenceRuns.Select(m => m.CpuMicrosecondsPerEvent));
            Console.WriteLine();
            foreach (var kind in new[] { "gateway", "gateway-batch" }.Where(results.ContainsKey))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Labels[kind]} against the reference: throughput {Stats.Median(results[kind].Select(m => m.EventsPerSecond)) / referenceRate:0.00}x, CPU per event {Stats.Median(results[kind].Select(m => m.CpuMicrosecondsPerEvent)) / referenceCpu:0.00}x"));
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// The end-to-end run: one server process, then the three clients alternated round after round, each in
/// a fresh process; prints medians and ratios to the raw loop of the same run.
/// </summary>
internal static class ThroughputRun
{
    private static readonly string[] Kinds = { "raw", "reference", "gateway" };

    public static async Task RunAsync(long events, int rounds, int size)
    {
        Console.WriteLine($"Throughput: {events:N0} events of ~{size} B per run, {rounds} alternated rounds, {Environment.ProcessorCount} cores, {Environment.Version}");
        using var server = StartChild($"server --events {events} --size {size}");
        var port = int.Parse((await server.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        var results = Kinds.ToDictionary(k => k, _ => new List<Measurement>());
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                // Rotate the order so no client always runs first (or last) in a round.
                foreach (var kind in Kinds.Skip(round % Kinds.Length).Concat(Kinds.Take(round % Kinds.Length)))
                {
                    var measurement = await RunClientAsync(kind, port, events);
                    results[kind].Add(measurement);
                    Console.WriteLine($"  round {round} {kind,-9} {measurement.EventsPerSecond,12:N0} ev/s {measurement.BytesPerEvent,8:N0} B/ev");
                }
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }

        Print(results);
    }

    public static Process StartChild(string arguments)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
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

    private static async Task<Measurement> RunClientAsync(string kind, int port, long events)
    {
        using var child = StartChild($"client --kind {kind} --port {port} --events {events}");
        string? line;
        Measurement? result = null;
        while ((line = await child.StandardOutput.ReadLineAsync()) is not null)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<Measurement>(line["RESULT ".Length..]);
            }
        }

        await child.WaitForExitAsync();
        return result ?? throw new InvalidOperationException($"The {kind} client produced no result (exit {child.ExitCode}).");
    }

    private static void Print(Dictionary<string, List<Measurement>> results)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var raw = Median(results["raw"].Select(m => m.EventsPerSecond));
        var reference = Median(results["reference"].Select(m => m.EventsPerSecond));
        Console.WriteLine();
        Console.WriteLine("| client | events/s (median) | ratio to raw | allocated B/event | GC gen0/gen1/gen2 per run | CPU µs/event | peak working set |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (kind, runs) in results)
        {
            var rate = Median(runs.Select(m => m.EventsPerSecond));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind} | {rate:N0} | {rate / raw:0.00} | {Median(runs.Select(m => m.BytesPerEvent)):N0} | {Median(runs.Select(m => (double)m.Gen0)):0}/{Median(runs.Select(m => (double)m.Gen1)):0}/{Median(runs.Select(m => (double)m.Gen2)):0} | {Median(runs.Select(m => m.CpuMicrosecondsPerEvent)):0.00} | {Median(runs.Select(m => (double)m.PeakWorkingSet)) / (1024 * 1024):0} MiB |"));
        }

        var gateway = Median(results["gateway"].Select(m => m.EventsPerSecond));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GatewayClient / hand-written reference: {gateway / reference:0.00} (target >= 0.95)"));
    }
}

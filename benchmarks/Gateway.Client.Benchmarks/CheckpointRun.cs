using System.Diagnostics;
using System.Globalization;
using Gateway.Client.Sessions;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Checkpoint cost per event, per store (issue 27): <c>sessions</c> leases are claimed and held by one owner, and every
/// session marks events as handled one at a time, all sessions at once, as the processor's sessions do, through the
/// processor's own path (a <see cref="CheckpointBatcher"/> over a <see cref="LeaseKeeper"/>, so every write is fenced):
/// per event (<c>every = 1</c>: each event waits for its write) and batched (<c>every = 100</c>). No gateway: the events
/// are resume points made in the loop, so only the checkpoint path is measured. After a warm-up, a
/// window of wall time is measured: events and store writes per second over all sessions, the time a session waits in
/// the checkpoint call per event (for the file and SQLite stores, which write synchronously inside the call, sessions
/// also queue for thread-pool threads, outside the call: each session's events per second shows it), a write's latency
/// as the handler waits for it, and CPU per event of this process and of the server. Leases last 10 minutes, so no
/// renewal runs in the window.
/// </summary>
internal static class CheckpointRun
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);
    private const string Owner = "bench-owner";

    public static async Task RunAsync(SessionStoreServers servers, int[] sessionCounts, int batch, TimeSpan window)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Checkpoint cost: every session marks events one at a time, all sessions at once, through CheckpointBatcher and LeaseKeeper (fenced); {WarmUp.TotalSeconds:0.0} s warm-up, then {window.TotalSeconds:0.0} s measured per row."));
        foreach (var location in servers.Available)
        {
            Console.WriteLine($"  {location.Kind}: {servers.Settings(location.Kind)}");
        }

        var upkeep = new List<(string Kind, int Sessions, (double Renew, double List) Milliseconds)>();
        Console.WriteLine("| store | sessions (that ran) | checkpoint | events/s | each session's events/s | store writes/s | a session's wait in the checkpoint call per event | write p50 / p99 / max | CPU per event: this process / server | errors |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var location in servers.Available)
        {
            foreach (var sessions in sessionCounts)
            {
                await using var opened = await location.WithScope($"cp{sessions}_{Guid.NewGuid():N}").OpenAsync();
                var keepers = await ClaimAsync(opened.Store, sessions);
                try
                {
                    upkeep.Add((location.Kind, sessions, await MeasureUpkeepAsync(opened.Store, keepers)));
                    foreach (var every in new[] { 1, batch })
                    {
                        var row = await MeasureAsync(keepers, every, window, servers.ServerProcess(location.Kind));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {location.Kind} | {sessions:N0} ({row.SessionsThatRan:N0}) | {(every == 1 ? "per event" : $"every {every}")} | {row.EventsPerSecond:N0} | {row.EventsPerSecond / Math.Max(row.SessionsThatRan, 1):N1} | {row.WritesPerSecond:N0} | {Micro(row.WaitPerEventMicroseconds)} µs | {row.WriteP50Milliseconds:0.00} / {row.WriteP99Milliseconds:0.00} / {row.WriteMaxMilliseconds:0} ms | {row.CpuMicrosecondsPerEvent:0.00} / {(row.ServerCpuMicrosecondsPerEvent is { } server ? server.ToString("0.00", CultureInfo.InvariantCulture) : "in process")} µs | {row.Errors} |"));
                    }
                }
                finally
                {
                    foreach (var keeper in keepers)
                    {
                        keeper.Dispose();
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("Lease upkeep of one balancing cycle for an owner of every session: renew them all at once (as the cycle does, before it lists and claims one), then list them all; medians of three:");
        Console.WriteLine("| store | sessions | renew all | list all |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var (kind, sessions, milliseconds) in upkeep)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {sessions:N0} | {milliseconds.Renew:0.0} ms | {milliseconds.List:0.0} ms |"));
        }
    }

    /// <summary>
    /// What one balancing cycle costs an owner of every session before it claims: renewing them all at once, then listing
    /// them all (medians of three).
    /// </summary>
    private static async Task<(double Renew, double List)> MeasureUpkeepAsync(ISessionStore store, LeaseKeeper[] keepers)
    {
        var renew = new List<double>();
        var list = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(keepers.Select(k => k.RenewAsync(CancellationToken.None)));
            renew.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            _ = await store.ListLeasesAsync(CancellationToken.None);
            list.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return (Stats.Median(renew), Stats.Median(list));
    }

    /// <summary>Claims <paramref name="sessions"/> sessions for one owner, 50 at a time.</summary>
    private static async Task<LeaseKeeper[]> ClaimAsync(ISessionStore store, int sessions)
    {
        var keepers = new List<LeaseKeeper>(sessions);
        for (var first = 0; first < sessions; first += 50)
        {
            keepers.AddRange(await Task.WhenAll(Enumerable.Range(first, Math.Min(50, sessions - first)).Select(async i =>
            {
                var sentAt = TimeProvider.System.GetUtcNow();
                var lease = await store.TryClaimAsync($"session-{i:D4}", Owner, LeaseDuration, null, CancellationToken.None)
                    ?? throw new InvalidOperationException($"A fresh store refused the claim of session-{i:D4}.");
                return new LeaseKeeper(store, lease, sentAt, LeaseDuration, TimeProvider.System);
            })));
        }

        return keepers.ToArray();
    }

    private static async Task<Row> MeasureAsync(LeaseKeeper[] keepers, int every, TimeSpan window, int? serverProcess)
    {
        var phase = new Phase();
        var tallies = keepers.Select(_ => new Tally()).ToArray();
        var batchers = keepers.Select(k => new CheckpointBatcher(k, every, null, TimeProvider.System)).ToArray();
        try
        {
            var loops = keepers.Select((k, i) => Task.Run(() => DriveAsync(batchers[i], k.SessionKey, tallies[i], phase))).ToArray();
            await Task.Delay(WarmUp);

            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var serverBefore = serverProcess is { } id ? ServerCpu.Of(id) : null;
            var started = Stopwatch.GetTimestamp();
            phase.Current = Phase.Measured;
            await Task.Delay(window);
            phase.Current = Phase.Stopped;
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var serverAfter = serverProcess is { } id2 ? ServerCpu.Of(id2) : null;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds * 1000;

            // Each loop ends after the call it is in; a store that stopped answering ends the run instead of hanging it.
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60));

            var events = tallies.Sum(t => t.Events);
            var latencies = tallies.SelectMany(t => t.WriteMilliseconds).Order().ToArray();
            return new Row(
                events / elapsed,
                tallies.Sum(t => t.Writes) / elapsed,
                tallies.Sum(t => t.WaitSeconds) * 1_000_000 / Math.Max(events, 1),
                Percentile(latencies, 50),
                Percentile(latencies, 99),
                latencies.Length == 0 ? double.NaN : latencies[^1],
                tallies.Count(t => t.Events > 0),
                cpu / Math.Max(events, 1),
                serverBefore is { } before && serverAfter is { } after ? (after - before).TotalMilliseconds * 1000 / Math.Max(events, 1) : null,
                tallies.Sum(t => t.Errors));
        }
        finally
        {
            foreach (var batcher in batchers)
            {
                batcher.Dispose();
            }
        }
    }

    /// <summary>One session handling events as fast as its checkpoints let it, until the run stops.</summary>
    private static async Task DriveAsync(CheckpointBatcher batcher, string sessionKey, Tally tally, Phase phase)
    {
        long sequence = 0;
        while (phase.Current != Phase.Stopped)
        {
            var position = new GatewayResumePoint(sessionKey, "bench", ++sequence);
            var started = Stopwatch.GetTimestamp();
            var failed = false;
            try
            {
                await batcher.MarkAsync(position, CancellationToken.None);
            }
            catch (SessionStoreException)
            {
                failed = true; // kept pending by the batcher: the next write retries it
            }

            var waited = Stopwatch.GetElapsedTime(started);
            var wrote = !failed && batcher.PendingCount == 0; // this call wrote the batch (no interval timer here: only a full batch writes)
            if (phase.Current == Phase.Measured)
            {
                tally.Events++;
                tally.WaitSeconds += waited.TotalSeconds;
                if (failed)
                {
                    tally.Errors++;
                }
                else if (wrote)
                {
                    tally.Writes++;
                    tally.WriteMilliseconds.Add(waited.TotalMilliseconds);
                }
            }

            if (wrote || failed)
            {
                // A store that writes synchronously (file, SQLite) completes the call on this thread: without giving the
                // thread back, a few sessions would run and the rest wait. In the processor the next event comes from
                // the session's client, asynchronously.
                await Task.Yield();
            }
        }
    }

    private static string Micro(double microseconds) =>
        microseconds.ToString(microseconds >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture);

    private static double Percentile(double[] sorted, int percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1))];

    /// <summary>Warm-up, measured window, stop: read by every session's loop.</summary>
    private sealed class Phase
    {
        public const int WarmingUp = 0;
        public const int Measured = 1;
        public const int Stopped = 2;
        private int _current = WarmingUp;

        public int Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }
    }

    /// <summary>One session's counts in the measured window (written by its loop alone).</summary>
    private sealed class Tally
    {
        public long Events;
        public long Writes;
        public long Errors;
        public double WaitSeconds;
        public readonly List<double> WriteMilliseconds = new();
    }

    private sealed record Row(
        double EventsPerSecond,
        double WritesPerSecond,
        double WaitPerEventMicroseconds,
        double WriteP50Milliseconds,
        double WriteP99Milliseconds,
        double WriteMaxMilliseconds,
        int SessionsThatRan,
        double CpuMicrosecondsPerEvent,
        double? ServerCpuMicrosecondsPerEvent,
        long Errors);
}

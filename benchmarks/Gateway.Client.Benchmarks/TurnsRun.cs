using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Agent turns (issue 26), against <see cref="TurnServer"/> in its own process, the clients in this one.
/// <list type="number">
/// <item>Latency: from the moment the server wrote a <c>token_stream</c> frame (its stamp) to the app's loop body, for
/// (A) a turn, <c>await foreach</c> over <see cref="GatewayClient.AskAsync"/> (a <c>TextDelta</c> update), and (B) a client
/// with no turn reading the same frames from <see cref="GatewayClient.ReadEventsAsync"/> (it sends the same
/// <c>message</c> frame raw). Both stay connected; rounds alternate A B A B, each a turn of the same paced deltas; the
/// first round of each is a warm-up and is not counted.</item>
/// <item>Memory: one client, 1,000 turns in flight at once. The gateway accepts every message at once and runs them in
/// order (PraisonAI matches answers by order): the first stops after its first delta until the client says go, so at the
/// measuring point every turn is accepted, the first mid-stream, the others queued behind it. Managed heap
/// (<see cref="GC.GetTotalMemory(bool)"/> with a full collection) before, there and after; bytes allocated by the
/// process (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, every thread) per turn.</item>
/// </list>
/// </summary>
internal static class TurnsRun
{
    /// <summary>With <c>BENCH_ALLOC=1</c>: allocations by type, A's rounds apart from B's.</summary>
    private static AllocationSampler? Sampler { get; set; }

    /// <param name="turnClientReadsStream">Whether the turn client also drains its main event stream (an app that asks turns and reads the stream); by default it does not, as an app that only asks turns.</param>
    public static async Task RunAsync(int rounds, int deltas, int intervalMs, int turns, bool turnClientReadsStream = false)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Turns: {Environment.ProcessorCount} cores, {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, server in its own process"));
        using var sampler = Sampler = AllocationSampler.StartIfAsked();
        using var server = ThroughputRun.StartChild("turn-server");
        try
        {
            var port = int.Parse((await server.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            var url = new Uri($"ws://127.0.0.1:{port}/ws");
            await LatencyAsync(url, rounds, deltas, intervalMs, turnClientReadsStream);
            await MemoryAsync(url, turns, readMainStream: false);
            await MemoryAsync(url, turns, readMainStream: true);
            sampler?.Print();
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static async Task LatencyAsync(Uri url, int rounds, int deltas, int intervalMs, bool turnClientReadsStream)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Latency: {rounds} measured rounds (+1 warm-up) per side, alternated A B A B, {deltas} deltas per round, a {intervalMs} ms delay before each delta; the turn client's main event stream {(turnClientReadsStream ? "drained by a reader" : "not read")}"));
        await using var turnClient = new GatewayClient(new GatewayClientOptions { Url = url, AgentId = "bench-turns" });
        await using var eventClient = new GatewayClient(new GatewayClientOptions { Url = url, AgentId = "bench-events" });
        await turnClient.ConnectAsync();
        await eventClient.ConnectAsync();
        var draining = turnClientReadsStream
            ? Task.Run(async () =>
            {
                await foreach (var e in turnClient.ReadEventsAsync())
                {
                }
            })
            : Task.CompletedTask;
        var events = eventClient.ReadEventsAsync().GetAsyncEnumerator();
        var message = $"stream {deltas} {intervalMs}";
        var raw = Encoding.UTF8.GetBytes($$"""{"type":"message","content":"{{message}}"}""");

        var turnSide = new Side("A: AskAsync TextDelta");
        var eventSide = new Side("B: ReadEventsAsync token_stream");
        for (var round = 0; round <= rounds; round++)
        {
            // A: the turn.
            Sampler?.Phase = round == 0 ? "warm-up" : "A (turns)";
            var samples = new List<long>(deltas);
            var probe = Probe.Start();
            GatewayTurnOutcome? outcome = null;
            await foreach (var update in turnClient.AskAsync(message))
            {
                if (update.Kind == GatewayTurnUpdateKind.TextDelta)
                {
                    samples.Add(Since(update.Event!.Utf8Frame.Span));
                }
                else if (update.Kind == GatewayTurnUpdateKind.Final)
                {
                    outcome = update.Outcome;
                }
            }

            var cost = probe.Stop();
            if (outcome?.Status != GatewayTurnStatus.Completed || samples.Count != deltas)
            {
                throw new InvalidOperationException($"turn round {round}: {outcome}, {samples.Count} deltas of {deltas}");
            }

            turnSide.Add(round, samples, cost);

            // B: the same frames, read from the event stream.
            Sampler?.Phase = round == 0 ? "warm-up" : "B (events)";
            samples = new List<long>(deltas);
            probe = Probe.Start();
            await eventClient.SendAsync(raw);
            while (await events.MoveNextAsync())
            {
                var e = events.Current;
                if (e.Type == "token_stream")
                {
                    samples.Add(Since(e.Utf8Frame.Span));
                }
                else if (e.Type == "response" && e.Data.TryGetProperty("status", out var status) && status.GetString() == "final")
                {
                    break;
                }
            }

            cost = probe.Stop();
            if (samples.Count != deltas)
            {
                throw new InvalidOperationException($"event round {round}: {samples.Count} deltas of {deltas}");
            }

            eventSide.Add(round, samples, cost);
        }

        await events.DisposeAsync();
        await turnClient.DisconnectAsync();
        await draining;
        Sampler?.Phase = "the memory runs";
        turnSide.Print();
        eventSide.Print();
        var (a, b) = (turnSide.Percentile(0.5), eventSide.Percentile(0.5));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"difference at p50 (A - B): {a - b:0.0} µs ({(a - b) / 1000:0.000} ms); p90 {turnSide.Percentile(0.9) - eventSide.Percentile(0.9):0.0} µs; p99 {turnSide.Percentile(0.99) - eventSide.Percentile(0.99):0.0} µs; median of the rounds' p50 differences {Stats.Median(turnSide.RoundP50s.Zip(eventSide.RoundP50s, (x, y) => x - y)):0.0} µs"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"the server's pacing: a delta every {eventSide.Seconds * 1000 / eventSide.Count:0.00} ms on average (B's rounds, from send to final)"));
    }

    /// <summary>Microseconds since the server's stamp in <paramref name="frame"/>, the clock read first.</summary>
    private static long Since(ReadOnlySpan<byte> frame)
    {
        var now = Stopwatch.GetTimestamp();
        var at = frame.IndexOf(LatencyProbe.StampField);
        if (at < 0 || !Utf8Parser.TryParse(frame[(at + LatencyProbe.StampField.Length)..], out long stamp, out _))
        {
            throw new InvalidOperationException("a token_stream frame without its stamp");
        }

        return now - stamp;
    }

    private static async Task MemoryAsync(Uri url, int turns, bool readMainStream)
    {
        await using var client = new GatewayClient(new GatewayClientOptions { Url = url, AgentId = "bench-memory" });
        await client.ConnectAsync();
        Task? reading = null;
        if (readMainStream)
        {
            reading = Task.Run(async () =>
            {
                await foreach (var e in client.ReadEventsAsync())
                {
                }
            });
        }

        // Warm-up: the same path once with a tenth of the turns (JIT, pools, the client's tables at their working size).
        await BatchAsync(client, Math.Max(10, turns / 10), null);

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long heapInFlight = 0, allocatedInFlight = 0;
        var outcomes = await BatchAsync(client, turns, () =>
        {
            heapInFlight = GC.GetTotalMemory(forceFullCollection: true);
            allocatedInFlight = GC.GetTotalAllocatedBytes(precise: true);
        });
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);

        var completed = outcomes.Count(o => o.Status == GatewayTurnStatus.Completed && o.Deltas == 3);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Memory, {turns:N0} concurrent turns on one client, main event stream {(readMainStream ? "read by a reader" : "not read (as an app that only asks turns)")}: {completed:N0} completed with 3 deltas each"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  managed heap: before {heapBefore / 1024.0:N0} KiB, all {turns:N0} accepted and the first mid-stream {heapInFlight / 1024.0:N0} KiB (+{(heapInFlight - heapBefore) / 1024.0:N0} KiB: {(heapInFlight - heapBefore) / (double)turns:N0} B per turn in flight), after {heapAfter / 1024.0:N0} KiB ({(heapAfter - heapBefore) / (double)turns:+0;-0} B per turn left)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  allocated: {(allocatedInFlight - allocatedBefore) / (double)turns:N0} B per turn up to the point in flight, {(allocatedAfter - allocatedBefore) / (double)turns:N0} B per turn in all (send, accepted, 3 deltas, stream_end, final)"));
        if (completed != turns)
        {
            throw new InvalidOperationException($"only {completed} of {turns} turns completed with their 3 deltas");
        }

        await client.DisconnectAsync();
        if (reading is not null)
        {
            await reading;
        }
    }

    /// <summary>
    /// <paramref name="turns"/> turns at once; when every one is accepted and the first has its first delta,
    /// <paramref name="inFlight"/> runs, then the gateway is told to go on.
    /// </summary>
    private static async Task<(GatewayTurnStatus? Status, int Deltas)[]> BatchAsync(GatewayClient client, int turns, Action? inFlight)
    {
        var accepted = 0;
        var firstDelta = 0;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (Volatile.Read(ref accepted) == turns && Volatile.Read(ref firstDelta) > 0)
            {
                ready.TrySetResult();
            }
        }

        async Task<(GatewayTurnStatus?, int)> TurnAsync()
        {
            GatewayTurnStatus? status = null;
            var deltas = 0;
            await foreach (var update in client.AskAsync("turn 3"))
            {
                switch (update.Kind)
                {
                    case GatewayTurnUpdateKind.Accepted:
                        Interlocked.Increment(ref accepted);
                        Check();
                        break;
                    case GatewayTurnUpdateKind.TextDelta:
                        if (++deltas == 1)
                        {
                            Interlocked.Increment(ref firstDelta);
                            Check();
                        }

                        break;
                    case GatewayTurnUpdateKind.Final:
                        status = update.Outcome!.Status;
                        break;
                }
            }

            return (status, deltas);
        }

        await client.SendAsync("""{"type":"bench_hold"}"""u8.ToArray());
        var all = new Task<(GatewayTurnStatus?, int)>[turns];
        for (var i = 0; i < turns; i++)
        {
            all[i] = TurnAsync();
        }

        var settled = await Task.WhenAny(ready.Task, Task.WhenAll(all), Task.Delay(TimeSpan.FromSeconds(60)));
        if (settled != ready.Task)
        {
            throw new InvalidOperationException($"the turns never were all in flight: {accepted} accepted, first delta {firstDelta}");
        }

        inFlight?.Invoke();
        await client.SendAsync("""{"type":"bench_go"}"""u8.ToArray());
        return await Task.WhenAll(all);
    }

    /// <summary>One side of the latency run: its measured rounds' samples (in Stopwatch ticks) and their cost.</summary>
    private sealed class Side(string label)
    {
        private readonly List<long> _all = new();
        private readonly List<string> _rounds = new();
        private double _cpuMs;
        private long _allocated;

        public List<double> RoundP50s { get; } = new();

        public int Count => _all.Count;

        public double Seconds { get; private set; }

        public void Add(int round, List<long> samples, (double CpuMs, long Allocated, double Seconds) cost)
        {
            samples.Sort();
            var p50 = Micro(samples[samples.Count / 2]);
            var line = string.Create(CultureInfo.InvariantCulture, $"  round {round} {label,-33} p50 {p50,7:0.0} µs p90 {Micro(samples[(int)(samples.Count * 0.9)]),7:0.0} µs p99 {Micro(samples[(int)(samples.Count * 0.99)]),8:0.0} µs max {Micro(samples[^1]),8:0.0} µs CPU {cost.CpuMs * 1000 / samples.Count,6:0.0} µs/delta {cost.Allocated / (double)samples.Count,6:0} B/delta{(round == 0 ? " (warm-up)" : string.Empty)}");
            Console.WriteLine(line);
            if (round == 0)
            {
                return;
            }

            RoundP50s.Add(p50);
            _all.AddRange(samples);
            _cpuMs += cost.CpuMs;
            _allocated += cost.Allocated;
            Seconds += cost.Seconds;
        }

        public double Percentile(double quantile)
        {
            _all.Sort();
            return Micro(_all[Math.Min(_all.Count - 1, (int)(_all.Count * quantile))]);
        }

        public void Print() => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {_all.Count:N0} deltas, p50 {Percentile(0.5):0.0} µs, p90 {Percentile(0.9):0.0} µs, p99 {Percentile(0.99):0.0} µs, max {Percentile(1):0.0} µs; rounds' p50 {string.Join(" ", RoundP50s.Select(p => p.ToString("0", CultureInfo.InvariantCulture)))} µs; client CPU {_cpuMs * 1000 / _all.Count:0.0} µs/delta, allocated {_allocated / (double)_all.Count:0} B/delta"));

        private static double Micro(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
    }

    /// <summary>The client process's CPU time, allocation and wall time over one side's round.</summary>
    private readonly struct Probe
    {
        private readonly TimeSpan _cpu;
        private readonly long _allocated;
        private readonly long _started;

        private Probe(TimeSpan cpu, long allocated, long started)
        {
            _cpu = cpu;
            _allocated = allocated;
            _started = started;
        }

        public static Probe Start()
        {
            using var process = Process.GetCurrentProcess();
            return new Probe(process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true), Stopwatch.GetTimestamp());
        }

        public (double CpuMs, long Allocated, double Seconds) Stop()
        {
            var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
            using var process = Process.GetCurrentProcess();
            return ((process.TotalProcessorTime - _cpu).TotalMilliseconds, allocated, seconds);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Gateway.Client.Benchmarks.Charts;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Scale: many idle connected clients in one process (memory per client, threads), then the CPU cost
/// per event of one client at a steady rate. The server runs in its own process. Published as a results file and the
/// idle chart (<see cref="BenchmarkOutput"/>).
/// </summary>
internal static class ScaleRun
{
    private static readonly byte[] Hello = """{"type":"hello","agent_id":"bench","protocol_min":1,"protocol_max":2}"""u8.ToArray();

    public static async Task RunAsync(int clients, int rate, int seconds, int idleSeconds, BenchmarkOutput output)
    {
        var run = RunContext.Start(string.Create(CultureInfo.InvariantCulture, $"scale --clients {clients} --idle-seconds {idleSeconds} --rate {rate} --seconds {seconds}"));
        IdleClient[] idleClients;
        // Idle: the server answers the handshake and then sends nothing. Raw sockets first, then GatewayClient, each
        // measured from the same settled baseline: heap and working set per connection, threads, and idle CPU.
        using (var idle = ThroughputRun.StartChild("server --events 0 --size 256"))
        {
            var port = int.Parse((await idle.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            var url = new Uri($"ws://127.0.0.1:{port}/ws");
            var raw = await MeasureIdleAsync("raw", "raw ClientWebSocket (a pending 4 KiB receive)", clients, idleSeconds, async () =>
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(url, CancellationToken.None);
                await socket.SendAsync(Hello, WebSocketMessageType.Text, true, CancellationToken.None);
                var buffer = new byte[4096];
                await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None); // hello_ok
                var pending = socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask();
                return async () =>
                {
                    socket.Abort();
                    try
                    {
                        await pending;
                    }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                    {
                    }

                    socket.Dispose();
                };
            });
            var gateway = await MeasureIdleAsync("gateway", "GatewayClient (connected, its consumer waiting)", clients, idleSeconds, async () =>
            {
                var client = new GatewayClient(new GatewayClientOptions { Url = url, AgentId = "bench" });
                await client.ConnectAsync();
                var reading = Task.Run(async () =>
                {
                    await foreach (var e in client.ReadEventsAsync())
                    {
                    }
                });
                return async () =>
                {
                    await client.DisposeAsync();
                    await reading;
                };
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"GatewayClient / raw: managed heap {gateway.HeapBytesPerClient / raw.HeapBytesPerClient:0.00}x, working set {gateway.WorkingSetBytesPerClient / raw.WorkingSetBytesPerClient:0.00}x, idle CPU {gateway.IdleCpuMilliseconds / Math.Max(raw.IdleCpuMilliseconds, 0.001):0.00}x"));
            idle.Kill(entireProcessTree: true);
            idleClients = [raw, gateway];
        }

        // Steady rate: CPU per event of one client.
        var events = (long)rate * seconds;
        using var paced = ThroughputRun.StartChild($"server --events {events} --size 256 --rate {rate}");
        var pacedPort = int.Parse((await paced.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        var measured = await ClientKinds.GatewayAsync(new Uri($"ws://127.0.0.1:{pacedPort}/ws"), events);
        paced.Kill(entireProcessTree: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steady {rate:N0} events/s for {seconds} s: {measured.EventsPerSecond:N0} events/s received, CPU {measured.CpuMicrosecondsPerEvent:0.00} µs per event ({measured.CpuMilliseconds / measured.Seconds / 10:0.0} % of one core), {measured.BytesPerEvent:0} B allocated per event"));
        output.Publish(BenchmarkCharts.Scale, new ScaleResults(
            run.Finish(),
            clients,
            idleSeconds,
            idleClients,
            new SteadyRate(rate, seconds, measured.EventsPerSecond, measured.CpuMicrosecondsPerEvent, measured.BytesPerEvent)));
    }

    /// <summary>Connects <paramref name="clients"/> connections with <paramref name="connect"/>, lets them idle, measures, then closes them.</summary>
    private static async Task<IdleClient> MeasureIdleAsync(string kind, string label, int clients, int idleSeconds, Func<Task<Func<Task>>> connect)
    {
        using var process = Process.GetCurrentProcess();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var threadsBefore = process.Threads.Count;
        var closers = new List<Func<Task>>(clients);
        for (var i = 0; i < clients; i += 50)
        {
            closers.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(50, clients - i)).Select(_ => connect())));
        }

        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var workingSetAfter = process.WorkingSet64;

        // Idle CPU is measured after the connections settle (the JIT's background tiering of the connect path ends).
        await Task.Delay(TimeSpan.FromSeconds(5));
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        process.Refresh();
        var footprint = new IdleClient(
            kind,
            label,
            (heapAfter - heapBefore) / (double)clients,
            (workingSetAfter - workingSetBefore) / (double)clients,
            (process.TotalProcessorTime - cpuBefore).TotalMilliseconds,
            threadsBefore,
            process.Threads.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{clients} idle, {label}: managed heap {footprint.HeapBytesPerClient / 1024:0.0} KiB per client, working set {footprint.WorkingSetBytesPerClient / 1024:0.0} KiB per client, threads {footprint.ThreadsBefore} -> {footprint.ThreadsAfter}, CPU over {idleSeconds} s idle (after 5 s to settle) {footprint.IdleCpuMilliseconds:0} ms"));
        await Task.WhenAll(closers.Select(close => close()));
        return footprint;
    }
}

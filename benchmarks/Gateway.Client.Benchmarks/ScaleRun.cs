using System.Diagnostics;
using System.Globalization;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Scale: many idle connected clients in one process (memory per client, threads), then the CPU cost
/// per event of one client at a steady rate. The server runs in its own process.
/// </summary>
internal static class ScaleRun
{
    public static async Task RunAsync(int clients, int rate, int seconds)
    {
        // Idle: the server answers the handshake and then sends nothing.
        using (var idle = ThroughputRun.StartChild("server --events 0 --size 256"))
        {
            var port = int.Parse((await idle.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            using var process = Process.GetCurrentProcess();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            var workingSetBefore = process.WorkingSet64;
            var threadsBefore = process.Threads.Count;
            var connected = new List<GatewayClient>(clients);
            for (var i = 0; i < clients; i += 50)
            {
                var batch = Enumerable.Range(0, Math.Min(50, clients - i)).Select(_ => new GatewayClient(new GatewayClientOptions { Url = new Uri($"ws://127.0.0.1:{port}/ws"), AgentId = "bench" })).ToList();
                await Task.WhenAll(batch.Select(c => c.ConnectAsync()));
                connected.AddRange(batch);
            }

            var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{clients} idle clients: managed heap {(heapAfter - heapBefore) / clients / 1024.0:0.0} KiB per client, working set {(process.WorkingSet64 - workingSetBefore) / clients / 1024.0:0.0} KiB per client, threads {threadsBefore} -> {process.Threads.Count} (thread pool {ThreadPool.ThreadCount})"));
            await Task.WhenAll(connected.Select(c => c.DisposeAsync().AsTask()));
            idle.Kill(entireProcessTree: true);
        }

        // Steady rate: CPU per event of one client.
        var events = (long)rate * seconds;
        using var paced = ThroughputRun.StartChild($"server --events {events} --size 256 --rate {rate}");
        var pacedPort = int.Parse((await paced.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        var measured = await ClientKinds.GatewayAsync(new Uri($"ws://127.0.0.1:{pacedPort}/ws"), events);
        paced.Kill(entireProcessTree: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steady {rate:N0} events/s for {seconds} s: {measured.EventsPerSecond:N0} events/s received, CPU {measured.CpuMicrosecondsPerEvent:0.00} µs per event ({measured.CpuMilliseconds / measured.Seconds / 10:0.0} % of one core), {measured.BytesPerEvent:0} B allocated per event"));
    }
}

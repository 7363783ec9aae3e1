using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using Gateway.Client.Benchmarks;
using Gateway.Client.Benchmarks.Charts;

// The modes and their options; --help prints this.
const string Usage = """
    Gateway.Client benchmarks.
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- all                # throughput with the peers, paced, scale
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- throughput [--events N] [--rounds R] [--size B] [--clients raw,reference,gateway,wsclient,wsclient-parse,signalr]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- paced [--rates 1000,10000] [--seconds 10] [--rounds 3] [--clients raw,reference,gateway,wsclient-parse]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- resume [--drops 200]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- scale [--clients 1000] [--idle-seconds 10] [--rate 10000] [--seconds 10]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- turns [--rounds 8] [--deltas 500] [--interval-ms 1] [--turns 1000] [--turn-client-reads-stream true]   # BENCH_ALLOC=1: allocations by type
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- checkpoints [--stores file,sqlite,redis,postgres] [--sessions 10,100,1000] [--batch 100] [--seconds 2]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- handover [--stores file,sqlite,redis,postgres] [--sessions 10,100,1000] [--lease-ms 2000] [--renew-ms 500] [--balance-ms 20] [--deadline-seconds 120] [--largest-on redis|all]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- sessions   # checkpoints, then handover, with their defaults
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- browser [--published DIR] [--loads 8] [--load-rate 100] [--rates 0,1000] [--frame-seconds 10] [--settle-seconds 3]
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- charts   # redraws docs/charts/*.svg from benchmarks/results/*.json
      dotnet run -c Release --project benchmarks/Gateway.Client.Benchmarks -- micro [BenchmarkDotNet arguments]
    throughput, paced and scale (and all) write their results to benchmarks/results/<mode>.json and draw their chart from
    it into docs/charts/; --results DIR and --charts DIR write elsewhere (charts reads from --results DIR).
    """;

var mode = args.Length > 0 ? args[0] : "throughput";
if (mode is "--help" or "-h")
{
    Console.WriteLine(Usage);
    return 0;
}

string Option(string name, string fallback) => Given(name) ?? fallback;

string? Given(string name)
{
    var at = Array.IndexOf(args, "--" + name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

int[] Ints(string name, string fallback) => Option(name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

HandoverSettings Handover() => new(
    TimeSpan.FromMilliseconds(Long("lease-ms", 2000)),
    TimeSpan.FromMilliseconds(Long("renew-ms", 500)),
    TimeSpan.FromMilliseconds(Long("balance-ms", 20)));

BenchmarkOutput Output() => BenchmarkOutput.From(Given("results"), Given("charts"));

long Long(string name, long fallback) => long.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

switch (mode)
{
    case "all":
        // Everything issue 17's figures need, in one command: saturation with the peers, paced rates, the idle footprint.
        await ThroughputRun.RunAsync(Long("events", 1_000_000), (int)Long("rounds", 7), 256, Output());
        await PacedRun.RunAsync(new[] { 1_000, 10_000 }, (int)Long("seconds", 10), (int)Long("paced-rounds", 3), null, Output());
        await ScaleRun.RunAsync((int)Long("clients", 1000), 10_000, 10, 10, Output());
        break;
    case "throughput":
        await ThroughputRun.RunAsync(Long("events", 2_000_000), (int)Long("rounds", 5), (int)Long("size", 256), Output(), Given("clients"));
        break;
    case "server":
        // Two ports on stdout: the blast server's, then the SignalR hub's.
        var (hub, hubPort) = await BenchHub.StartAsync();
        await using (hub)
        {
            await BlastServer.RunAsync(Long("events", 1_000_000), (int)Long("size", 256), (int)Long("rate", 0), () => Console.WriteLine(hubPort));
        }

        break;
    case "paced":
        await PacedRun.RunAsync(
            Option("rates", "1000,10000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray(),
            (int)Long("seconds", 10),
            (int)Long("rounds", 3),
            Given("clients"),
            Output());
        break;
    case "resume":
        await ResumeRun.RunAsync((int)Long("drops", 200));
        break;
    case "scale":
        await ScaleRun.RunAsync((int)Long("clients", 1000), (int)Long("rate", 10_000), (int)Long("seconds", 10), (int)Long("idle-seconds", 10), Output());
        break;
    case "client":
        var events = Long("events", 1_000_000);
        var latency = Option("paced", "false") == "true" ? new LatencyProbe(events) : null;
        var measurement = await ClientKinds.RunAsync(Option("kind", "gateway"), (int)Long("port", 0), (int)Long("hub-port", 0), events, (int)Long("size", 256), latency);
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(measurement));
        break;
    case "turns":
        await TurnsRun.RunAsync((int)Long("rounds", 8), (int)Long("deltas", 500), (int)Long("interval-ms", 1), (int)Long("turns", 1000), Option("turn-client-reads-stream", "false") == "true");
        break;
    case "turn-server":
        // The turns run's PraisonAI gateway: its port on stdout.
        await TurnServer.RunAsync();
        break;
    case "checkpoints":
        // Issue 27: checkpoint cost per event for each store, per event and batched, with 10 to 1,000 sessions held.
        await using (var stores = await SessionStoreServers.StartAsync(Option("stores", "file,sqlite,redis,postgres").Split(',')))
        {
            await CheckpointRun.RunAsync(stores, Ints("sessions", "10,100,1000"), (int)Long("batch", 100), TimeSpan.FromSeconds(Long("seconds", 2)));
        }

        break;
    case "handover":
        // Issue 27: how long until a second instance owns every session after the first stops gracefully or crashes.
        await using (var stores = await SessionStoreServers.StartAsync(Option("stores", "file,sqlite,redis,postgres").Split(',')))
        {
            await HandoverRun.RunAsync(stores, Ints("sessions", "10,100,1000"), Handover(), TimeSpan.FromSeconds(Long("deadline-seconds", 120)), Option("largest-on", "redis").Split(','));
        }

        break;
    case "handover-owner":
        // The handover run's instance A: its store and gateway in the environment.
        await HandoverRun.RunOwnerAsync((int)Long("sessions", 10), Handover());
        break;
    case "sessions":
        await using (var stores = await SessionStoreServers.StartAsync(Option("stores", "file,sqlite,redis,postgres").Split(',')))
        {
            await CheckpointRun.RunAsync(stores, Ints("sessions", "10,100,1000"), (int)Long("batch", 100), TimeSpan.FromSeconds(Long("seconds", 2)));
            await HandoverRun.RunAsync(stores, Ints("sessions", "10,100,1000"), Handover(), TimeSpan.FromSeconds(Long("deadline-seconds", 120)), Option("largest-on", "redis").Split(','));
        }

        break;
    case "browser":
        // Issue 28: the dashboard sample in Chromium: download size, page load to the first event, frames under load.
        await BrowserRun.RunAsync(Given("published"), (int)Long("loads", 8), (int)Long("load-rate", 100), Ints("rates", "0,1000"), (int)Long("frame-seconds", 10), (int)Long("settle-seconds", 3));
        break;
    case "charts":
        // Issue 29: the charts docs/performance.md leads with, redrawn from the committed results.
        var drawn = BenchmarkCharts.DrawAll(Output());
        if (drawn.Count == 0)
        {
            Console.Error.WriteLine($"no results in {Output().ResultsDirectory}: run throughput, paced or scale first");
            return 1;
        }

        foreach (var chart in drawn)
        {
            Console.WriteLine($"chart: {chart}");
        }

        break;
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(ThroughputRun).Assembly).Run(args[1..]);
        break;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': all | throughput | paced | resume | scale | charts | turns | checkpoints | handover | sessions | browser | micro | handover-owner | server | turn-server | client");
        return 2;
}

return 0;

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Gateway.Client.Sessions;
using Gateway.Client.Testing;

namespace Gateway.Client.Benchmarks;

/// <summary>
/// Handover time (issue 27): <c>sessions</c> gateway sessions run by <see cref="GatewaySessionProcessor"/> instance A, in
/// a child process of its own, until it owns them all; then instance B starts in this process and A is either stopped
/// gracefully (SIGTERM: <see cref="GatewaySessionProcessor.StopAsync"/>, which releases every lease after the closing
/// handlers) or crashes (SIGKILL: nothing released, its leases lapse). Measured from the signal to B owning every session
/// (its leases; each session's client then connects in the background), with the times B reached its first new session
/// and half of them. Every session is a real <see cref="GatewayClient"/> on an in-process <see cref="TestGateway"/>;
/// both instances use the same short intervals, printed with the figures.
/// </summary>
internal static class HandoverRun
{
    private const int SigTerm = 15;
    private const string GatewayVariable = "GATEWAY_BENCH_GATEWAY_URL";

    /// <param name="largestOn">The stores the largest of <paramref name="sessionCounts"/> runs on ("all": every store). One
    /// claim per cycle, each cycle renewing what the instance owns: taking N sessions costs about N²/2 renewals, minutes
    /// at 1,000 sessions on the slower stores (their lease upkeep in the checkpoints run says how long a cycle takes).</param>
    public static async Task RunAsync(SessionStoreServers servers, int[] sessionCounts, HandoverSettings settings, TimeSpan deadline, IReadOnlyCollection<string> largestOn)
    {
        var largest = sessionCounts.Max();
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Handover: A (a child process) owns every session, B starts, then A is stopped (SIGTERM: StopAsync) or killed (SIGKILL); from the signal to B owning all. LeaseDuration {settings.LeaseDuration.TotalMilliseconds:0} ms, RenewInterval {settings.RenewInterval.TotalMilliseconds:0} ms, BalanceInterval {settings.BalanceInterval.TotalMilliseconds:0} ms (both instances); each session a GatewayClient on an in-process TestGateway."));
        Console.WriteLine("| store | sessions | A stopped by | B owned at the signal | B's first new session | half | all | A's StopAsync | B's balancing cycles in the handover | A alone, from start to owning all |");
        Console.WriteLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var location in servers.Available)
        {
            foreach (var sessions in sessionCounts)
            {
                if (sessions == largest && sessionCounts.Length > 1 && !largestOn.Contains("all") && !largestOn.Contains(location.Kind))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {location.Kind} | {sessions:N0} | not run: --largest-on {string.Join(",", largestOn)} (acquiring and handing over {sessions:N0} sessions one claim per cycle takes minutes on this store) | | | | | | | | |"));
                    continue;
                }

                foreach (var crash in new[] { false, true })
                {
                    var scoped = location.WithScope($"ho{sessions}{(crash ? "k" : "t")}_{Guid.NewGuid():N}");
                    Outcome outcome;
                    try
                    {
                        outcome = await MeasureAsync(gateway, scoped, sessions, crash, settings, deadline);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {location.Kind} | {sessions:N0} | not measured: instance A did not come to own every session within {deadline.TotalSeconds:0} s ({ex.Message}) | | | | | | | |"));
                        continue;
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {location.Kind} | {sessions:N0} | {(crash ? "SIGKILL (crash)" : "SIGTERM (graceful)")} | {outcome.OwnedAtSignal} | {Ms(outcome.First)} | {Ms(outcome.Half)} | {Ms(outcome.All)}{outcome.Note} | {(crash ? "none" : Ms(outcome.Stop))} | {outcome.Cycles} | {Ms(outcome.Acquired)} |"));
                }
            }
        }
    }

    /// <summary>Instance A, in the child process: owns every session, prints "owned", and stops gracefully on SIGTERM.</summary>
    public static async Task RunOwnerAsync(int sessions, HandoverSettings settings)
    {
        var gateway = new Uri(Environment.GetEnvironmentVariable(GatewayVariable) ?? throw new InvalidOperationException($"{GatewayVariable} is not set."));
        await using var opened = await SessionStoreLocation.FromEnvironment().OpenAsync();
        var processor = NewProcessor(opened.Store, gateway, sessions, settings, "A");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true; // stop gracefully below instead of the runtime's default exit
            stop.TrySetResult();
        });
        var starting = Stopwatch.GetTimestamp();
        await processor.StartAsync();
        while (processor.OwnedSessions.Count < sessions)
        {
            await Task.Delay(1);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"owned {Stopwatch.GetElapsedTime(starting).TotalMilliseconds:0.0}"));
        await stop.Task;
        var stopping = Stopwatch.GetTimestamp();
        await processor.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped {Stopwatch.GetElapsedTime(stopping).TotalMilliseconds:0.0}"));
        await processor.DisposeAsync();
    }

    private static async Task<Outcome> MeasureAsync(TestGateway gateway, SessionStoreLocation location, int sessions, bool crash, HandoverSettings settings, TimeSpan deadline)
    {
        var environment = new Dictionary<string, string>(location.ToEnvironment()) { [GatewayVariable] = gateway.Url.ToString() };
        using var owner = ThroughputRun.StartChild(string.Create(CultureInfo.InvariantCulture,
            $"handover-owner --sessions {sessions} --lease-ms {settings.LeaseDuration.TotalMilliseconds} --renew-ms {settings.RenewInterval.TotalMilliseconds} --balance-ms {settings.BalanceInterval.TotalMilliseconds}"), environment);
        try
        {
            TimeSpan acquired;
            using (var limit = new CancellationTokenSource(deadline))
            {
                var line = await owner.StandardOutput.ReadLineAsync(limit.Token);
                if (line is null || !line.StartsWith("owned ", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Instance A did not come to own {sessions} sessions: '{line}'.");
                }

                acquired = TimeSpan.FromMilliseconds(double.Parse(line["owned ".Length..], CultureInfo.InvariantCulture));
            }

            await using var opened = await location.OpenAsync();
            var cycles = new CycleCountingStore(opened.Store);
            var taker = NewProcessor(cycles, gateway.Url, sessions, settings, "B");
            await taker.StartAsync();
            try
            {
                var ownedAtSignal = taker.OwnedSessions.Count;
                var cyclesAtSignal = cycles.Listings;
                var signalled = Stopwatch.GetTimestamp();
                if (crash)
                {
                    owner.Kill();
                }
                else
                {
                    _ = kill(owner.Id, SigTerm);
                }

                TimeSpan? first = null, half = null, all = null;
                var end = signalled + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < end)
                {
                    var owned = taker.OwnedSessions.Count;
                    var now = Stopwatch.GetElapsedTime(signalled);
                    first ??= owned > ownedAtSignal ? now : null;
                    half ??= owned * 2 >= sessions ? now : null;
                    if (owned == sessions)
                    {
                        all = now;
                        break;
                    }

                    await Task.Delay(1);
                }

                var cyclesTaken = cycles.Listings - cyclesAtSignal;
                TimeSpan? stop = null;
                if (!crash)
                {
                    using var limit = new CancellationTokenSource(deadline);
                    var line = await owner.StandardOutput.ReadLineAsync(limit.Token);
                    stop = line is not null && line.StartsWith("stopped ", StringComparison.Ordinal)
                        ? TimeSpan.FromMilliseconds(double.Parse(line["stopped ".Length..], CultureInfo.InvariantCulture))
                        : null;
                }

                var note = all is null ? string.Create(CultureInfo.InvariantCulture, $" (not within {deadline.TotalSeconds:0} s: {taker.OwnedSessions.Count:N0} owned)") : string.Empty;
                return new Outcome(acquired, ownedAtSignal, first, half, all, stop, cyclesTaken, note);
            }
            finally
            {
                await taker.StopAsync();
            }
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill();
            }

            await owner.WaitForExitAsync();
        }
    }

    private static GatewaySessionProcessor NewProcessor(ISessionStore store, Uri gateway, int sessions, HandoverSettings settings, string name)
    {
        var definitions = Enumerable.Range(0, sessions).Select(i => new GatewaySessionDefinition(
            $"session-{i:D4}",
            (_, resumeFrom) => new GatewayClientOptions { Url = gateway, AgentId = "bench", ResumeFrom = resumeFrom }));
        return new GatewaySessionProcessor(store, definitions, new GatewaySessionProcessorOptions
        {
            OwnerId = $"{name}-{Environment.ProcessId}",
            LeaseDuration = settings.LeaseDuration,
            RenewInterval = settings.RenewInterval,
            BalanceInterval = settings.BalanceInterval,
        })
        {
            EventHandler = _ => Task.CompletedTask,
        };
    }

    private static string Ms(TimeSpan? value) =>
        value is { } v ? v.TotalMilliseconds.ToString(v.TotalMilliseconds >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture) + " ms" : "—";

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private sealed record Outcome(TimeSpan Acquired, int OwnedAtSignal, TimeSpan? First, TimeSpan? Half, TimeSpan? All, TimeSpan? Stop, long Cycles, string Note);
}

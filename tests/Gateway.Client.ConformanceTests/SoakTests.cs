using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Xunit.Abstractions;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// A seeded soak: many numbered events through TestGateway while random faults hit the connection
/// (abrupt drop, close codes, truncated frame, half-open stall, restart keeping or losing history,
/// eviction while away, rejection, drain). The consumer's view must have no duplicate, no reorder,
/// and every hole reported with its exact range. The CI form is short; set SOAK_EVENTS, SOAK_FAULTS
/// and SOAK_SEED for a longer run (for example SOAK_EVENTS=2000000 SOAK_FAULTS=5000).
/// </summary>
[Collection(SerialCollection.Name)]
public class SoakTests
{
    private readonly ITestOutputHelper _output;

    public SoakTests(ITestOutputHelper output) => _output = output;

    private enum Fault
    {
        Drop,
        Close,
        Truncate,
        Stall,
        RestartKeep,
        RestartLose,
        EvictWhileAway,
        Reject,
        Drain,
    }

    [Fact]
    public async Task Seeded_soak_delivers_every_event_once_in_order_or_reports_it_missing()
    {
        var events = Harness.Setting("SOAK_EVENTS", 100_000);
        var faults = Harness.Setting("SOAK_FAULTS", 300);
        var seed = Harness.Setting("SOAK_SEED", 20261121);
        var random = new Random(seed);
        var injected = new Dictionary<Fault, int>();

        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { RetentionWindow = 2_000, EnableHeartbeat = false });
        // The publisher below saturates two cores; without spare pool threads, timer callbacks and socket
        // continuations queue behind it and the run measures thread injection rather than the client.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100); // a stall is detected in ~200-300 ms of real time
            o.EventBufferCapacity = 256;
        }));
        var consumer = new SoakConsumer(client);
        await client.ConnectAsync(Harness.Deadline());
        var sessionId = client.Session!.SessionId;
        var session = gateway.GetSession(sessionId);
        using var unobserved = new UnobservedTaskExceptions();
        var atStart = ProcessFootprint.Take();
        ProcessFootprint? warm = null;
        var warmUpRounds = Math.Max(1, faults / 10);
        var clock = Stopwatch.StartNew();

        // Each round: a stretch of events, a fault on the newest connection, a few events while the client
        // is away (so the resume has something to replay), then wait for a newer handshake. Counting
        // server handshakes keeps the rounds in step even if something else also made the client reconnect.
        var perRound = Math.Max(1, events / Math.Max(1, faults));
        var data = new JsonObject { ["text"] = new string('x', 200) };
        var published = 0;
        var history = new List<Fault>();
        var reconnectsWhenWarm = 0L;
        for (var round = 0; round < faults; round++)
        {
            if (round == warmUpRounds)
            {
                // Pools, JIT and the gateway's first sessions settle in the first rounds: flatness is judged from here.
                warm = ProcessFootprint.Take();
                reconnectsWhenWarm = client.Statistics.Reconnects;
            }

            for (var i = 0; i < perRound; i++, published++)
            {
                await session.PublishAsync("message", data, EnvelopeShape.Flat);
            }

            var fault = (Fault)random.Next(Enum.GetValues<Fault>().Length);
            injected[fault] = injected.GetValueOrDefault(fault) + 1;
            history.Add(fault);
            var handshakes = gateway.Handshakes;
            await InjectAsync(fault, gateway, session, handshakes[^1], random);
            for (var i = random.Next(0, 40); i > 0; i--, published++)
            {
                await session.PublishAsync("message", data, EnvelopeShape.Flat);
            }

            try
            {
                await gateway.WaitForHandshakeAsync(handshakes.Count + 1, Harness.Deadline());
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Round {round} ({string.Join(",", history.TakeLast(5))}): no reconnect. Client {client.State}; " +
                    string.Join("; ", gateway.Connections.Select(c => $"#{c.Id}{(c.Session is null ? "" : " bound")}{(c.IsOpen ? " open" : "")}{(c.IsStalled ? " stalled" : "")}")));
            }
        }

        await client.ReadAsync(0, Harness.Deadline());
        var states = new StateRecorder(client);
        if (client.State != ConnectionState.Connected)
        {
            await states.WaitForAsync(ConnectionState.Connected);
        }

        // Settle: one last event everyone must see, on a healthy connection.
        await gateway.PublishUnnumberedAsync(sessionId, new JsonObject { ["type"] = "soak_end" });
        var end = session.Head + 1;
        await session.PublishAsync("message", data, EnvelopeShape.Flat);
        await consumer.WaitForAsync(end, TimeSpan.FromSeconds(120));
        clock.Stop();

        var report = consumer.Verify();
        var stats = client.Statistics;
        var atEnd = ProcessFootprint.Take();
        warm ??= atStart;
        var unobservedExceptions = unobserved.Collect();
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: {published} events, {faults} faults in {clock.Elapsed.TotalSeconds:0.0} s"));
        _output.WriteLine("faults: " + string.Join(", ", injected.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}")));
        _output.WriteLine($"delivered {report.Delivered}, reported missing {report.Missing} in {report.Gaps} gaps ({string.Join(", ", report.GapReasons.Select(r => $"{r.Key} {r.Value}"))}), " +
                          $"duplicates dropped {stats.DuplicatesDropped}, reconnects {stats.Reconnects}, replayed {stats.EventsReplayed}");
        _output.WriteLine($"at start: {atStart}");
        _output.WriteLine($"after {warmUpRounds} warm-up rounds: {warm}");
        _output.WriteLine($"at the end: {atEnd}");
        var reconnectsSinceWarm = Math.Max(1, stats.Reconnects - reconnectsWhenWarm);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"growth since warm-up: {(atEnd.ManagedBytes - warm.ManagedBytes) / 1024.0:0.0} KiB over {reconnectsSinceWarm} reconnects ({(atEnd.ManagedBytes - warm.ManagedBytes) / (double)reconnectsSinceWarm:0} bytes each, the gateway's record of each connection included), {atEnd.Handles - warm.Handles:+0;-0;0} handles, {atEnd.Threads - warm.Threads:+0;-0;0} threads"));
        _output.WriteLine($"unobserved task exceptions: {unobservedExceptions.Count}");

        Assert.Empty(report.Violations);
        Assert.Empty(unobservedExceptions);

        // Flat: handles do not grow with faults, and the heap grows only by the gateway's record of each
        // connection (a few KiB; FootprintTests shows the client's own share does not grow at all).
        Assert.InRange(atEnd.Handles - warm.Handles, int.MinValue, 16);
        Assert.InRange((atEnd.ManagedBytes - warm.ManagedBytes) / reconnectsSinceWarm, long.MinValue, 16 * 1024);
        Assert.True(stats.Reconnects >= faults * 9 / 10, $"only {stats.Reconnects} reconnects for {faults} faults: the faults did not bite");
        Assert.True(report.Delivered + report.Missing >= published / 2, "the consumer saw too little of what was published");
        // Every gap has a cause: one reset per restart that lost history, at most one window gap per eviction
        // while away (the eviction can lose the race with a fast reconnect), and nothing else.
        Assert.Equal(0, report.GapReasons.GetValueOrDefault(GapReason.SequenceJump));
        Assert.Equal(injected.GetValueOrDefault(Fault.RestartLose), report.GapReasons.GetValueOrDefault(GapReason.ServerReset));
        Assert.InRange(report.GapReasons.GetValueOrDefault(GapReason.ReplayWindowExceeded), 0, injected.GetValueOrDefault(Fault.EvictWhileAway));
        Assert.Equal(0, report.GapReasons.GetValueOrDefault(GapReason.SessionLost));
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    private static async Task InjectAsync(Fault fault, TestGateway gateway, TestSession session, TestConnection live, Random random)
    {
        switch (fault)
        {
            case Fault.Drop:
                live.Drop();
                break;
            case Fault.Close:
                var codes = new[] { 1000, 1001, 1013, 4001, 4002, 4008, 4029 };
                await live.CloseAsync(codes[random.Next(codes.Length)], "soak");

                break;
            case Fault.Truncate:
                live.Stall();
                await session.PublishAsync("message", new JsonObject { ["text"] = "truncated" }, EnvelopeShape.Flat);
                var json = session.Retained[^1].Json;
                await live.SendTruncatedFrameAsync(json, random.Next(1, json.Length));

                break;
            case Fault.Stall:
                live.Stall();
                break;
            case Fault.RestartKeep:
                await gateway.RestartAsync(RestartMode.KeepHistory);
                break;
            case Fault.RestartLose:
                await gateway.RestartAsync(RestartMode.LoseHistory);
                break;
            case Fault.EvictWhileAway:
                gateway.DelayNextHandshake(TimeSpan.FromMilliseconds(20));
                live.Drop();
                for (var i = 0; i < 30; i++)
                {
                    await session.PublishAsync("message", new JsonObject { ["text"] = "while away" }, EnvelopeShape.Flat);
                }

                session.EvictThrough(session.Head - 5);
                break;
            case Fault.Reject:
                gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "soak"));
                live.Drop();
                break;
            case Fault.Drain:
                await gateway.SendDrainNoticeAsync();
                break;
        }
    }

    /// <summary>
    /// The app: reads everything and checks each item against the contract as it arrives, keeping only
    /// counters, so the soak's own memory stays flat and the heap figures speak for the client.
    /// </summary>
    private sealed class SoakConsumer
    {
        private readonly SoakReport _report = new();
        private readonly Task _loop;
        private readonly object _gate = new();
        private long? _previous;
        private GapInfo? _pendingGap;
        private long _last;
        private TaskCompletionSource? _waiter;
        private long _waitFor;

        public SoakConsumer(GatewayClient client)
        {
            client.OnGap((gap, _) =>
            {
                lock (_gate)
                {
                    OnGap(gap);
                }

                return Task.CompletedTask;
            });
            _loop = Task.Run(async () =>
            {
                await foreach (var e in client.ReadEventsAsync(Harness.Deadline(600)))
                {
                    if (e.Sequence is not { } seq)
                    {
                        continue;
                    }

                    lock (_gate)
                    {
                        OnEvent(seq);
                        _last = seq;
                        if (_waiter is not null && seq >= _waitFor)
                        {
                            _waiter.TrySetResult();
                        }
                    }
                }
            });
        }

        public Task WaitForAsync(long sequence, TimeSpan timeout)
        {
            lock (_gate)
            {
                // After a server reset the numbering restarts, so wait for this exact number as the latest.
                _waitFor = sequence;
                _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_last >= sequence)
                {
                    _waiter.TrySetResult();
                }

                return Task.WhenAny(_waiter.Task, _loop).Unwrap().WaitAsync(timeout);
            }
        }

        public SoakReport Verify()
        {
            lock (_gate)
            {
                return _report;
            }
        }

        private void OnGap(GapInfo gap)
        {
            _report.Gaps++;
            _report.GapReasons[gap.Reason] = _report.GapReasons.GetValueOrDefault(gap.Reason) + 1;
            _report.Missing += gap.MissingCount ?? 0;
            if (gap.Received is not null && _previous is { } p && gap.Expected != p + 1)
            {
                Violation($"gap {gap} does not start right after #{p}");
            }

            _pendingGap = gap;
        }

        private void OnEvent(long seq)
        {
            _report.Delivered++;
            if (_previous is { } prev)
            {
                if (_pendingGap is { Received: null })
                {
                    // The numbering was reset: anything may follow.
                }
                else if (_pendingGap is { Received: { } received })
                {
                    if (seq != received)
                    {
                        Violation($"after {_pendingGap} came #{seq}");
                    }
                }
                else if (seq <= prev)
                {
                    Violation($"#{seq} after #{prev}: duplicate or reorder");
                }
                else if (seq != prev + 1)
                {
                    Violation($"#{prev + 1}..#{seq - 1} missing without a gap report");
                }
            }

            _previous = seq;
            _pendingGap = null;
        }

        private void Violation(string what)
        {
            if (_report.Violations.Count < 20)
            {
                _report.Violations.Add(what);
            }
        }
    }

    private sealed class SoakReport
    {
        public long Delivered { get; set; }

        public long Missing { get; set; }

        public int Gaps { get; set; }

        public Dictionary<GapReason, int> GapReasons { get; } = new();

        public List<string> Violations { get; } = new();
    }
}

using System.Diagnostics;
using System.Globalization;
using Gateway.Client.Testing;
using Xunit.Abstractions;

namespace Gateway.Client.FleetTests;

/// <summary>
/// The fleet test (issue 27): worker processes share the sessions of one <see cref="TestGateway"/> that keeps publishing,
/// through one store. Four start and balance; one is killed (SIGKILL) mid-stream while its handlers hold events not yet
/// checkpointed; one is paused (SIGSTOP) the same way until its leases ran out and the others took its sessions, then
/// resumed (SIGCONT), so its checkpoints of the held events come late; a fifth joins; one stops gracefully (SIGTERM).
/// Then publishing stops, and once every session is checkpointed at its last event, <see cref="FleetVerdict"/> judges
/// the journals. Real time and real processes: every wait is on a condition (the workers' lines, their journals, the
/// store's leases and checkpoints), polled briefly and bounded.
/// </summary>
internal sealed class FleetScenario : IAsyncDisposable
{
    private const int SessionCount = 40;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(30);

    private readonly FleetStore _store;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"gateway-fleet-{Guid.NewGuid():N}");
    private readonly List<WorkerProcess> _workers = new();
    private readonly string[] _sessions = Enumerable.Range(1, SessionCount).Select(i => $"fleet-{i:00}").ToArray();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TestGateway? _gateway;
    private Publisher? _publisher;

    public FleetScenario(FleetStore store, ITestOutputHelper output)
    {
        _store = store;
        _output = output;
        Directory.CreateDirectory(_directory);
    }

    public async Task RunAsync()
    {
        var gateway = _gateway = await TestGateway.StartAsync(new TestGatewayOptions
        {
            RetentionWindow = 1_000_000, // every event stays replayable: a new owner resumes from any checkpoint
        });
        await CreateSessionsAsync(gateway);
        var publisher = _publisher = new Publisher(gateway, _sessions, pause: TimeSpan.FromMilliseconds(100), rounds: 3000);
        publisher.Start();

        var (w1, w2, w3, w4) = (StartWorker("w1"), StartWorker("w2"), StartWorker("w3"), StartWorker("w4"));
        await StepAsync("4 workers started and balanced", async () =>
        {
            await Task.WhenAll(_workers.Select(w => w.Ready)).WaitAsync(StepLimit);
            await WaitForOwnershipAsync([w1, w2, w3, w4]);
        });

        await StepAsync("w1 killed (SIGKILL) mid-stream holding events, its sessions taken over", async () =>
        {
            // Killed with an event of each of its sessions handled and not checkpointed: each must be handled again.
            await HoldAsync(w1);
            var before = publisher.Published;
            w1.Kill();
            await w1.WaitForExitAsync(StepLimit);
            await WaitUntilAsync(() => publisher.Published > before ? null : "nothing published since the kill");
            await WaitForOwnershipAsync([w2, w3, w4]);
        });

        await StepAsync("w3 paused (SIGSTOP) holding events, past its leases, then resumed (SIGCONT)", async () =>
        {
            await HoldAsync(w3);
            w3.Pause();
            // Its leases run out while it cannot renew them, and the others take its sessions.
            await WaitForOwnershipAsync([w2, w4]);
            File.Delete(w3.HoldPath);
            w3.Resume();
            // Its handlers go on to checkpoint the held events: late, so refused.
            await WaitUntilAsync(() =>
            {
                var journal = WorkerJournal.Read(w3.Name, w3.JournalPath);
                var late = journal.Held.Count(held => !journal.Rejected.Contains(held));
                return late == 0 ? null : $"{late} of w3's {journal.Held.Count} held checkpoints not refused yet";
            });
        });

        var w5 = StartWorker("w5");
        await StepAsync("w5 joined, w3 back, balanced", async () =>
        {
            await w5.Ready.WaitAsync(StepLimit);
            await WaitForOwnershipAsync([w2, w3, w4, w5]);
        });

        await StepAsync("w2 stopped gracefully (SIGTERM), its sessions handed over", async () =>
        {
            w2.Terminate();
            var exitCode = await w2.WaitForExitAsync(StepLimit);
            Assert.True(exitCode == 0, $"w2 exited with {exitCode} after SIGTERM\n{w2.Tail()}");
            await WaitForOwnershipAsync([w3, w4, w5]);
        });

        var published = await StepAsync("publishing stopped, every session checkpointed at its last event", async () =>
        {
            var heads = await publisher.StopAsync();
            // The owners caught up: whatever they resumed from, they handled up to the last event and checkpointed it.
            await WaitUntilAsync(async () =>
            {
                foreach (var (key, head) in heads)
                {
                    var checkpoint = await _store.View.ReadCheckpointAsync(key, CancellationToken.None);
                    if (checkpoint?.Position.Sequence != head)
                    {
                        return $"{key} is checkpointed at {checkpoint?.Position.Sequence.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, its last event is {head}";
                    }
                }

                return null;
            });
            // Exactly one live worker owns each session, by the store and by the workers' own account.
            await WaitForOwnershipAsync([w3, w4, w5]);
            return heads;
        });

        var verdict = FleetVerdict.Judge(published, Journals(), killed: w1.Name, paused: w3.Name, graceful: w2.Name);
        _output.WriteLine($"{_store.Kind}: the fleet ran {_clock.Elapsed.TotalSeconds:0.0} s");
        _output.WriteLine(verdict.ToString());
        Assert.True(verdict.Problems.Count == 0, string.Join("\n", verdict.Problems.Take(30)) + "\n" + verdict);
    }

    public async ValueTask DisposeAsync()
    {
        // The workers first, whatever state they are in (a paused one too), then what they used.
        await Task.WhenAll(_workers.Select(w => w.DisposeAsync().AsTask()));
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The gateway's sessions exist before any worker resumes them (a resume of an unknown session would be a new one): a
    /// client asking for each by its key makes it, then goes.
    /// </summary>
    private async Task CreateSessionsAsync(TestGateway gateway)
    {
        await Task.WhenAll(_sessions.Select(async key =>
        {
            var options = new GatewayClientOptions { Url = gateway.Url, AgentId = "fleet", ResumeFrom = new GatewayResumePoint(key, null, 0) };
            options.Reconnect.Enabled = false;
            await using var client = new GatewayClient(options);
            using var limit = new CancellationTokenSource(StepLimit);
            await client.ConnectAsync(limit.Token);
        }));
        Assert.All(_sessions, key => Assert.NotNull(gateway.FindSession(key)));
    }

    private WorkerProcess StartWorker(string name)
    {
        var worker = WorkerProcess.Start(name, Path.Combine(_directory, name),
        [
            "--store", _store.Kind,
            "--connection", _store.Connection,
            "--namespace", _store.Namespace,
            "--gateway", _gateway!.Url.ToString(),
            "--sessions", string.Join(',', _sessions),
            "--lease-ms", "3000",
            "--renew-ms", "1000",
            "--balance-ms", "250",
            "--checkpoint-every", "1",
        ]);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Makes <paramref name="worker"/>'s handlers stall after handling an event, and waits until each of its sessions has one in hand.</summary>
    private static async Task HoldAsync(WorkerProcess worker)
    {
        var owned = worker.Owned.Count;
        await File.WriteAllTextAsync(worker.HoldPath, "hold");
        await WaitUntilAsync(() => WorkerJournal.Read(worker.Name, worker.JournalPath).Held.Count is var held && held >= owned
            ? null
            : $"{worker.Name} holds an event in {held} of its {owned} sessions");
    }

    private IReadOnlyList<WorkerJournal> Journals() => _workers.Select(w => WorkerJournal.Read(w.Name, w.JournalPath)).ToArray();

    private Task StepAsync(string name, Func<Task> step) => StepAsync(name, async () =>
    {
        await step();
        return true;
    });

    /// <summary>Runs one step of the scenario, and says how long it took; a step that times out says where every worker was.</summary>
    private async Task<T> StepAsync<T>(string name, Func<Task<T>> step)
    {
        var started = _clock.Elapsed;
        T result;
        try
        {
            result = await step();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{_store.Kind} fleet, step '{name}': {e.Message}\n{string.Join("\n", _workers.Select(w => w.Tail()))}", e);
        }

        _output.WriteLine($"{_clock.Elapsed.TotalSeconds,5:0.0} s  {name} ({(_clock.Elapsed - started).TotalSeconds:0.0} s; {_publisher?.Published} events published)");
        return result;
    }

    /// <summary>
    /// Waits until each session has a live lease held by one of <paramref name="live"/>, each of them holds its fair share
    /// (the session count over theirs, rounded down or up), and each says it owns exactly the sessions the store gives it.
    /// </summary>
    private Task WaitForOwnershipAsync(IReadOnlyList<WorkerProcess> live) => WaitUntilAsync(async () =>
    {
        var leases = (await _store.View.ListLeasesAsync(CancellationToken.None)).ToDictionary(l => l.SessionKey, StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        var names = live.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _sessions)
        {
            if (!leases.TryGetValue(key, out var lease) || !lease.IsLive(now) || !names.Contains(lease.OwnerId))
            {
                return $"{key} is not held by a live worker of {string.Join(",", names)}: {(lease?.ToString() ?? "no lease")}";
            }
        }

        var share = SessionCount / live.Count;
        foreach (var worker in live)
        {
            var held = _sessions.Where(key => leases[key].OwnerId == worker.Name).ToHashSet(StringComparer.Ordinal);
            if (held.Count < share || held.Count > share + (SessionCount % live.Count == 0 ? 0 : 1))
            {
                return $"{worker.Name} holds {held.Count} sessions, not its share of {share}";
            }

            if (!held.SetEquals(worker.Owned))
            {
                return $"{worker.Name} says it owns {worker.Owned.Count} sessions, the store gives it {held.Count}";
            }
        }

        return null;
    });

    private static Task WaitUntilAsync(Func<string?> problem) => WaitUntilAsync(() => Task.FromResult(problem()));

    /// <summary>Polls <paramref name="problem"/> (null: done) every <see cref="Poll"/> until done, or throws after <see cref="StepLimit"/> with the last problem.</summary>
    private static async Task WaitUntilAsync(Func<Task<string?>> problem)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var last = await problem();
            if (last is null)
            {
                return;
            }

            if (deadline.Elapsed > StepLimit)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"still after {StepLimit.TotalSeconds:0} s: {last}"));
            }

            await Task.Delay(Poll);
        }
    }
}

using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Client.Sessions;
using Gateway.Client.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.SessionTests;

/// <summary>
/// The processor where it is easy to get wrong: a close that outlives its timeout or its caller, a session in back-off,
/// a store outage, the checkpoint lag after a resume. Each test failed before its fix (found by a review).
/// </summary>
public sealed class GatewaySessionProcessorRobustnessTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<GatewaySessionProcessor> _processors = [];
    private readonly List<TaskCompletionSource> _release = [];
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var held in _release)
        {
            held.TrySetResult();
        }

        foreach (var processor in _processors)
        {
            await processor.DisposeAsync();
        }

        await _gateway.DisposeAsync();
    }

    private GatewaySessionProcessor Processor(ISessionStore store, string owner, string[] keys, int checkpointEvery = 1)
    {
        var processor = new GatewaySessionProcessor(
            store,
            keys.Select(key => new GatewaySessionDefinition(key, (definition, start) => new GatewayClientOptions { Url = _gateway.Url, AgentId = "agent", ResumeFrom = start ?? new GatewayResumePoint(definition.Key, null, 0) })),
            new GatewaySessionProcessorOptions
            {
                OwnerId = owner,
                LeaseDuration = Lease,
                RenewInterval = TimeSpan.FromSeconds(10),
                BalanceInterval = TimeSpan.FromSeconds(10),
                CheckpointEvery = checkpointEvery,
                ClosingTimeout = TimeSpan.FromSeconds(5),
                TimeProvider = _time,
            });
        _processors.Add(processor);
        return processor;
    }

    // A session whose event in hand outlasts ClosingTimeout: its lease is released on time, and its close still runs to
    // the end afterwards (the closing handler), with a lost-lease token that can still be read.

    private async Task<(Channel<SessionCloseReason> Closed, Func<Exception?> TokenRead)> StopWhileAnEventOutlastsTheClosingTimeoutAsync()
    {
        var store = new InMemorySessionStore(_time);
        var processor = Processor(store, "a", ["s1"]);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release.Add(resume);
        Exception? tokenRead = null;
        var closed = Channel.CreateUnbounded<SessionCloseReason>();
        processor.EventHandler = async args =>
        {
            entered.TrySetResult();
            await resume.Task; // a slow event (a database call that ignores the token, say)
            try
            {
                _ = args.CancellationToken.IsCancellationRequested; // as the docs' handler does before CheckpointAsync
            }
            catch (Exception ex)
            {
                tokenRead = ex;
            }

            done.TrySetResult();
        };
        processor.ClosingHandler = args =>
        {
            closed.Writer.TryWrite(args.Reason);
            return Task.CompletedTask;
        };

        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);
        await _gateway.WaitForHandshakeAsync().WaitAsync(Wait);
        await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = 1 });
        await entered.Task.WaitAsync(Wait);

        var stop = processor.StopAsync();
        _time.Advance(TimeSpan.FromSeconds(5)); // the closing timeout: the lease is released anyway (by design)
        await stop.WaitAsync(Wait);

        resume.SetResult(); // the event in hand finishes after the release
        await done.Task.WaitAsync(Wait);
        return (closed, () => tokenRead);
    }

    [Fact]
    public async Task The_closing_handler_still_runs_when_the_event_in_hand_outlasts_the_closing_timeout()
    {
        var (closed, _) = await StopWhileAnEventOutlastsTheClosingTimeoutAsync();

        Assert.Equal(SessionCloseReason.Shutdown, await closed.Reader.ReadAsync().AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Reading_the_lost_token_after_the_lease_was_released_on_a_closing_timeout_does_not_throw()
    {
        var (_, tokenRead) = await StopWhileAnEventOutlastsTheClosingTimeoutAsync();

        Assert.Null(tokenRead());
    }

    // A StopAsync whose token fires while a session's event is in hand: the session's close goes on without the caller,
    // so its GatewayClient is disposed anyway.

    [Fact]
    public async Task A_cancelled_stop_still_closes_the_sessions_client()
    {
        var store = new InMemorySessionStore(_time);
        var processor = Processor(store, "a", ["s1"]);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release.Add(resume);
        processor.EventHandler = async _ =>
        {
            entered.TrySetResult();
            await resume.Task;
        };

        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);
        var connection = await _gateway.WaitForHandshakeAsync().WaitAsync(Wait);
        await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = 1 });
        await entered.Task.WaitAsync(Wait);

        using var shutdown = new CancellationTokenSource();
        var stop = processor.StopAsync(shutdown.Token);
        shutdown.Cancel(); // the host's shutdown timeout
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stop.WaitAsync(Wait));

        resume.SetResult();
        _time.Advance(Lease); // the lease lapses too
        await processor.DisposeAsync();

        await connection.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_stop_closes_the_sessions_client()
    {
        var store = new InMemorySessionStore(_time);
        var processor = Processor(store, "a", ["s1"]);
        processor.EventHandler = _ => Task.CompletedTask;
        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);
        var connection = await _gateway.WaitForHandshakeAsync().WaitAsync(Wait);
        await processor.StopAsync();
        await connection.Closed.WaitAsync(Wait);
    }

    // A session in local back-off that sits released in the store (a handover, so picked first) must not starve the rest.

    [Fact]
    public async Task A_session_in_back_off_does_not_stop_the_cycle_from_claiming_the_others()
    {
        var store = new InMemorySessionStore(_time);
        var seed = await store.TryClaimAsync("s0", "x", Lease, null, CancellationToken.None); // s0 failed elsewhere (or here) and was given back
        Assert.True(await store.ReleaseAsync(seed!, CancellationToken.None));
        var cycle = new OwnershipCycle(store, ["s0", "s1", "s2", "s3"], "a", Lease, _time, new NullRunner(), new Random(3))
        {
            CanClaim = key => key != "s0", // s0 is in this instance's back-off
        };

        for (var i = 0; i < 3; i++)
        {
            await cycle.RunCycleAsync(CancellationToken.None);
        }

        Assert.Equal(3, cycle.Owned.Count); // s1, s2, s3, one per cycle, while s0 waits out its back-off
    }

    // A lost lease closes its session without a renewal round of every other lease: in a store outage that would be
    // about N²/2 calls to the failing store when the deadlines pass.

    [Fact]
    public async Task Leases_lost_in_a_store_outage_do_not_renew_every_other_lease_once_per_loss()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"k{i}").ToArray();
        var store = new FlakyStore(new InMemorySessionStore(_time));
        var cycle = new OwnershipCycle(store, keys, "a", Lease, _time, new NullRunner(), new Random(3), claimsPerCycle: keys.Length);
        var errors = 0;
        cycle.OnError = (_, _, _) => Interlocked.Increment(ref errors);
        cycle.Start(renewInterval: TimeSpan.FromSeconds(10), balanceInterval: TimeSpan.FromSeconds(100));
        _time.Advance(TimeSpan.Zero);
        Assert.Equal(keys.Length, cycle.Owned.Count);

        _time.Advance(TimeSpan.FromSeconds(10)); // one successful renewal round: every deadline is now 40 s
        store.FailRenewals = true;
        _time.Advance(TimeSpan.FromSeconds(25)); // failing rounds at 20 and 30
        int Renewals()
        {
            lock (store.Calls)
            {
                return store.Calls.Count(c => c.StartsWith("renew", StringComparison.Ordinal));
            }
        }

        var before = Renewals();
        _time.Advance(TimeSpan.FromSeconds(5)); // 40 s: every deadline passes; no renew tick is due (next at 50 s)

        Assert.Empty(cycle.Owned);
        Assert.True(Renewals() - before <= keys.Length, $"{Renewals() - before} renew calls to a failing store when the deadlines passed ({errors} errors reported)");
        await cycle.StopAsync(CancellationToken.None);
    }

    // The checkpoint lag gauge counts marks not yet written, not sequence numbers (a resumed session has a history).

    [Fact]
    public async Task The_checkpoint_lag_counts_the_events_marked_since_the_last_write_not_the_sequence()
    {
        var owner = "lag-" + Guid.NewGuid().ToString("N");
        var store = new InMemorySessionStore(_time);
        await using (var seed = new GatewayClient(new GatewayClientOptions { Url = _gateway.Url, AgentId = "agent", ResumeFrom = new GatewayResumePoint("s1", null, 0) }))
        {
            await seed.ConnectAsync().WaitAsync(Wait);
            for (var i = 1; i <= 50; i++)
            {
                await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = i });
            }
        }

        var epoch = _gateway.GetSession("s1").Epoch;
        var lease = await store.TryClaimAsync("s1", "seed", TimeSpan.FromSeconds(1), null, CancellationToken.None);
        await store.WriteCheckpointAsync(lease!, new GatewayResumePoint("s1", epoch, 48), CancellationToken.None);
        await store.ReleaseAsync(lease!, CancellationToken.None);

        var processor = Processor(store, owner, ["s1"], checkpointEvery: 100);
        var handled = Channel.CreateUnbounded<long>();
        processor.EventHandler = async args =>
        {
            await args.CheckpointAsync();
            handled.Writer.TryWrite(args.Event.Sequence ?? -1);
        };
        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);
        Assert.Equal(49, await handled.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(50, await handled.Reader.ReadAsync().AsTask().WaitAsync(Wait));

        long? lag = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayClientTelemetry.MeterName && instrument.Name == "gateway.processor.checkpoint.lag")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gateway.processor.owner" && Equals(tag.Value, owner))
                {
                    lag = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(2L, lag); // two events marked (49, 50), none written yet
    }

    private sealed class NullRunner : ISessionRunner
    {
        public Task StartAsync(LeaseKeeper keeper, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CloseAsync(LeaseKeeper keeper, SessionCloseReason reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

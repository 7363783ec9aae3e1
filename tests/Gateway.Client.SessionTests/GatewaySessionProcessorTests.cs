using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Client.Sessions;
using Gateway.Client.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.SessionTests;

/// <summary>
/// The public processor end to end on one instance (or two): a real <see cref="GatewayClient"/> per owned session against a
/// <see cref="TestGateway"/>, the in-memory store, and the processor on a fake clock (balancing, renewals and lease
/// deadlines move only when the test advances it). Every wait on the sockets is awaited on a signal, bounded.
/// </summary>
public sealed class GatewaySessionProcessorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Balance = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<GatewaySessionProcessor> _processors = [];
    private readonly Channel<(string Key, long Sequence)> _handled = Channel.CreateUnbounded<(string, long)>();
    private readonly Channel<GatewaySessionErrorEventArgs> _errors = Channel.CreateUnbounded<GatewaySessionErrorEventArgs>();
    private readonly List<TaskCompletionSource> _release = [];
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var held in _release)
        {
            held.TrySetResult(); // a failed test never leaves a handler waiting, so the processors stop
        }

        foreach (var processor in _processors)
        {
            await processor.DisposeAsync();
        }

        await _gateway.DisposeAsync();
    }

    private GatewaySessionDefinition Definition(string key) =>
        new(key, (definition, start) => new GatewayClientOptions { Url = _gateway.Url, AgentId = "agent", ResumeFrom = start ?? new GatewayResumePoint(definition.Key, null, 0) });

    private GatewaySessionProcessorOptions Options(string owner, int checkpointEvery = 1) => new()
    {
        OwnerId = owner,
        LeaseDuration = Lease,
        RenewInterval = TimeSpan.FromSeconds(10),
        BalanceInterval = Balance,
        CheckpointEvery = checkpointEvery,
        ClosingTimeout = TimeSpan.FromSeconds(5),
        TimeProvider = _time,
    };

    private GatewaySessionProcessor Processor(ISessionStore store, string owner, IEnumerable<string> keys, int checkpointEvery = 1, bool checkpoint = true)
    {
        var processor = new GatewaySessionProcessor(store, keys.Select(Definition), Options(owner, checkpointEvery))
        {
            EventHandler = async args =>
            {
                if (checkpoint)
                {
                    await args.CheckpointAsync();
                }

                _handled.Writer.TryWrite((args.SessionKey, args.Event.Sequence ?? -1));
            },
            ErrorHandler = args =>
            {
                _errors.Writer.TryWrite(args);
                return Task.CompletedTask;
            },
        };
        _processors.Add(processor);
        return processor;
    }

    private async Task<(string Key, long Sequence)> NextHandledAsync() => await _handled.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    private async Task<GatewaySessionErrorEventArgs> NextErrorAsync(string operation)
    {
        while (true)
        {
            var error = await _errors.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            if (error.Operation == operation)
            {
                return error;
            }
        }
    }

    /// <summary>Creates the gateway session <paramref name="key"/> with <paramref name="count"/> retained events; returns its epoch.</summary>
    private async Task<string> SeedSessionAsync(string key, int count)
    {
        await using (var seed = new GatewayClient(new GatewayClientOptions { Url = _gateway.Url, AgentId = "agent", ResumeFrom = new GatewayResumePoint(key, null, 0) }))
        {
            await seed.ConnectAsync().WaitAsync(Wait);
            for (var i = 1; i <= count; i++)
            {
                await _gateway.PublishAsync(key, "tick", new JsonObject { ["n"] = i });
            }
        }

        return _gateway.GetSession(key).Epoch;
    }

    private static async Task WriteCheckpointAsync(ISessionStore store, string key, GatewayResumePoint position)
    {
        var lease = await store.TryClaimAsync(key, "seed", TimeSpan.FromSeconds(1), null, CancellationToken.None);
        await store.WriteCheckpointAsync(lease!, position, CancellationToken.None);
        Assert.True(await store.ReleaseAsync(lease!, CancellationToken.None));
    }

    private async Task<IReadOnlyList<SessionLease>> LiveAsync(ISessionStore store) =>
        (await store.ListLeasesAsync(CancellationToken.None)).Where(l => l.IsLive(_time.GetUtcNow())).ToList();

    [Fact]
    public async Task It_claims_one_session_per_cycle_and_hands_each_sessions_events_to_the_handler_with_a_checkpoint_per_event()
    {
        var store = new InMemorySessionStore(_time);
        var processor = Processor(store, "a", ["s1", "s2"]);
        await processor.StartAsync();

        _time.Advance(TimeSpan.Zero);
        Assert.Single(processor.OwnedSessions);
        _time.Advance(Balance);
        Assert.Equal(["s1", "s2"], processor.OwnedSessions.OrderBy(k => k));
        await _gateway.WaitForHandshakeAsync(2).WaitAsync(Wait);

        await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = 1 });
        Assert.Equal(("s1", 1L), await NextHandledAsync());
        await _gateway.PublishAsync("s2", "tick", new JsonObject { ["n"] = 1 });
        await _gateway.PublishAsync("s2", "tick", new JsonObject { ["n"] = 2 });
        Assert.Equal(("s2", 1L), await NextHandledAsync());
        Assert.Equal(("s2", 2L), await NextHandledAsync());

        Assert.Equal(1, (await store.ReadCheckpointAsync("s1", CancellationToken.None))!.Position.Sequence);
        Assert.Equal(2, (await store.ReadCheckpointAsync("s2", CancellationToken.None))!.Position.Sequence);
        Assert.All(await LiveAsync(store), l => Assert.Equal("a", l.OwnerId));
    }

    [Fact]
    public async Task A_session_resumes_after_its_checkpoint_and_the_initializing_handler_is_not_asked()
    {
        var store = new InMemorySessionStore(_time);
        var epoch = await SeedSessionAsync("s1", 5);
        await WriteCheckpointAsync(store, "s1", new GatewayResumePoint("s1", epoch, 3));
        var processor = Processor(store, "a", ["s1"]);
        var initialized = 0;
        processor.InitializingHandler = _ =>
        {
            Interlocked.Increment(ref initialized);
            return Task.CompletedTask;
        };

        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);

        Assert.Equal(("s1", 4L), await NextHandledAsync());
        Assert.Equal(("s1", 5L), await NextHandledAsync());
        Assert.Equal(0, Volatile.Read(ref initialized));
        Assert.Equal(5, (await store.ReadCheckpointAsync("s1", CancellationToken.None))!.Position.Sequence);
    }

    [Fact]
    public async Task Without_a_checkpoint_the_initializing_handler_chooses_where_the_session_starts()
    {
        var store = new InMemorySessionStore(_time);
        var epoch = await SeedSessionAsync("s1", 4);
        var processor = Processor(store, "a", ["s1"]);
        var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        processor.InitializingHandler = args =>
        {
            asked.TrySetResult(args.SessionKey);
            args.StartFrom = new GatewayResumePoint("s1", epoch, 2);
            return Task.CompletedTask;
        };

        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);

        Assert.Equal("s1", await asked.Task.WaitAsync(Wait));
        Assert.Equal(("s1", 3L), await NextHandledAsync());
        Assert.Equal(("s1", 4L), await NextHandledAsync());
    }

    [Fact]
    public async Task A_graceful_stop_flushes_the_batched_checkpoint_runs_the_closing_handler_on_a_held_lease_then_releases_it_for_the_next_cycle_of_another()
    {
        var store = new InMemorySessionStore(_time);
        var a = Processor(store, "a", ["s1"], checkpointEvery: 100);
        GatewayResumePoint? checkpointSeenWhileClosing = null;
        SessionLease? leaseSeenWhileClosing = null;
        SessionCloseReason? reason = null;
        a.ClosingHandler = async args =>
        {
            reason = args.Reason;
            checkpointSeenWhileClosing = (await store.ReadCheckpointAsync("s1", CancellationToken.None))?.Position;
            leaseSeenWhileClosing = (await LiveAsync(store)).SingleOrDefault();
        };
        await a.StartAsync();
        _time.Advance(TimeSpan.Zero);
        await _gateway.WaitForHandshakeAsync().WaitAsync(Wait);
        for (var i = 1; i <= 3; i++)
        {
            await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = i });
            await NextHandledAsync();
        }

        Assert.Null(await store.ReadCheckpointAsync("s1", CancellationToken.None)); // batched: 3 of 100

        await a.StopAsync();

        Assert.Equal(SessionCloseReason.Shutdown, reason);
        Assert.Equal(3, checkpointSeenWhileClosing!.Sequence);
        Assert.Equal("a", leaseSeenWhileClosing!.OwnerId);
        Assert.Empty(await LiveAsync(store));
        Assert.False(a.IsRunning);

        var b = Processor(store, "b", ["s1"]);
        await b.StartAsync();
        _time.Advance(TimeSpan.Zero); // no time passed: claimed on b's first cycle, not after a lease expiry
        Assert.Equal(["s1"], b.OwnedSessions);
        await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = 4 });
        Assert.Equal(("s1", 4L), await NextHandledAsync()); // resumed after 3: nothing handled twice
    }

    [Fact]
    public async Task A_session_taken_by_another_owner_fires_the_handlers_token_closes_with_OwnershipLost_and_the_late_checkpoint_is_refused_by_the_store()
    {
        var store = new FlakyStore(new InMemorySessionStore(_time));
        var holding = new TaskCompletionSource<GatewaySessionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateCheckpoint = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource<SessionCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Processor(store, "a", ["s1"]);
        _release.Add(resume);
        var seen = new List<long>();
        a.EventHandler = async args =>
        {
            lock (seen)
            {
                seen.Add(args.Event.Sequence ?? -1);
            }

            holding.TrySetResult(args);
            await resume.Task; // a worker paused while another takes its session
            try
            {
                await args.CheckpointAsync();
                lateCheckpoint.TrySetResult(null);
            }
            catch (Exception ex)
            {
                lateCheckpoint.TrySetResult(ex);
                throw;
            }
        };
        a.ClosingHandler = args =>
        {
            closed.TrySetResult(args.Reason);
            return Task.CompletedTask;
        };
        await a.StartAsync();
        _time.Advance(TimeSpan.Zero);
        await _gateway.WaitForHandshakeAsync().WaitAsync(Wait);
        for (var i = 1; i <= 3; i++)
        {
            await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = i }); // 2 and 3 wait in the client's buffer
        }

        var args = await holding.Task.WaitAsync(Wait);
        Assert.False(args.CancellationToken.IsCancellationRequested);
        var held = Assert.Single(await LiveAsync(store));
        Assert.Equal(held.Token, args.Lease.Token); // the fencing token, for a checkpoint the app writes in its own transaction

        var b = await store.TryClaimAsync("s1", "b", Lease, held, CancellationToken.None); // b takes it while a's handler is paused
        Assert.NotNull(b);
        _time.Advance(TimeSpan.FromSeconds(10)); // a's next renewal is refused
        Assert.True(args.CancellationToken.IsCancellationRequested);
        Assert.Empty(a.OwnedSessions);

        resume.SetResult();
        var refused = await lateCheckpoint.Task.WaitAsync(Wait);
        Assert.IsType<SessionOwnershipLostException>(refused);
        Assert.IsType<SessionOwnershipLostException>((await NextErrorAsync("checkpoint")).Exception);
        Assert.Equal(SessionCloseReason.OwnershipLost, await closed.Task.WaitAsync(Wait));
        lock (seen)
        {
            Assert.Equal([1L], seen); // the buffered events of a lost session are never handed out
        }

        Assert.Null(await store.ReadCheckpointAsync("s1", CancellationToken.None));
        await a.StopAsync();
        Assert.DoesNotContain(store.Calls, c => c == "release s1 a"); // not a's to release
    }

    [Fact]
    public async Task A_session_that_fails_to_start_is_reported_given_back_and_left_alone_for_a_back_off()
    {
        var store = new FlakyStore(new InMemorySessionStore(_time));
        var attempts = 0;
        var processor = new GatewaySessionProcessor(
            store,
            [new GatewaySessionDefinition("bad", (_, _) => throw new InvalidOperationException($"no gateway for attempt {Interlocked.Increment(ref attempts)}"))],
            Options("a"))
        {
            EventHandler = _ => Task.CompletedTask,
            ErrorHandler = args =>
            {
                _errors.Writer.TryWrite(args);
                return Task.CompletedTask;
            },
        };
        _processors.Add(processor);
        var closed = Channel.CreateUnbounded<SessionCloseReason>();
        processor.ClosingHandler = args =>
        {
            closed.Writer.TryWrite(args.Reason);
            return Task.CompletedTask;
        };
        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);

        var error = await NextErrorAsync("start");
        Assert.Equal("bad", error.SessionKey);
        Assert.Contains("attempt 1", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(SessionCloseReason.Failed, await closed.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        await store.WaitForCallAsync("release bad a").WaitAsync(Wait);
        Assert.Empty(await LiveAsync(store));

        _time.Advance(Balance); // within the back-off (two cycles): left to other instances
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.Equal(1, store.Calls.Count(c => c == "claim bad a"));

        _time.Advance(Balance);
        Assert.Contains("attempt 2", (await NextErrorAsync("start")).Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_handler_that_throws_is_reported_and_the_next_event_still_comes()
    {
        var store = new InMemorySessionStore(_time);
        var processor = Processor(store, "a", ["s1"]);
        processor.EventHandler = args =>
        {
            if (args.Event.Sequence == 1)
            {
                throw new FormatException("cannot handle 1");
            }

            _handled.Writer.TryWrite((args.SessionKey, args.Event.Sequence ?? -1));
            return Task.CompletedTask;
        };
        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);
        await _gateway.WaitForHandshakeAsync().WaitAsync(Wait);
        await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = 1 });
        await _gateway.PublishAsync("s1", "tick", new JsonObject { ["n"] = 2 });

        var error = await NextErrorAsync("event");
        Assert.IsType<FormatException>(error.Exception);
        Assert.Equal("s1", error.SessionKey);
        Assert.Equal(("s1", 2L), await NextHandledAsync());
    }

    [Fact]
    public async Task The_error_handler_is_called_one_failure_at_a_time_in_order()
    {
        var store = new FlakyStore(new InMemorySessionStore(_time));
        var processor = Processor(store, "a", ["s1"]);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release.Add(first);
        var calls = Channel.CreateUnbounded<string>();
        var inFlight = 0;
        var overlapped = false;
        processor.ErrorHandler = async args =>
        {
            if (Interlocked.Increment(ref inFlight) > 1)
            {
                overlapped = true;
            }

            calls.Writer.TryWrite(args.Operation + " " + args.Exception.Message);
            if (args.Exception.Message == "unreachable 1")
            {
                await first.Task;
            }

            Interlocked.Decrement(ref inFlight);
        };
        await processor.StartAsync();
        _time.Advance(TimeSpan.Zero);
        var failures = 0;
        store.FailRenewalsWith = () => new SessionStoreException($"unreachable {Interlocked.Increment(ref failures)}");
        _time.Advance(TimeSpan.FromSeconds(10)); // two renew ticks: two failed renewals
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("renew unreachable 1", await calls.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.False(calls.Reader.TryRead(out _)); // the second waits for the first
        first.SetResult();
        Assert.Equal("renew unreachable 2", await calls.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.False(overlapped);
    }

    [Fact]
    public async Task Claims_steals_owned_sessions_and_lost_leases_are_measured_per_owner()
    {
        var owner = "metrics-" + Guid.NewGuid().ToString("N");
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayClientTelemetry.MeterName && instrument.Name.StartsWith("gateway.processor.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gateway.processor.owner" && Equals(tag.Value, owner))
                {
                    lock (measured)
                    {
                        measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        });
        listener.Start();

        var store = new InMemorySessionStore(_time);
        var a = Processor(store, owner, ["s1", "s2"]);
        await a.StartAsync();
        _time.Advance(TimeSpan.Zero);
        _time.Advance(Balance);
        var b = Processor(store, "b", ["s1", "s2"]);
        await b.StartAsync();
        _time.Advance(TimeSpan.Zero); // b steals one of a's two
        _time.Advance(Balance); // a's renewal is refused: lost

        lock (measured)
        {
            Assert.Equal(2, measured["gateway.processor.claims"]);
            Assert.Equal(1, measured["gateway.processor.sessions.owned"]);
            Assert.Equal(1, measured["gateway.processor.leases.lost"]);
            Assert.False(measured.ContainsKey("gateway.processor.steals"));
        }

        Assert.Single(a.OwnedSessions);
        Assert.Single(b.OwnedSessions);
    }

    [Fact]
    public async Task It_refuses_a_set_without_sessions_a_repeated_key_a_start_without_an_event_handler_and_handler_changes_while_running()
    {
        var store = new InMemorySessionStore(_time);
        Assert.Throws<ArgumentException>(() => new GatewaySessionProcessor(store, []));
        Assert.Throws<ArgumentException>(() => new GatewaySessionProcessor(store, [Definition("s1"), Definition("s1")]));
        Assert.Throws<InvalidOperationException>(() => new GatewaySessionProcessor(store, [Definition("s1")], new GatewaySessionProcessorOptions { LeaseDuration = TimeSpan.FromSeconds(10), RenewInterval = TimeSpan.FromSeconds(5) }));

        var processor = new GatewaySessionProcessor(store, [Definition("s1")], Options("a"));
        _processors.Add(processor);
        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.StartAsync());
        processor.EventHandler = _ => Task.CompletedTask;
        await processor.StartAsync();
        Assert.Throws<InvalidOperationException>(() => processor.EventHandler = _ => Task.CompletedTask);
        await processor.StopAsync();
        processor.EventHandler = _ => Task.CompletedTask; // stopped: allowed again
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;
using Xunit.Abstractions;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Races, each repeated (RACE_ITERATIONS, default 1,000) with seeded timing: dispose during connect,
/// during replay, with a full buffer and during the app's gap handler; concurrent sends; cancelling a
/// read or a connect. Every operation must finish within a bound (no deadlock), dispose must never
/// throw, no send may be lost or doubled, and no task exception may go unobserved.
/// </summary>
[Collection(SerialCollection.Name)]
public class RaceTests
{
    private const int ReplayLength = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;

    public RaceTests(ITestOutputHelper output) => _output = output;

    private static int Iterations => Harness.Setting("RACE_ITERATIONS", 1_000);

    [Fact]
    public async Task Dispose_during_connect_never_throws_hangs_or_leaves_a_socket_open()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        using var unobserved = new UnobservedTaskExceptions();
        var random = new Random(1);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Iterations; i++)
        {
            var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
            {
                Harness.ImmediateReconnect(o);
                Tag(o, i);
            }));
            var accepted = gateway.Connections.Count;
            var connect = client.ConnectAsync();
            var stage = i % 5;
            switch (stage)
            {
                case 1: // the server has the socket; the upgrade answer may be on its way
                    await Within(ConnectionOfAsync(gateway, accepted, i), $"#{i}: accept");
                    break;
                case 2: // the hello is at the server; its answer may be on its way
                    var connection = await Within(ConnectionOfAsync(gateway, accepted, i), $"#{i}: accept");
                    await Within(connection.WaitForFrameAsync("hello"), $"#{i}: hello");
                    break;
                case 3: // from another thread, after a seeded pause: anywhere in the connect
                    var spins = random.Next(0, 50_000);
                    await Task.Run(() => Thread.SpinWait(spins));
                    break;
                case 4:
                    await Within(connect, $"#{i}: connect");
                    break;
            }

            await Within(client.DisposeAsync().AsTask(), $"#{i} (stage {stage}): DisposeAsync");
            var outcome = await OutcomeOf(connect, $"#{i} (stage {stage}): ConnectAsync");
            Assert.True(
                outcome is "connected" or nameof(OperationCanceledException) or nameof(TaskCanceledException) or nameof(GatewayConnectionException),
                $"#{i} (stage {stage}): ConnectAsync ended with {outcome}");
            Assert.Equal(ConnectionState.Disconnected, client.State);
            outcomes[$"stage {stage}: {outcome}"] = outcomes.GetValueOrDefault($"stage {stage}: {outcome}") + 1;
        }

        // Every socket the client opened was closed or aborted: the server saw each one end.
        await Within(Task.WhenAll(gateway.Connections.Select(c => c.Closed)), "the server seeing every connection end");
        Assert.Empty(unobserved.Collect());
        _output.WriteLine(string.Join(Environment.NewLine, outcomes.Select(o => $"{o.Key}: {o.Value}")));
    }

    [Fact]
    public async Task Dispose_during_replay_keeps_what_was_delivered_in_order_and_ends_the_stream()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var sessionId = await SessionWithHistoryAsync(gateway, evictThrough: 0);
        using var unobserved = new UnobservedTaskExceptions();
        var random = new Random(2);
        var deliveredInAll = 0L;
        for (var i = 0; i < Iterations; i++)
        {
            await using var client = new GatewayClient(ResumeFromStart(gateway, sessionId));
            var stopAfter = random.Next(0, ReplayLength + 1);
            var reachedStop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var seen = new List<long>();
            if (stopAfter == 0)
            {
                reachedStop.SetResult();
            }

            var connect = client.ConnectAsync(); // called first (reading needs that), answered while the consumer starts
            var events = client.ReadEventsAsync();
            var consumer = Task.Run(async () =>
            {
                await foreach (var e in events)
                {
                    if (e.Sequence is not { } sequence)
                    {
                        continue; // the resume's unnumbered notices
                    }

                    seen.Add(sequence);
                    if (seen.Count == stopAfter)
                    {
                        reachedStop.SetResult();
                    }
                }
            });

            await Within(reachedStop.Task, $"#{i}: reading {stopAfter} replayed events");
            await Within(client.DisposeAsync().AsTask(), $"#{i}: DisposeAsync");
            await Within(consumer, $"#{i}: the consumer's enumeration ending");
            var outcome = await OutcomeOf(connect, $"#{i}: ConnectAsync");

            Assert.True(outcome is "connected" or nameof(OperationCanceledException) or nameof(TaskCanceledException) or nameof(GatewayConnectionException), $"#{i}: ConnectAsync ended with {outcome}");
            Assert.True(seen.Count >= stopAfter, $"#{i}: {seen.Count} events delivered, {stopAfter} expected at least");
            Assert.Equal(Enumerable.Range(1, seen.Count).Select(n => (long)n), seen); // no hole, no duplicate, no reorder
            deliveredInAll += seen.Count;
        }

        Assert.Empty(unobserved.Collect());
        _output.WriteLine($"{Iterations} disposals during replay; {deliveredInAll} events delivered in all");
    }

    [Fact]
    public async Task Dispose_while_the_buffer_is_full_does_not_deadlock_and_the_buffered_events_stay_readable()
    {
        const int capacity = 4;
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var sessionId = await SessionWithHistoryAsync(gateway, evictThrough: 0);
        using var unobserved = new UnobservedTaskExceptions();
        for (var i = 0; i < Iterations; i++)
        {
            // A close timeout past the bound: a dispose that waited it out (the receive loop stuck behind
            // the full buffer, unable to read the server's close) fails the test instead of passing slowly.
            await using var client = new GatewayClient(ResumeFromStart(gateway, sessionId, o =>
            {
                o.EventBufferCapacity = capacity;
                o.CloseTimeout = TimeSpan.FromMinutes(5);
            }));
            var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.Buffer.WriterWaiting += () => full.TrySetResult();

            // The enumeration is opened before dispose (afterwards ReadEventsAsync refuses) but not read yet; it needs
            // ConnectAsync called, not finished.
            var connect = client.ConnectAsync();
            await using var reader = client.ReadEventsAsync().GetAsyncEnumerator();
            await Within(connect, $"#{i}: ConnectAsync");
            await Within(full.Task, $"#{i}: the buffer filling");
            await Within(client.DisposeAsync().AsTask(), $"#{i}: DisposeAsync with a full buffer");

            var seen = new List<long>();
            while (await Within(reader.MoveNextAsync().AsTask(), $"#{i}: reading after dispose"))
            {
                if (reader.Current.Sequence is { } sequence)
                {
                    seen.Add(sequence);
                }
            }

            // The buffer held `capacity` events; the one the receive loop was holding may or may not have made it.
            Assert.InRange(seen.Count, capacity, capacity + 1);
            Assert.Equal(Enumerable.Range(1, seen.Count).Select(n => (long)n), seen);
        }

        Assert.Empty(unobserved.Collect());
    }

    [Fact]
    public async Task Dispose_during_the_apps_gap_handler_does_not_wait_for_it_and_ends_the_stream()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        var sessionId = await SessionWithHistoryAsync(gateway, evictThrough: 10);
        using var unobserved = new UnobservedTaskExceptions();
        var handlerCancelled = 0;
        for (var i = 0; i < Iterations; i++)
        {
            await using var client = new GatewayClient(ResumeFromStart(gateway, sessionId));
            var honoursToken = i % 2 == 0;
            var entered = new TaskCompletionSource<GapInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.OnGap(async (gap, ct) =>
            {
                entered.TrySetResult(gap);
                if (honoursToken)
                {
                    await Harness.UntilCancelledAsync(ct);
                }
                else
                {
                    await release.Task; // an app that ignores the token: dispose must not wait for it
                }
            });
            var seen = new List<long>();
            var connect = client.ConnectAsync(); // called before the read (which needs that), awaited after the consumer starts
            var events = client.ReadEventsAsync();
            var consumer = Task.Run(async () =>
            {
                await foreach (var e in events)
                {
                    if (e.Sequence is { } sequence)
                    {
                        seen.Add(sequence);
                    }
                }
            });
            await Within(connect, $"#{i}: ConnectAsync");

            var gap = await Within(entered.Task, $"#{i}: the gap handler starting");
            await Within(client.DisposeAsync().AsTask(), $"#{i}: DisposeAsync during OnGap");
            release.SetResult();
            await Within(consumer, $"#{i}: the consumer's enumeration ending");

            Assert.Equal((1L, 11L), (gap.Expected, gap.Received));
            if (honoursToken)
            {
                // Cancelled by the disposal: nothing after the hole reached an app that could not resync.
                Assert.Empty(seen);
                handlerCancelled++;
            }
            else
            {
                // The handler returned normally: what was buffered after the hole is still delivered, in order.
                Assert.Equal(Enumerable.Range(11, seen.Count).Select(n => (long)n), seen);
            }
        }

        Assert.Empty(unobserved.Collect());
        _output.WriteLine($"{handlerCancelled} handlers stopped by their token, {Iterations - handlerCancelled} returned after dispose");
    }

    [Fact]
    public async Task Concurrent_sends_from_many_tasks_arrive_exactly_once_and_whole_even_across_reconnects()
    {
        const int tasks = 8;
        const int perTask = 2;
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, Harness.ImmediateReconnect));
        var states = new StateRecorder(client);
        using var unobserved = new UnobservedTaskExceptions();
        await client.ConnectAsync(Harness.Deadline());
        var reconnects = 0;
        for (var i = 0; i < Iterations; i++)
        {
            if (i % 50 == 25)
            {
                // Sends made while reconnecting wait for the new connection and go out once.
                (await gateway.WaitForHandshakeAsync(reconnects + 1)).Drop();
                reconnects++;
                await Within(states.WaitForAsync(ConnectionState.Reconnecting, reconnects), $"#{i}: reconnecting");
            }

            var iteration = i;
            await Within(
                Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
                {
                    for (var k = 0; k < perTask; k++)
                    {
                        await client.SendAsync(Frame($"{iteration}-{t}-{k}"));
                    }
                }))),
                $"#{i}: {tasks} tasks sending");

            // Frames on one connection arrive in order: once the marker is there, the iteration's frames are too.
            var current = await gateway.WaitForHandshakeAsync(reconnects + 1);
            await client.SendAsync(Frame($"{iteration}-end"));
            await Within(current.WaitForFrameAsync(f => Id(f) == $"{iteration}-end"), $"#{i}: the marker arriving");
        }

        var received = gateway.Connections
            .SelectMany(c => c.ReceivedFrames.Where(f => f.GetProperty("type").GetString() == "note").Select((f, index) => (Connection: c.Id, Index: index, Id: Id(f)!)))
            .ToList();
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count()); // nothing doubled
        var expected = Enumerable.Range(0, Iterations).SelectMany(i => Enumerable.Range(0, tasks).SelectMany(t => Enumerable.Range(0, perTask).Select(k => $"{i}-{t}-{k}")).Append($"{i}-end"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), received.Select(r => r.Id).Order(StringComparer.Ordinal)); // nothing lost
        var at = received.ToDictionary(r => r.Id, r => (r.Connection, r.Index), StringComparer.Ordinal);
        for (var i = 0; i < Iterations; i++)
        {
            for (var t = 0; t < tasks; t++)
            {
                Assert.True(at[$"{i}-{t}-0"].CompareTo(at[$"{i}-{t}-1"]) < 0, $"task {t} of #{i}: its two sends arrived out of order");
            }
        }

        Assert.Equal(reconnects + 1, gateway.Handshakes.Count);
        Assert.Empty(unobserved.Collect());
    }

    [Fact]
    public async Task Cancelling_a_read_ends_it_at_once_and_frees_the_stream_for_the_next_reader()
    {
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false });
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        using var unobserved = new UnobservedTaskExceptions();
        await client.ConnectAsync(Harness.Deadline());
        var random = new Random(3);
        for (var i = 0; i < Iterations; i++)
        {
            using var cancel = new CancellationTokenSource();
            await using var reader = client.ReadEventsAsync(cancel.Token).GetAsyncEnumerator();
            var next = reader.MoveNextAsync().AsTask();
            if (i % 2 == 1)
            {
                var spins = random.Next(0, 20_000);
                await Task.Run(() => Thread.SpinWait(spins));
            }

            cancel.Cancel();

            // Nothing else will ever arrive: only the cancellation can end this wait.
            var outcome = await OutcomeOf(next, $"#{i}: the cancelled read");
            Assert.True(outcome is nameof(OperationCanceledException) or nameof(TaskCanceledException), $"#{i}: the read ended with {outcome}");
        }

        // The stream is intact: the next event reaches the next reader.
        await gateway.PublishMessagesAsync(client.Session!.SessionId, "after");
        var events = await client.ReadAsync(1, Harness.Deadline());
        Assert.Equal(1, events[0].Sequence);
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Empty(unobserved.Collect());
    }

    [Fact]
    public async Task Cancelling_a_connect_stops_it_at_once_closes_the_socket_and_leaves_the_client_reusable()
    {
        // A server that never answers hello, and a client clock that never moves: nothing but the
        // cancellation can end the connect.
        await using var gateway = await TestGateway.StartAsync(new TestGatewayOptions { EnableHeartbeat = false, LegacyOnly = true, LegacyHelloBehavior = LegacyHelloBehavior.Ignore });
        var clock = new ObservableFakeTimeProvider();
        var iteration = 0;
        await using var client = new GatewayClient(Harness.OptionsFor(gateway, o =>
        {
            o.TimeProvider = clock;
            o.AllowLegacyHandshake = false;
            o.ConfigureWebSocket = socket => socket.SetRequestHeader(IterationHeader, Volatile.Read(ref iteration).ToString(CultureInfo.InvariantCulture));
        }));
        using var unobserved = new UnobservedTaskExceptions();
        var random = new Random(4);
        for (var i = 0; i < Iterations; i++)
        {
            Volatile.Write(ref iteration, i);
            using var cancel = new CancellationTokenSource();
            var accepted = gateway.Connections.Count;
            var connect = client.ConnectAsync(cancel.Token);
            if (i % 2 == 0)
            {
                var connection = await Within(ConnectionOfAsync(gateway, accepted, i), $"#{i}: accept");
                await Within(connection.WaitForFrameAsync("hello"), $"#{i}: hello");
            }
            else
            {
                var spins = random.Next(0, 50_000);
                await Task.Run(() => Thread.SpinWait(spins));
            }

            cancel.Cancel();
            var outcome = await OutcomeOf(connect, $"#{i}: the cancelled connect");
            Assert.True(outcome is nameof(OperationCanceledException) or nameof(TaskCanceledException), $"#{i}: ConnectAsync ended with {outcome}");
            Assert.Equal(ConnectionState.Disconnected, client.State);
        }

        await Within(Task.WhenAll(gateway.Connections.Select(c => c.Closed)), "the server seeing every connection end");
        Assert.Empty(unobserved.Collect());
    }

    private const string IterationHeader = "x-race-iteration";

    /// <summary>Marks an iteration's sockets, so a late socket of an earlier iteration is never mistaken for this one's.</summary>
    private static void Tag(GatewayClientOptions options, int iteration) =>
        options.ConfigureWebSocket = socket => socket.SetRequestHeader(IterationHeader, iteration.ToString(CultureInfo.InvariantCulture));

    /// <summary>The first connection after the <paramref name="seen"/> already accepted that carries this iteration's tag.</summary>
    private static async Task<TestConnection> ConnectionOfAsync(TestGateway gateway, int seen, int iteration)
    {
        var tag = iteration.ToString(CultureInfo.InvariantCulture);
        for (var ordinal = seen + 1; ; ordinal++)
        {
            var connection = await gateway.WaitForConnectionAsync(ordinal);
            if (connection.Headers.TryGetValue(IterationHeader, out var value) && value == tag)
            {
                return connection;
            }
        }
    }

    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        await Within((Task)task, what);
        return await task;
    }

    private static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what} did not finish within {Bound.TotalSeconds} s: a deadlock.");
        }
    }

    /// <summary>How a task ended: "connected" (ran to completion) or its exception's type name.</summary>
    private static async Task<string> OutcomeOf(Task task, string what)
    {
        try
        {
            await Within(task, what);
            return "connected";
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>A session whose history holds events 1..50, the first <paramref name="evictThrough"/> evicted.</summary>
    private static async Task<string> SessionWithHistoryAsync(TestGateway gateway, long evictThrough)
    {
        await using var seeder = new GatewayClient(Harness.OptionsFor(gateway));
        await seeder.ConnectAsync(Harness.Deadline());
        var sessionId = seeder.Session!.SessionId;
        await seeder.DisconnectAsync(Harness.Deadline());
        var data = new JsonObject { ["text"] = "replayed" };
        for (var n = 0; n < ReplayLength; n++)
        {
            await gateway.PublishAsync(sessionId, "message", data, EnvelopeShape.Flat);
        }

        if (evictThrough > 0)
        {
            gateway.EvictHistory(sessionId, evictThrough);
        }

        return sessionId;
    }

    private static GatewayClientOptions ResumeFromStart(TestGateway gateway, string sessionId, Action<GatewayClientOptions>? configure = null) =>
        Harness.OptionsFor(gateway, o =>
        {
            Harness.ImmediateReconnect(o);
            o.ResumeFrom = new GatewayResumePoint(sessionId, null, 0);
            configure?.Invoke(o);
        });

    private static JsonElement Frame(string id) => JsonSerializer.SerializeToElement(new { type = "note", id });

    private static string? Id(JsonElement frame) =>
        frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
}

using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// How the app's handlers are registered, removed, and what their failures and tokens do (docs/callbacks.md): each
/// registration removed by disposing it, also while handlers run; a throwing OnStateChanged handler logged and
/// harmless; their token fired by dispose; and only changes of state reported, each attempt in the logs instead.
/// </summary>
public class CallbackRegistrationTests
{
    [Fact]
    public async Task Null_handlers_are_refused()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));

        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => client.OnStateChanged(null!)).ParamName);
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => client.OnGap(null!)).ParamName);
    }

    [Fact]
    public async Task A_state_handler_removed_before_or_while_handlers_run_is_not_called_from_then_on_and_removing_twice_does_nothing()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway));
        var heard = new List<string>();
        IDisposable? removedByFirst = null;
        using var first = client.OnStateChanged((e, _) =>
        {
            heard.Add("first " + e.Current);
            removedByFirst!.Dispose(); // while this transition's handlers run: the later one is skipped already
            return Task.CompletedTask;
        });
        removedByFirst = client.OnStateChanged((e, _) =>
        {
            heard.Add("removed while running " + e.Current);
            return Task.CompletedTask;
        });
        var removedBefore = client.OnStateChanged((e, _) =>
        {
            heard.Add("removed before " + e.Current);
            return Task.CompletedTask;
        });
        using var last = client.OnStateChanged((e, _) =>
        {
            heard.Add("last " + e.Current);
            return Task.CompletedTask;
        });
        removedBefore.Dispose();
        removedBefore.Dispose();

        await client.ConnectAsync(Harness.Deadline());
        removedByFirst.Dispose();

        Assert.Equal(new[] { "first Connecting", "last Connecting", "first Connected", "last Connected" }, heard);
    }

    [Fact]
    public async Task A_gap_handler_removed_while_a_gap_is_handled_is_not_called_from_then_on()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var log = new List<string>();
        IDisposable? second = null;
        IDisposable? first = null;
        first = client.OnGap((gap, _) =>
        {
            log.Add("first " + gap.Expected);
            second!.Dispose(); // a later handler, during this gap
            first!.Dispose();  // and itself
            first.Dispose();
            return Task.CompletedTask;
        });
        second = client.OnGap((gap, _) =>
        {
            log.Add("second " + gap.Expected);
            return Task.CompletedTask;
        });
        using var third = client.OnGap((gap, _) =>
        {
            log.Add("third " + gap.Expected);
            return Task.CompletedTask;
        });

        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        foreach (var seq in new[] { 1, 5, 9 })
        {
            await connection.SendTextAsync($$"""{"type":"message","seq":{{seq}}}""");
        }

        await foreach (var e in client.ReadEventsAsync(Harness.Deadline()))
        {
            log.Add("event " + e.Sequence);
            if (e.Sequence == 9)
            {
                break;
            }
        }

        Assert.Equal(new[] { "event 1", "first 2", "third 2", "event 5", "third 6", "event 9" }, log);
    }

    [Fact]
    public async Task A_gap_handlers_token_fires_when_the_enumeration_is_cancelled()
    {
        await using var s = await Scenario.StartAsync();
        var (gateway, client, _) = s;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnGap(async (_, ct) =>
        {
            waiting.TrySetResult();
            try
            {
                await Harness.UntilCancelledAsync(ct);
            }
            catch (Exception ex)
            {
                ended.TrySetResult(ex);
                throw;
            }
        });
        var connection = await gateway.WaitForHandshakeAsync(1, Harness.Deadline());
        await connection.SendTextAsync("""{"type":"message","seq":5}""");
        using var cancel = new CancellationTokenSource();

        var reading = client.ReadAsync(1, cancel.Token);
        await waiting.Task.WaitAsync(Harness.Deadline());
        await cancel.CancelAsync();

        // A bounded wait that fails as a TimeoutException (not a cancellation) if the reading never ends.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.IsAssignableFrom<OperationCanceledException>(await ended.Task.WaitAsync(Harness.Deadline()));
    }

    [Fact]
    public async Task A_throwing_state_handler_is_logged_and_the_handlers_after_it_still_run()
    {
        using var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync();
        await using var client = new GatewayClient(Harness.OptionsFor(gateway), logs);
        var heard = new List<ConnectionState>();
        client.OnStateChanged((e, _) => e.Current == ConnectionState.Connecting
            ? throw new InvalidOperationException("handler bug")
            : Task.CompletedTask);
        client.OnStateChanged(async (e, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("async handler bug " + e.Current);
        });
        client.OnStateChanged((e, _) =>
        {
            heard.Add(e.Current);
            return Task.CompletedTask;
        });

        await client.ConnectAsync(Harness.Deadline());

        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(new[] { ConnectionState.Connecting, ConnectionState.Connected }, heard);
        var failures = logs.Entries.Where(e => e.EventId == 14).Select(e => e.Exception!.Message).ToList();
        Assert.Equal(new[] { "handler bug", "async handler bug Connecting", "async handler bug Connected" }, failures);
        Assert.Contains("OnStateChanged, Disconnected -> Connecting", logs.Entries.First(e => e.EventId == 14).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_handlers_token_fires_when_the_client_is_disposed_and_ending_on_it_is_not_an_error()
    {
        // On a clock that never moves, dispose could not give up on the handler: it returns because the token fired.
        var clock = new ObservableFakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        await using var s = await Scenario.StartAsync(new TestGatewayOptions { EnableHeartbeat = false }, o => o.TimeProvider = clock, logs: logs);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.Client.OnStateChanged(async (e, ct) =>
        {
            if (e.Current != ConnectionState.Reconnecting)
            {
                return;
            }

            waiting.TrySetResult();
            try
            {
                await Harness.UntilCancelledAsync(ct); // the app's own work, which honours the token
            }
            catch (Exception ex)
            {
                ended.TrySetResult(ex);
                throw;
            }
        });
        (await s.Gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await waiting.Task.WaitAsync(Harness.Deadline());

        await s.Client.DisposeAsync().AsTask().WaitAsync(Harness.Deadline());

        Assert.IsAssignableFrom<OperationCanceledException>(await ended.Task.WaitAsync(Harness.Deadline()));
        Assert.DoesNotContain(logs.Entries, e => e.EventId is 14 or 21);
    }

    [Fact]
    public async Task Another_attempt_is_no_transition_the_first_Reconnecting_carries_attempt_delay_and_cause_and_each_attempt_is_logged()
    {
        using var logs = new CapturingLoggerProvider();
        await using var s = await Scenario.StartAsync(logs: logs);
        var (gateway, client, states) = s;
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "busy"));
        gateway.RejectNextHandshake(new HandshakeRejection("rate_limited", "still busy"));

        (await gateway.WaitForHandshakeAsync(1, Harness.Deadline())).Drop();
        await states.WaitForAsync(ConnectionState.Connected, 2);
        await client.DisconnectAsync(Harness.Deadline()); // returns after every callback so far, the retry reports among them

        Assert.Equal(
            new[] { "Disconnected->Connecting", "Connecting->Connected", "Connected->Reconnecting", "Reconnecting->Connected", "Connected->Disconnected" },
            states.Transitions.Select(t => $"{t.Previous}->{t.Current}"));
        var reconnecting = states.Transitions[2];
        Assert.Equal((1, TimeSpan.Zero), (reconnecting.Attempt, reconnecting.RetryDelay));
        Assert.NotNull(reconnecting.Cause);

        // The attempts in between: scheduled (the tests' own report) and logged, each with its number and cause.
        var retries = s.Retries.Transitions;
        Assert.Equal(new[] { 1, 2, 3 }, retries.Select(r => r.Attempt));
        Assert.Equal("rate_limited", Assert.IsType<GatewayHandshakeException>(retries[1].Cause).Code);
        Assert.Contains("still busy", Assert.IsType<GatewayHandshakeException>(retries[2].Cause).Message, StringComparison.Ordinal);
        var logged = logs.Entries.Where(e => e.EventId == 19).Select(e => e.Message).ToList();
        Assert.Equal(3, logged.Count);
        Assert.Contains("Attempt=2", logged[1], StringComparison.Ordinal);
        Assert.Contains("Attempt=3", logged[2], StringComparison.Ordinal);
        Assert.Contains("still busy", logged[2], StringComparison.Ordinal);
    }
}

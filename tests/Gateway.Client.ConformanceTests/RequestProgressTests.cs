using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client.Testing;

namespace Gateway.Client.ConformanceTests;

/// <summary>
/// <see cref="GatewayRequestOptions.Progress"/> (docs/callbacks.md): each interim answer reported on the client's
/// callback task, never the receive loop, and a throwing <c>Report</c> logged without failing its request. What each
/// kind means per dialect is in <see cref="OpenClawDialectTests"/> (accepted) and <see cref="PraxisDialectTests"/> (progress).
/// </summary>
public class RequestProgressTests
{
    private static Task<Scenario> StartOpenClawAsync(CapturingLoggerProvider? logs = null) =>
        Scenario.StartAsync(
            new TestGatewayOptions { Dialect = TestGatewayDialect.OpenClaw, Token = "oc-progress-7e1", EnableHeartbeat = false },
            o => o.Dialect = ProtocolDialect.OpenClaw,
            logs: logs);

    private static Task<JsonNode?> Done(JsonElement parameters, CancellationToken cancellationToken) =>
        Task.FromResult<JsonNode?>(new JsonObject { ["status"] = "ok", ["text"] = "done" });

    [Fact]
    public async Task Report_runs_off_the_receive_loop_so_it_may_wait_for_the_answer_that_follows()
    {
        await using var s = await StartOpenClawAsync();
        s.Gateway.RegisterTwoStageMethod("agent", Done);
        var request = new TaskCompletionSource<Task<JsonElement>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answeredWhileReporting = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new InlineProgress<GatewayRequestProgress>(p =>
        {
            // On the receive loop this would wait for ever: the final answer is read by that loop.
            answeredWhileReporting.TrySetResult(request.Task.Result.Wait(TimeSpan.FromSeconds(20)));
        });

        var final = s.Client.RequestAsync("agent", default, new GatewayRequestOptions { ExpectFinal = true, Progress = progress }, Harness.Deadline());
        request.SetResult(final);

        Assert.Equal("done", (await final).GetProperty("text").GetString());
        Assert.True(await answeredWhileReporting.Task.WaitAsync(Harness.Deadline()));
    }

    [Fact]
    public async Task Reports_run_one_at_a_time_with_the_OnStateChanged_handlers_in_the_order_they_arrived()
    {
        var clock = new ObservableFakeTimeProvider();
        var closeTimeout = TimeSpan.FromSeconds(7); // no other timer of this test has it: its timer is the signal
        await using var s = await Scenario.StartAsync(
            new TestGatewayOptions { Dialect = TestGatewayDialect.OpenClaw, Token = "oc-progress-7e1", EnableHeartbeat = false },
            o =>
            {
                o.Dialect = ProtocolDialect.OpenClaw;
                o.TimeProvider = clock;
                o.CloseTimeout = closeTimeout;
            });
        s.Gateway.RegisterTwoStageMethod("agent", Done);
        var log = new List<string>();
        void Add(string entry)
        {
            lock (log)
            {
                log.Add(entry);
            }
        }

        var reporting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var progress = new InlineProgress<GatewayRequestProgress>(p =>
        {
            Add("report " + p.Kind);
            reporting.TrySetResult();
            release.Wait(Harness.Deadline()); // the app's Report is slow
            Add("report done");
        });
        s.Client.OnStateChanged((e, _) =>
        {
            Add("state " + e.Current);
            return Task.CompletedTask;
        });

        try
        {
            await s.Client.RequestAsync("agent", default, new GatewayRequestOptions { ExpectFinal = true, Progress = progress }, Harness.Deadline());
            await reporting.Task.WaitAsync(Harness.Deadline());
            var disconnecting = s.Client.DisconnectAsync(Harness.Deadline());

            // DisconnectAsync waits for its handler, which waits behind the report.
            await clock.WaitForTimerAsync(closeTimeout, Harness.Deadline());
            lock (log)
            {
                Assert.Equal(new[] { "report Accepted" }, log);
            }

            release.Set();
            await disconnecting;
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(new[] { "report Accepted", "report done", "state Disconnected" }, log);
    }

    [Fact]
    public async Task A_throwing_Report_is_logged_and_its_request_still_returns_its_answer()
    {
        using var logs = new CapturingLoggerProvider();
        await using var s = await StartOpenClawAsync(logs);
        s.Gateway.RegisterTwoStageMethod("agent", Done);
        var progress = new InlineProgress<GatewayRequestProgress>(p => throw new InvalidOperationException("report bug: " + p.Kind));

        var answer = await s.Client.RequestAsync("agent", default, new GatewayRequestOptions { ExpectFinal = true, Progress = progress }, Harness.Deadline());
        await s.Client.DisconnectAsync(Harness.Deadline()); // returns after every callback raised so far

        Assert.Equal("done", answer.GetProperty("text").GetString());
        var failure = Assert.Single(logs.Entries, e => e.EventId == 14);
        Assert.Equal("report bug: Accepted", failure.Exception!.Message);
        Assert.Contains("Progress of request 'agent'", failure.Message, StringComparison.Ordinal);
    }
}

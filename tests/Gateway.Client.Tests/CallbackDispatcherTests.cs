using Gateway.Client.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.Tests;

/// <summary>What a callback may do with the dispatcher that runs it, and what the flows it starts may do after it returned.</summary>
public class CallbackDispatcherTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20); // a hang fails the test instead of the run

    [Fact]
    public async Task A_task_a_callback_started_waits_like_anyone_once_the_callback_returned()
    {
        var clock = new FakeTimeProvider();
        var dispatcher = new CallbackDispatcher(NullLogger.Instance, clock);
        var started = new TaskCompletionSource<Func<Task<bool>>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first callback hands out a way to drain from a flow it started (the AsyncLocal flows into it).
        dispatcher.Post("first", _ =>
        {
            started.SetResult(() => Task.Run(() => dispatcher.DrainAsync(DateTimeOffset.MaxValue, CancellationToken.None)));
            return Task.CompletedTask;
        });
        dispatcher.Post("second", async _ =>
        {
            secondRunning.SetResult();
            await releaseSecond.Task;
        });
        var drainFromStartedFlow = await started.Task.WaitAsync(Bound);
        await secondRunning.Task.WaitAsync(Bound);

        var drain = drainFromStartedFlow(); // the first callback has returned: this is an ordinary wait for the second
        await Task.Yield();
        Assert.False(drain.IsCompleted);
        releaseSecond.SetResult();
        Assert.True(await drain.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_callback_that_disposes_its_dispatcher_does_not_wait_for_itself()
    {
        var clock = new FakeTimeProvider(); // never advanced: a wait for the deadline would hang
        var dispatcher = new CallbackDispatcher(NullLogger.Instance, clock);
        var disposed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterRan = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        dispatcher.Post("gives up", async _ => disposed.SetResult(await dispatcher.DisposeAsync(clock.GetUtcNow().AddSeconds(5))));
        dispatcher.Post("queued behind it", token =>
        {
            laterRan.SetResult(token.IsCancellationRequested);
            return Task.CompletedTask;
        });

        Assert.True(await disposed.Task.WaitAsync(Bound));
        Assert.True(await laterRan.Task.WaitAsync(Bound)); // still runs once the disposing callback returned, its token fired
    }

    [Fact]
    public async Task Inside_its_own_callback_a_drain_does_not_wait_for_that_callback()
    {
        var clock = new FakeTimeProvider();
        var dispatcher = new CallbackDispatcher(NullLogger.Instance, clock);
        var drained = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        dispatcher.Post("disconnects", async _ => drained.SetResult(await dispatcher.DrainAsync(DateTimeOffset.MaxValue, CancellationToken.None)));

        Assert.True(await drained.Task.WaitAsync(Bound));
    }
}

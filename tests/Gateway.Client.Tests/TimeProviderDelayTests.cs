namespace Gateway.Client.Tests;

/// <summary>A wait longer than any timer can run (an infinite deadline) is bounded by its token alone, never refused.</summary>
public class TimeProviderDelayTests
{
    [Fact]
    public async Task A_deadline_beyond_any_timer_waits_for_the_task_or_the_token()
    {
        var done = new TaskCompletionSource();
        var waiting = TimeProviderDelay.WaitUntilAsync(done.Task, TimeProvider.System, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        done.SetResult();
        Assert.True(await waiting);

        using var stop = new CancellationTokenSource();
        var cancelled = TimeProviderDelay.WaitUntilAsync(new TaskCompletionSource().Task, TimeProvider.System, DateTimeOffset.UtcNow.AddDays(100), stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }
}

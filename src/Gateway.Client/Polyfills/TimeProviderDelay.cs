namespace Gateway.Client;

/// <summary>A delay on an injected clock, the same call on every target.</summary>
internal static class TimeProviderDelay
{
    public static Task Delay(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay == Timeout.InfiniteTimeSpan)
        {
            return Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

#if NET8_0_OR_GREATER
        return Task.Delay(delay, timeProvider, cancellationToken);
#else
        return timeProvider.Delay(delay, cancellationToken);
#endif
    }

    /// <summary>
    /// Waits for <paramref name="task"/> until <paramref name="deadline"/> without cancelling it, so a
    /// caller can keep the task and await it again. Returns false on timeout.
    /// </summary>
    public static async Task<bool> WaitUntilAsync(Task task, TimeProvider timeProvider, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        var remaining = deadline - timeProvider.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        if (remaining > LongestTimer)
        {
            // No timer can be that long (an infinite deadline, say): a wait bounded by the token alone.
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Delay(timeProvider, remaining, stopTimer.Token);
        var winner = await Task.WhenAny(task, delay).ConfigureAwait(false);
        stopTimer.Cancel();
        if (winner == task)
        {
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    /// <summary>The longest delay every target framework's timer takes (about 24.8 days); a longer one is as good as none.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>A token source cancelled after <paramref name="delay"/> on the injected clock.</summary>
    public static CancellationTokenSource CancelAfter(TimeProvider timeProvider, TimeSpan delay) =>
#if NET8_0_OR_GREATER
        new(delay, timeProvider);
#else
        timeProvider.CreateCancellationTokenSource(delay);
#endif

    /// <summary>The deadline <paramref name="timeout"/> from now (infinite stays infinite).</summary>
    public static DateTimeOffset DeadlineAfter(TimeProvider timeProvider, TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : timeProvider.GetUtcNow() + timeout;
}

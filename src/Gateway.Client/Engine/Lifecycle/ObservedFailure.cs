namespace Gateway.Client.Engine;

/// <summary>
/// Fails a completion that nobody may be waiting on any more (a send that gave up, a cancelled connect):
/// the exception is marked observed, so it never surfaces as <see cref="TaskScheduler.UnobservedTaskException"/>.
/// Whoever does await the task still gets it.
/// </summary>
internal static class ObservedFailure
{
    public static void TrySetObservedException<T>(this TaskCompletionSource<T> completion, Exception error)
    {
        completion.TrySetException(error);
        _ = completion.Task.Exception;
    }
}

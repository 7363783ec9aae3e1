#if !NET6_0_OR_GREATER
namespace Gateway.Client;

/// <summary>Task.WaitAsync(CancellationToken) for netstandard2.0: stop waiting without cancelling the task.</summary>
internal static class TaskWaitAsync
{
    public static async Task<T> WaitAsync<T>(this Task<T> task, CancellationToken cancellationToken)
    {
        if (task.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource<T>)state!).TrySetCanceled(), cancelled))
        {
            return await (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    public static Task WaitAsync(this Task task, CancellationToken cancellationToken) =>
        task is Task<bool> typed ? typed.WaitAsync(cancellationToken) : WaitAsync(WrapAsync(task), cancellationToken);

    private static async Task<bool> WrapAsync(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
#endif

namespace Gateway.Client.TestSupport;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its action where <see cref="Report"/> is called (where
/// <see cref="Progress{T}"/> would post it on to the thread pool), so a test sees the client's own thread and order.
/// </summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

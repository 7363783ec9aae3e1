namespace Gateway.Client.ConformanceTests;

/// <summary>
/// Collects <see cref="TaskScheduler.UnobservedTaskException"/> while alive: a faulted task nobody
/// awaited, which would otherwise vanish (or crash an app that escalates them). Tests that use it run in
/// the <see cref="SerialCollection"/>, so what it sees comes from them alone.
/// </summary>
internal sealed class UnobservedTaskExceptions : IDisposable
{
    private readonly List<Exception> _seen = new();

    public UnobservedTaskExceptions()
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    /// <summary>Finalizes every unreachable task now, then returns what surfaced so far.</summary>
    public IReadOnlyList<Exception> Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        lock (_seen)
        {
            return _seen.ToArray();
        }
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        lock (_seen)
        {
            _seen.Add(e.Exception);
        }
    }
}

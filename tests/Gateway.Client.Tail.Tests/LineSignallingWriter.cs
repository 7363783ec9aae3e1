namespace Gateway.Client.Tail.Tests;

/// <summary>A string writer a test can await: <see cref="WaitForLineAsync"/> completes once a written line contains a text.</summary>
internal sealed class LineSignallingWriter : StringWriter
{
    private readonly List<(string Text, TaskCompletionSource Signal)> _waiters = new();

    public Task WaitForLineAsync(string text, CancellationToken cancellationToken)
    {
        lock (_waiters)
        {
            if (ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_waiters)
        {
            base.WriteLine(value);
            foreach (var waiter in _waiters.Where(w => value?.Contains(w.Text, StringComparison.Ordinal) == true).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }
}

namespace Gateway.Client.FleetWorker;

/// <summary>
/// A worker's results file: one line per fact, each written through to the operating system before the call returns,
/// so a worker killed with SIGKILL loses nothing it had already written (the kernel keeps the file's pages). Lines:
/// <c>handled key seq</c>, <c>holding key seq</c>, <c>checkpointed key seq</c>, <c>rejected key seq</c>,
/// <c>closed key reason</c>, <c>error key|- operation ExceptionType</c>. <c>checkpointed</c> means the checkpoint call
/// returned: written and accepted with <c>--checkpoint-every 1</c> (as the fleet test runs), only marked for its batch
/// otherwise.
/// </summary>
internal sealed class Journal : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter _writer;

    public Journal(string path)
    {
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        _writer = new StreamWriter(file) { AutoFlush = true, NewLine = "\n" };
    }

    /// <summary>Appends <paramref name="line"/>; handlers of several sessions write at once, so one line at a time.</summary>
    public void Write(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}

using System.Collections.Concurrent;

namespace Gateway.Client.TestSupport;

/// <summary>
/// A test server process's output: its last lines (for a failure's message), and an awaited signal for the line it writes
/// once it accepts connections, so readiness is awaited rather than polled.
/// </summary>
internal sealed class ServerOutput
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly string? _readyLine;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="readyLine">Text of the line that says the server accepts connections; null when none is awaited.</param>
    public ServerOutput(string? readyLine) => _readyLine = readyLine;

    /// <summary>Completes when the ready line was written.</summary>
    public Task Ready => _ready.Task;

    /// <summary>One line of the process's standard output or error.</summary>
    public void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 200 && _lines.TryDequeue(out _))
        {
        }

        if (_readyLine is not null && line.Contains(_readyLine, StringComparison.OrdinalIgnoreCase))
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>The last <paramref name="count"/> lines.</summary>
    public string Tail(int count = 20) => string.Join("\n", _lines.TakeLast(count));

    /// <summary>Null once <paramref name="process"/> wrote its ready line; else why not (it exited, or <paramref name="deadline"/> passed).</summary>
    public async Task<string?> WaitUntilReadyAsync(System.Diagnostics.Process process, TimeSpan deadline, string name)
    {
        var exited = process.WaitForExitAsync();
        try
        {
            if (await Task.WhenAny(Ready, exited).WaitAsync(deadline) == exited && !Ready.IsCompleted)
            {
                return $"{name} exited with code {process.ExitCode}: {Tail()}";
            }

            return null;
        }
        catch (TimeoutException)
        {
            return $"{name} did not say it accepts connections within {deadline.TotalSeconds:0} s: {Tail()}";
        }
    }
}

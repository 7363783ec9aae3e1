using System.Diagnostics;
using System.Reflection;

namespace Gateway.Client.FleetTests;

/// <summary>
/// One fleet worker process (tests/Gateway.Client.FleetWorker), started as <c>dotnet Gateway.Client.FleetWorker.dll</c>:
/// its <c>ready</c> line awaited, the sessions it says it owns (its <c>owned</c> lines) kept, its output kept for a
/// failure's message, and signals sent to it by its process id. Disposing it kills it, whatever state it is in.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ServerOutput _output;
    private readonly object _gate = new();
    private IReadOnlySet<string> _owned = new HashSet<string>();

    private WorkerProcess(string name, string results, Process process)
    {
        Name = name;
        Results = results;
        _process = process;
        _output = new ServerOutput($"ready {name}");
    }

    /// <summary>Its owner id in the store.</summary>
    public string Name { get; }

    /// <summary>Its results directory.</summary>
    public string Results { get; }

    /// <summary>Its journal (see the worker's <c>Journal</c>).</summary>
    public string JournalPath => Path.Combine(Results, "journal.log");

    /// <summary>While this file exists its handlers stall between handling an event and checkpointing it.</summary>
    public string HoldPath => Path.Combine(Results, "hold");

    /// <summary>Completes when it said it runs.</summary>
    public Task Ready => _output.Ready;

    /// <summary>The sessions it last said it owns.</summary>
    public IReadOnlySet<string> Owned
    {
        get { lock (_gate) { return _owned; } }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Where the worker was built (the test project builds it first; see its project file).</summary>
    public static string WorkerAssembly =>
        typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FleetWorkerPath").Value!;

    /// <summary>Starts a worker named <paramref name="name"/> with <paramref name="arguments"/> (its owner and results directory are added).</summary>
    public static WorkerProcess Start(string name, string results, IEnumerable<string> arguments)
    {
        if (!File.Exists(WorkerAssembly))
        {
            throw new InvalidOperationException($"The fleet worker was not built at {WorkerAssembly}.");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { WorkerAssembly, "--owner", name, "--results", results, "--stop-on-stdin-eof" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var worker = new WorkerProcess(name, results, process);
        process.OutputDataReceived += (_, line) => worker.Read(line.Data);
        process.ErrorDataReceived += (_, line) => worker._output.Keep(line.Data is null ? null : "stderr: " + line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL: it dies at once, mid-stream, leases and all.</summary>
    public void Kill() => Signals.Send(_process.Id, Signals.Kill);

    /// <summary>SIGSTOP: it stops running, as in a long pause; its leases run out while it cannot notice.</summary>
    public void Pause() => Signals.Send(_process.Id, Signals.Stop);

    /// <summary>SIGCONT: it runs again, from where it stopped.</summary>
    public void Resume() => Signals.Send(_process.Id, Signals.Continue);

    /// <summary>SIGTERM: a graceful stop (the worker stops its processor, then exits with 0).</summary>
    public void Terminate() => Signals.Send(_process.Id, Signals.Terminate);

    /// <summary>Its exit code, once it exited within <paramref name="limit"/>.</summary>
    /// <exception cref="TimeoutException">It did not exit in time.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not exit within {limit.TotalSeconds:0} s: {Tail()}");
        }

        _process.WaitForExit(); // the last lines of its output are read too
        return _process.ExitCode;
    }

    /// <summary>Its last lines of output, for a failure's message.</summary>
    public string Tail(int count = 30) => $"--- {Name} ---\n{_output.Tail(count)}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true); // SIGKILL ends a stopped process too
            }

            await _process.WaitForExitAsync().WaitAsync(ExitLimit);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // it had already gone, or the kernel takes its time: nothing more a test can do
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Read(string? line)
    {
        _output.Keep(line);
        if (line is not null && line.StartsWith("owned ", StringComparison.Ordinal))
        {
            var keys = line.Split(' ', 3) is [_, _, var list] ? list.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
            lock (_gate)
            {
                _owned = keys.ToHashSet(StringComparer.Ordinal);
            }
        }
    }
}

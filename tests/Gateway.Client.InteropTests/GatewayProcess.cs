using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Client.InteropTests;

/// <summary>
/// A real gateway's process: its output appended to a log file, stopped gracefully (SIGTERM to its PID,
/// as its own scripts expect), then whatever is left of its process tree killed.
/// </summary>
internal sealed class GatewayProcess
{
    private readonly Process _process;

    private GatewayProcess(Process process) => _process = process;

    public static GatewayProcess Start(ProcessStartInfo start, string logPath)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new GatewayProcess(process);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the process exits.</summary>
    public Task Exited => _process.WaitForExitAsync();

    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync();
            }

            using var bound = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                // Fall through to the kill below.
            }
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>
    /// Waits until <paramref name="port"/> accepts TCP connections (a started server is ready then), polling
    /// with a backoff to 500 ms, bounded at 60 s; a process that exits ends the wait at once.
    /// </summary>
    /// <exception cref="InvalidOperationException">It did not start listening; the message ends with its log.</exception>
    public async Task WaitUntilListeningAsync(int port, string name, Func<string> logTail)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exited = Exited;
        var delay = TimeSpan.FromMilliseconds(50);
        try
        {
            while (true)
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, port, limit.Token);
                    return;
                }
                catch (SocketException) when (!exited.IsCompleted)
                {
                    // Not listening yet.
                }

                await Task.WhenAny(Task.Delay(delay, limit.Token), exited).Unwrap();
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"{name} did not start listening on {port}:\n{logTail()}", ex);
        }
    }

    /// <summary>A port nothing listens on now (the OS's pick for port 0).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The last lines of a log, for failure messages.</summary>
    public static string LogTail(string logPath, int lines = 30) =>
        File.Exists(logPath) ? string.Join("\n", File.ReadLines(logPath).TakeLast(lines)) : "(no log)";

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Client.TestSupport;

/// <summary>
/// A real Redis server for the tests: Debian's <c>redis-server</c> (.ci/run installs it with apt-get), on 127.0.0.1 at a
/// free port, its working directory a scratch directory of its own, no persistence (<c>--save '' --appendonly no</c>),
/// ready when it answers PING (polled, bounded), and stopped by its process id.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(20);

    private static readonly Lazy<string?> Probe = new(ProbeStart);

    private readonly Process _process;
    private readonly ServerOutput _log;

    private RedisServer(Process process, int port, string directory, ServerOutput log)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _log = log;
    }

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Its scratch directory (removed when it stops).</summary>
    public string Directory { get; }

    /// <summary>Its process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>A StackExchange.Redis configuration string for it.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=true,connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000";

    /// <summary>
    /// Why no Redis server can run here (the binary is missing, or a server started to find out did not answer), or null
    /// when one can. Found out once per process.
    /// </summary>
    public static string? WhyNot => Probe.Value;

    /// <summary>Where the binary is (<c>GATEWAY_REDIS_SERVER</c> names it, else PATH), or null.</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable("GATEWAY_REDIS_SERVER") is { Length: > 0 } configured
            ? (File.Exists(configured) ? configured : null)
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Append("/usr/bin").Append("/usr/sbin")
                .Select(directory => Path.Combine(directory, "redis-server"))
                .FirstOrDefault(File.Exists);

    /// <summary>Starts a server and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">It could not be started (the message says why, with its log).</exception>
    public static async Task<RedisServer> StartAsync()
    {
        var executable = Executable ?? throw new InvalidOperationException("redis-server is not installed (Debian's redis-server package; .ci/run installs it with apt-get)");
        var failures = new List<string>();
        // A free port is picked by binding port 0 and letting it go: another process may take it in between, so a
        // server that could not bind is started again on another port, a few times.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var directory = Path.Combine(Path.GetTempPath(), $"gateway-redis-{Guid.NewGuid():N}");
            System.IO.Directory.CreateDirectory(directory);
            var log = new ServerOutput("Ready to accept connections");
            var process = Launch(executable, port, directory, log);
            var server = new RedisServer(process, port, directory, log);
            var failure = await server.WaitUntilReadyAsync();
            if (failure is null)
            {
                return server;
            }

            failures.Add(failure);
            await server.DisposeAsync();
        }

        throw new InvalidOperationException($"redis-server did not start: {string.Join(" | ", failures)}");
    }

    /// <summary>Stops the server by its process id (SIGKILL: nothing is persisted) and removes its scratch directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (InvalidOperationException)
        {
            // it had already gone
        }
        finally
        {
            _process.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The server's output so far, for a failure's message.</summary>
    public string LogTail() => string.Join("\n", _log.Tail(20));

    private static Process Launch(string executable, int port, string directory, ServerOutput log)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1",
                     "--protected-mode", "yes",
                     "--dir", directory,
                     "--save", "",
                     "--appendonly", "no",
                     "--daemonize", "no",
                     "--logfile", "",
                     "--maxmemory-policy", "noeviction",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => log.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => log.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }


    /// <summary>Null once the server said it accepts connections and answered PING; else why not.</summary>
    private async Task<string?> WaitUntilReadyAsync()
    {
        if (await _log.WaitUntilReadyAsync(_process, StartDeadline, $"redis-server on port {Port}") is { } notReady)
        {
            return notReady;
        }

        try
        {
            using var client = new TcpClient();
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), attempt.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, attempt.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) ? null : $"redis-server on port {Port} answered PING with '{answer.Trim()}': {LogTail()}";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return $"redis-server on port {Port} said it was ready but did not answer PING ({ex.Message}): {LogTail()}";
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string? ProbeStart()
    {
        if (Executable is null)
        {
            return "redis-server is not installed (apt-get install -y redis-server, as .ci/run does, or set GATEWAY_REDIS_SERVER to the binary; GATEWAY_SESSION_SERVERS_REQUIRED=1 makes its absence a failure)";
        }

        try
        {
            var server = Task.Run(StartAsync).GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex)
        {
            return $"redis-server could not start here: {ex.Message}";
        }
    }
}

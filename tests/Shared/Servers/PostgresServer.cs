using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace Gateway.Client.TestSupport;

/// <summary>
/// A real PostgreSQL server for the tests: Debian's <c>postgresql-15</c> (.ci/run installs it with apt-get), a cluster
/// made by <c>initdb</c> in a scratch directory of its own (trust authentication, user <c>postgres</c>), listening on
/// 127.0.0.1 at a free port with its Unix socket in the scratch directory (<c>-k</c>), no durability unless asked for
/// (<c>fsync=off</c>: it is thrown away; the benchmarks ask for it), ready when a connection runs <c>SELECT 1</c>
/// (polled, bounded), and stopped by its process id (SIGQUIT, PostgreSQL's immediate shutdown; SIGKILL when it does not
/// go in time).
/// <para>PostgreSQL refuses to run as root: as root, <c>initdb</c> and <c>postgres</c> run as the <c>postgres</c> user the
/// Debian package creates (else <c>nobody</c>), through <see cref="ProcessStartInfo.UserName"/>, which .NET honours on
/// Linux by switching the child's user; the scratch directory is then open to that user.</para>
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const int SigQuit = 3;

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(10);
    private static readonly Lazy<string?> Probe = new(ProbeStart);

    private readonly Process _process;
    private readonly ServerOutput _log;

    private PostgresServer(Process process, int port, string directory, ServerOutput log)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _log = log;
    }

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Its scratch directory: the cluster (<c>data</c>) and the Unix socket; removed when it stops.</summary>
    public string Directory { get; }

    /// <summary>Its process id (the postmaster).</summary>
    public int ProcessId => _process.Id;

    /// <summary>A connection string to its <c>postgres</c> database as the <c>postgres</c> user (trust authentication).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Timeout = 10,
        CommandTimeout = 30,
        Pooling = true,
    }.ToString();

    /// <summary>
    /// Why no PostgreSQL server can run here (the binaries are missing, or a server started to find out did not answer),
    /// or null when one can. Found out once per process.
    /// </summary>
    public static string? WhyNot => Probe.Value;

    /// <summary>Where <c>initdb</c> and <c>postgres</c> are: <c>GATEWAY_POSTGRES_BIN</c> names the directory, else
    /// Debian's <c>/usr/lib/postgresql/&lt;newest&gt;/bin</c>, else PATH; null when not found.</summary>
    public static string? BinDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("GATEWAY_POSTGRES_BIN") is { Length: > 0 } configured)
            {
                return HasBinaries(configured) ? configured : null;
            }

            var debian = System.IO.Directory.Exists("/usr/lib/postgresql")
                ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                    .Select(version => Path.Combine(version, "bin"))
                    .Where(HasBinaries)
                    .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                    .FirstOrDefault()
                : null;
            return debian ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(HasBinaries);
        }
    }

    /// <summary>The user the server runs as: null when this process is not root (it runs as this process's user).</summary>
    public static string? RunAs =>
        geteuid() != 0 ? null
        : File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres"
        : "nobody";

    /// <summary>Makes a cluster and starts a server on it, and waits until it answers.</summary>
    /// <param name="durable">Keep PostgreSQL's own durability (<c>fsync</c>, <c>synchronous_commit</c> and
    /// <c>full_page_writes</c> on, its defaults), as a benchmark of commit costs needs; the tests run without it.</param>
    /// <exception cref="InvalidOperationException">It could not be started (the message says why, with its log).</exception>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(
            "PostgreSQL's initdb and postgres are not installed (Debian's postgresql-15 package; .ci/run installs it with apt-get)");
        var user = RunAs;
        var failures = new List<string>();
        // A free port is picked by binding port 0 and letting it go: another process may take it in between, so a
        // server that could not bind is started again on another port, a few times.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), $"gateway-postgres-{Guid.NewGuid():N}");
            System.IO.Directory.CreateDirectory(directory);
            if (user is not null && !OperatingSystem.IsWindows())
            {
                // Root makes it; the server's user writes the cluster and the socket in it.
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
            }

            var initdb = await InitDbAsync(bin, user, directory);
            if (initdb is not null)
            {
                Delete(directory);
                throw new InvalidOperationException($"initdb failed: {initdb}");
            }

            var port = FreePort();
            var log = new ServerOutput("ready to accept connections");
            var process = Launch(bin, user, port, directory, log, durable);
            var server = new PostgresServer(process, port, directory, log);
            var failure = await server.WaitUntilReadyAsync();
            if (failure is null)
            {
                return server;
            }

            failures.Add(failure);
            await server.DisposeAsync();
        }

        throw new InvalidOperationException($"postgres did not start: {string.Join(" | ", failures)}");
    }

    /// <summary>Stops the server by its process id (SIGQUIT: immediate shutdown; nothing is kept) and removes its scratch directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = kill(_process.Id, SigQuit);
            }

            using var limit = new CancellationTokenSource(StopDeadline);
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // it had already gone
        }
        finally
        {
            _process.Dispose();
            NpgsqlConnection.ClearAllPools();
            Delete(Directory);
        }
    }

    /// <summary>The server's output so far, for a failure's message.</summary>
    public string LogTail() => string.Join("\n", _log.Tail(20));

    private static async Task<string?> InitDbAsync(string bin, string? user, string directory)
    {
        var start = Start(Path.Combine(bin, "initdb"), user, directory,
            "-D", Path.Combine(directory, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
        var log = new ServerOutput(null);
        using var process = Run(start, log);
        using var limit = new CancellationTokenSource(StartDeadline);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return $"initdb did not finish in {StartDeadline.TotalSeconds} s: {log.Tail()}";
        }

        return process.ExitCode == 0 ? null : $"initdb exited with {process.ExitCode}: {log.Tail()}";
    }

    private static Process Launch(string bin, string? user, int port, string directory, ServerOutput log, bool durable)
    {
        var durability = durable ? "on" : "off";
        return Run(Start(Path.Combine(bin, "postgres"), user, directory,
            "-D", Path.Combine(directory, "data"),
            "-h", "127.0.0.1",
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-k", directory,
            "-c", $"fsync={durability}",
            "-c", $"synchronous_commit={durability}",
            "-c", $"full_page_writes={durability}",
            "-c", "max_connections=100",
            "-c", "listen_addresses=127.0.0.1"), log);
    }

    private static ProcessStartInfo Start(string executable, string? user, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (user is not null)
        {
            start.UserName = user;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static Process Run(ProcessStartInfo start, ServerOutput log)
    {
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => log.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => log.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Null once the server said it accepts connections and ran <c>SELECT 1</c>; else why not.</summary>
    private async Task<string?> WaitUntilReadyAsync()
    {
        if (await _log.WaitUntilReadyAsync(_process, StartDeadline, $"postgres on port {Port}") is { } notReady)
        {
            return notReady;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 5 };
            await using var connection = new NpgsqlConnection(builder.ToString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync() is 1 ? null : $"postgres on port {Port} answered SELECT 1 wrongly: {LogTail()}";
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return $"postgres on port {Port} said it was ready but did not answer ({e.Message}): {LogTail()}";
        }
    }

    private static string? ProbeStart()
    {
        if (BinDirectory is null)
        {
            return "PostgreSQL's initdb and postgres are not installed (apt-get install -y postgresql-15, as .ci/run does, or set GATEWAY_POSTGRES_BIN to their folder; GATEWAY_SESSION_SERVERS_REQUIRED=1 makes their absence a failure)";
        }

        try
        {
            var server = StartAsync().GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return $"a PostgreSQL server could not be started here: {e.Message}";
        }
    }

    private static bool HasBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "postgres"));


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Delete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc")]
    private static extern uint geteuid();
}

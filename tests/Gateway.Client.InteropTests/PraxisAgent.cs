using System.Diagnostics;
using System.Globalization;

namespace Gateway.Client.InteropTests;

/// <summary>
/// The real Praxis agent WebSocket handler (<c>../shared/interop/praxis/start.sh</c>: praxis-py-sdk's
/// <c>_handle_websocket_connection</c>, verbatim, served by Starlette and uvicorn) on a free loopback port.
/// A stop and a start of the same object is a server restart on the same port. Its log (loguru) records
/// every frame it receives.
/// </summary>
public sealed class PraxisAgent : IAsyncDisposable
{
    private readonly string _home;
    private GatewayProcess? _process;

    private PraxisAgent(string home) => _home = home;

    /// <summary>The launcher, beside the PraisonAI gateway's.</summary>
    public static string StartScript =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(InteropEnvironment.PraisonAiStartScript)!, "..", "praxis", "start.sh"));

    public int Port { get; } = GatewayProcess.FreePort();

    /// <summary>The events path (the handler serves <c>/ws/workflow</c> too).</summary>
    public Uri Url => new($"ws://127.0.0.1:{Port}/ws/events");

    public string LogPath => Path.Combine(_home, "praxis.log");

    /// <summary>Why the Praxis interop tests cannot run here, or null when they can.</summary>
    public static string? WhyNot()
    {
        if (!File.Exists(StartScript))
        {
            return $"the real Praxis handler is not beside the repository ({StartScript} is absent; {InteropEnvironment.SharedInteropSource})";
        }

        if (InteropEnvironment.WhyNotIsolated() is { } reason)
        {
            return reason;
        }

        using var probe = Process.Start("/usr/bin/python3", ["-c", "import starlette, uvicorn, websockets, loguru"]);
        probe.WaitForExit(30_000);
        return probe.HasExited && probe.ExitCode == 0
            ? null
            : "Debian's python3-starlette, python3-uvicorn, python3-websockets and python3-loguru are not installed (.ci/run installs them with apt-get)";
    }

    public static async Task<PraxisAgent> StartAsync()
    {
        var agent = new PraxisAgent(Directory.CreateTempSubdirectory("praxis-interop-").FullName);
        await agent.StartAgainAsync();
        return agent;
    }

    /// <summary>Starts the process (again, after <see cref="StopAsync"/>: same port) and waits until the port accepts (about 1 s).</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _home };
        start.ArgumentList.Add(StartScript);
        start.ArgumentList.Add(Port.ToString(CultureInfo.InvariantCulture));
        _process = GatewayProcess.Start(start, LogPath);

        await _process.WaitUntilListeningAsync(Port, "The Praxis handler", LogTail);
    }

    /// <summary>Stops the server (SIGTERM; uvicorn shuts down).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Client options for this agent, reconnecting quickly.</summary>
    public GatewayClientOptions ClientOptions() => new()
    {
        Url = Url,
        Dialect = ProtocolDialect.Praxis,
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) },
    };

    /// <summary>How many frames of <paramref name="type"/> the handler logged receiving.</summary>
    public int FramesReceived(string type) =>
        File.Exists(LogPath) ? File.ReadLines(LogPath).Count(l => l.Contains("Received WebSocket message:", StringComparison.Ordinal) && l.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)) : 0;

    public string LogTail() => GatewayProcess.LogTail(LogPath);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A log still open by a dying child: the temp folder is cleaned up by the system.
        }
    }
}

/// <summary>A fact that runs against the real Praxis handler: skipped with the reason when it cannot run here, unless CI requires it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PraxisFactAttribute : FactAttribute
{
    private static readonly string? WhyNot = PraxisAgent.WhyNot();

    public PraxisFactAttribute()
    {
        if (!InteropEnvironment.Required && WhyNot is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>One real Praxis handler for a test class; not started where it cannot run (every test is then skipped with the reason).</summary>
public sealed class PraxisFixture : IAsyncLifetime
{
    private PraxisAgent? _agent;

    public PraxisAgent Agent => _agent ?? throw new InvalidOperationException("The Praxis fixture did not start.");

    public async Task InitializeAsync()
    {
        if (!InteropEnvironment.Required && PraxisAgent.WhyNot() is not null)
        {
            return;
        }

        _agent = await PraxisAgent.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }
}

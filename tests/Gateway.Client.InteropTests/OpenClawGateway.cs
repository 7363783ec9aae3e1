using System.Diagnostics;
using System.Security.Cryptography;

namespace Gateway.Client.InteropTests;

/// <summary>
/// One real OpenClaw gateway process on loopback: a temporary HOME with a config that turns off mDNS,
/// update checks, the model-catalog refresh and cron; the environment switches that skip channels,
/// Bonjour, auto-update, cron and the browser control server; a random token and a free port. Stopped
/// (and its process tree killed) by PID.
/// </summary>
public sealed class OpenClawGateway : IAsyncDisposable
{
    private readonly string _home;
    private GatewayProcess? _process;

    private OpenClawGateway(string home, int port, string token)
    {
        _home = home;
        Port = port;
        Token = token;
    }

    public int Port { get; }

    public string Token { get; }

    public Uri Url => new($"ws://127.0.0.1:{Port}");

    public string LogPath => Path.Combine(_home, "gateway.log");

    /// <param name="stubModelPort">
    /// The port of a running <see cref="OpenClawStubModel"/>: the gateway then runs agent turns against it, with the
    /// shared config (<c>openclaw-stub-model.json</c>: the same settings plus the model). Null: no model.
    /// </param>
    public static OpenClawGateway Create(int? stubModelPort = null)
    {
        if (InteropEnvironment.WhyNot() is { } reason)
        {
            throw new InvalidOperationException("The OpenClaw gateway cannot run here: " + reason);
        }

        var home = Directory.CreateTempSubdirectory("openclaw-interop-").FullName;
        Directory.CreateDirectory(Path.Combine(home, ".openclaw"));
        File.WriteAllText(Path.Combine(home, ".openclaw", "openclaw.json"), stubModelPort is { } port
            ? File.ReadAllText(OpenClawStubModel.ConfigPath).Replace("${OPENCLAW_STUB_MODEL_PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            : """
            {
              "gateway": { "mode": "local" },
              "discovery": { "mdns": { "mode": "off" } },
              "update": { "checkOnStart": false },
              "models": { "catalogRefresh": { "enabled": false } },
              "cron": { "enabled": false }
            }
            """);
        return new OpenClawGateway(home, GatewayProcess.FreePort(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant());
    }

    /// <summary>Starts the process (it needs several seconds before it accepts a connect).</summary>
    public void Start()
    {
        var start = new ProcessStartInfo(InteropEnvironment.NodePath) { WorkingDirectory = _home };
        foreach (var argument in new[] { InteropEnvironment.OpenClawEntry, "gateway", "run", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "loopback", "--auth", "token", "--token", Token })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = _home;
        start.Environment["PATH"] = Path.GetDirectoryName(InteropEnvironment.NodePath) + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var name in new[]
        {
            "OPENCLAW_SKIP_CHANNELS", "OPENCLAW_DISABLE_BONJOUR", "OPENCLAW_NO_AUTO_UPDATE", "OPENCLAW_SKIP_CRON",
            "OPENCLAW_SKIP_BROWSER_CONTROL_SERVER", "OPENCLAW_SKIP_GMAIL_WATCHER", "OPENCLAW_SKIP_CANVAS_HOST",
            "OPENCLAW_SKIP_PROVIDERS", "OPENCLAW_NO_RESPAWN", "OPENCLAW_SKIP_STARTUP_MODEL_PREWARM",
        })
        {
            start.Environment[name] = "1";
        }

        _process = GatewayProcess.Start(start, LogPath);
    }

    /// <summary>Stops the gateway gracefully (SIGTERM to its PID), then kills what is left of its process tree.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

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

    /// <summary>The tail of the gateway's log, for failure messages.</summary>
    public string LogTail() => GatewayProcess.LogTail(LogPath);
}

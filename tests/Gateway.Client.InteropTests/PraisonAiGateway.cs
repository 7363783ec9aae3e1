using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Client.InteropTests;

/// <summary>
/// The real PraisonAI gateway (<c>../shared/interop/praisonai/start.sh</c>: the upstream server,
/// unmodified, with an echo agent <c>echo</c>) on a free loopback port with a random token. Its SQLite
/// session state lives in a folder of this object's own, so a stop and a start of the same object is a
/// gateway restart that keeps its persisted sessions.
/// </summary>
public sealed class PraisonAiGateway : IAsyncDisposable
{
    public const string AgentId = "echo";

    private readonly string _home;
    private GatewayProcess? _process;

    private PraisonAiGateway(string home, int heartbeatMilliseconds)
    {
        _home = home;
        HeartbeatMilliseconds = heartbeatMilliseconds;
    }

    public int Port { get; } = GatewayProcess.FreePort();

    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public int HeartbeatMilliseconds { get; }

    public Uri Url => UrlThrough(Port);

    public string LogPath => Path.Combine(_home, "gateway.log");

    /// <summary>Starts a gateway and waits until it accepts connections.</summary>
    public static async Task<PraisonAiGateway> StartAsync(int heartbeatMilliseconds)
    {
        if (!InteropEnvironment.Required && InteropEnvironment.WhyNotPraisonAi() is { } reason)
        {
            throw new InvalidOperationException("The PraisonAI gateway cannot run here: " + reason);
        }

        var gateway = new PraisonAiGateway(Directory.CreateTempSubdirectory("praisonai-interop-").FullName, heartbeatMilliseconds);
        await gateway.StartAgainAsync();
        return gateway;
    }

    /// <summary>The gateway's endpoint on another port (a <see cref="LoopbackProxy"/> in front of it).</summary>
    public static Uri UrlThrough(int port) => new($"ws://127.0.0.1:{port}/ws");

    /// <summary>Starts the process (again, after <see cref="StopAsync"/>: same port, same persisted state) and waits until the port accepts.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _home };
        foreach (var argument in new[] { InteropEnvironment.PraisonAiStartScript, Port.ToString(CultureInfo.InvariantCulture), Token, HeartbeatMilliseconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PRAISONAI_STATE"] = Path.Combine(_home, "state");
        start.Environment["TMPDIR"] = _home;
        _process = GatewayProcess.Start(start, LogPath);

        // start.sh's contract: ready when the port accepts TCP connections (1-3 s; bounded here at 60 s). The
        // server announces nothing when it starts listening (its only output comes before), so the port is
        // polled, backing off to 500 ms; a process that exits ends the wait at once.
        await _process.WaitUntilListeningAsync(Port, "The PraisonAI gateway", LogTail);
    }

    /// <summary>Stops the gateway gracefully (SIGTERM: start.sh stops the server), keeping its persisted state.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Client options for this gateway (or for a proxy in front of it), reconnecting quickly.</summary>
    public GatewayClientOptions ClientOptions(Uri? through = null, string? token = null) => new()
    {
        Url = through ?? Url,
        AgentId = AgentId,
        TokenProvider = _ => ValueTask.FromResult<string?>(token ?? Token),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        Reconnect = { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) },
    };

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

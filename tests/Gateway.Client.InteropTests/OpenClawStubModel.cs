using System.Diagnostics;
using System.Globalization;

namespace Gateway.Client.InteropTests;

/// <summary>
/// The stub OpenAI-compatible model (<c>../shared/interop/openclaw/stub-model.py</c>: an echo, <c>echo: text</c>;
/// text starting with <c>slow</c> takes 3 s) on a free loopback port, so the real OpenClaw runs agent turns with no
/// network. Every request body is appended to a dump file: the tests count model calls there.
/// </summary>
public sealed class OpenClawStubModel : IAsyncDisposable
{
    private readonly string _home;
    private GatewayProcess? _process;

    private OpenClawStubModel(string home) => _home = home;

    public static string ScriptPath => Path.Combine(InteropEnvironment.OpenClawStubModelDirectory, "stub-model.py");

    /// <summary>The whole gateway config for a gateway using this model (its port as <c>${OPENCLAW_STUB_MODEL_PORT}</c>).</summary>
    public static string ConfigPath => Path.Combine(InteropEnvironment.OpenClawStubModelDirectory, "openclaw-stub-model.json");

    public int Port { get; } = GatewayProcess.FreePort();

    public string LogPath => Path.Combine(_home, "stub-model.log");

    private string DumpPath => Path.Combine(_home, "requests.jsonl");

    /// <summary>Why OpenClaw cannot run turns against the stub here, or null when it can.</summary>
    public static string? WhyNot()
    {
        if (!File.Exists(ScriptPath) || !File.Exists(ConfigPath))
        {
            return $"the stub model for OpenClaw is not beside the repository ({InteropEnvironment.OpenClawStubModelDirectory} is absent; {InteropEnvironment.SharedInteropSource})";
        }

        return InteropEnvironment.WhyNot();
    }

    public static async Task<OpenClawStubModel> StartAsync()
    {
        var model = new OpenClawStubModel(Directory.CreateTempSubdirectory("openclaw-stub-model-").FullName);
        var start = new ProcessStartInfo("/usr/bin/python3") { WorkingDirectory = model._home };
        start.ArgumentList.Add(ScriptPath);
        start.ArgumentList.Add(model.Port.ToString(CultureInfo.InvariantCulture));
        start.Environment["STUB_DUMP"] = model.DumpPath;
        model._process = GatewayProcess.Start(start, model.LogPath);
        await model._process.WaitUntilListeningAsync(model.Port, "The stub model", model.LogTail);
        return model;
    }

    /// <summary>How many model calls so far had <paramref name="text"/> anywhere in their request (JSON-escaped).</summary>
    public int CallsContaining(string text) =>
        File.Exists(DumpPath) ? File.ReadLines(DumpPath).Count(l => l.Contains(text, StringComparison.Ordinal)) : 0;

    /// <summary>How many model calls so far, all told.</summary>
    public int Calls => File.Exists(DumpPath) ? File.ReadLines(DumpPath).Count() : 0;

    public string LogTail() => GatewayProcess.LogTail(LogPath);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(10));
        }

        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned up by the system.
        }
    }
}

/// <summary>A real OpenClaw gateway that runs agent turns against an <see cref="OpenClawStubModel"/>, for one test class.</summary>
public sealed class OpenClawWithModelFixture : IAsyncLifetime
{
    private OpenClawStubModel? _model;
    private OpenClawGateway? _gateway;

    public OpenClawStubModel Model => _model ?? throw new InvalidOperationException("The stub model did not start.");

    public OpenClawGateway Gateway => _gateway ?? throw new InvalidOperationException("The gateway fixture did not start.");

    public async Task InitializeAsync()
    {
        if (!InteropEnvironment.Required && OpenClawStubModel.WhyNot() is not null)
        {
            return; // every test is skipped with the reason
        }

        // The model first: the gateway reads its port from the config at start.
        _model = await OpenClawStubModel.StartAsync();
        _gateway = OpenClawGateway.Create(_model.Port);
        _gateway.Start();
        await RunningGatewayFixture.WaitUntilReadyAsync(_gateway);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_model is not null)
        {
            await _model.DisposeAsync();
        }
    }
}

/// <summary>A fact that runs against the real OpenClaw with the stub model: skipped with the reason when it cannot run here, unless CI requires it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenClawModelFactAttribute : FactAttribute
{
    private static readonly string? WhyNot = OpenClawStubModel.WhyNot();

    public OpenClawModelFactAttribute()
    {
        if (!InteropEnvironment.Required && WhyNot is { } reason)
        {
            Skip = reason;
        }
    }
}

